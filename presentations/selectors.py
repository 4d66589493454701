"""Reads of the presentations app, and the conversion of its rows to the scheduler's values."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db.models import F, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from courseportal import caching
from courses.academic_calendar import ClassSession, derive_sessions
from courses.models import CalendarException, Course, Membership, Role
from courses.selectors import (
    calendar_exception_to_core,
    course_list_for_user,
    course_pattern,
    course_sessions,
)
from presentations import scheduling
from presentations.models import (
    CalendarFeed,
    ChangeKind,
    ExtraSeats,
    GroupInvitation,
    GroupMember,
    InvitationStatus,
    IssueKind,
    PresentationSchedule,
    PresenterGroup,
    ScheduleChange,
    ScheduleIssue,
    ScheduleStatus,
    Slot,
    SwapRequest,
)


def active_members() -> QuerySet[GroupMember]:
    """Group members whose membership of the course is active: a dropped (deactivated) student
    is no longer listed as a presenter, nor counted in the seats."""
    return (
        GroupMember.objects.filter(
            user__memberships__course=F("course"), user__memberships__is_active=True
        )
        .select_related("user")
        .distinct()
    )


def group_list(*, course: Course) -> QuerySet[PresenterGroup]:
    return PresenterGroup.objects.filter(course=course).prefetch_related(
        Prefetch("members", queryset=active_members())
    )


def group_get(*, course: Course, group_id: int) -> PresenterGroup:
    group = group_list(course=course).filter(pk=group_id).first()
    if group is None:
        raise Http404("No such presenter group.")
    return group


def group_of_user(*, course: Course, user: Any) -> PresenterGroup | None:
    return group_list(course=course).filter(members__user=user).first()


def group_id_of_user(*, course: Course, user: Any) -> int | None:
    """The id of the user's presenter group in the course, in one query (for feeds)."""
    groups = PresenterGroup.objects.filter(course=course, members__user=user)
    return groups.values_list("pk", flat=True).first()


def group_member_ids(group: PresenterGroup) -> set[int]:
    return {member.user_id for member in group.members.all()}


def parse_dates(values: list[str]) -> list[dt.date]:
    return [dt.date.fromisoformat(value) for value in values]


def scheduler_sessions(*, course: Course) -> tuple[scheduling.Session, ...]:
    """The course's class dates as the scheduler sees them: its presentation window, its
    presenters per class and the seats added on single dates."""
    return scheduling.sessions_from_calendar(
        course_sessions(course=course),
        seats=course.presenters_per_class,
        first_day=course.presentations_start,
        last_day=course.presentations_end,
        extra_seats=dict(ExtraSeats.objects.filter(course=course).values_list("date", "seats")),
    )


def course_today(course: Course) -> dt.date:
    """The first date whose presentations have not been given yet: today in the course's time
    zone while the term runs. Once the term is over nothing counts as given (a finished term,
    such as the demo's, is edited as a replay, not as a record), so that is its first day."""
    today = timezone.now().astimezone(ZoneInfo(course.time_zone)).date()
    return today if today <= course.last_day else course.first_day


def scheduler_groups(*, course: Course) -> list[scheduling.Group]:
    """Every group of the course with an active member, as the scheduler sees it (a group whose
    students all left has nobody to present: it is left out, and off the next schedule)."""
    return [scheduler_group(g) for g in group_list(course=course) if g.members.all()]


def scheduler_group(group: PresenterGroup) -> scheduling.Group:
    return scheduling.Group(
        id=str(group.pk),
        name=group.name,
        size=len(group.members.all()),
        preferences=tuple(parse_dates(group.preferences)),
        unavailable=frozenset(parse_dates(group.unavailable)),
        fixed_date=group.fixed_date,
    )


def schedule_list(*, course: Course, include_drafts: bool) -> QuerySet[PresentationSchedule]:
    schedules = PresentationSchedule.objects.filter(course=course)
    if not include_drafts:
        schedules = schedules.filter(status=ScheduleStatus.PUBLISHED)
    return schedules.prefetch_related(
        Prefetch("slots", queryset=Slot.objects.select_related("group"))
    )


def schedule_get(*, course: Course, schedule_id: int, include_drafts: bool) -> PresentationSchedule:
    schedule = schedule_list(course=course, include_drafts=include_drafts).filter(pk=schedule_id)
    found = schedule.first()
    if found is None:
        raise Http404("No such schedule.")
    return found


def schedule_published(*, course: Course) -> PresentationSchedule | None:
    return schedule_list(course=course, include_drafts=False).first()


def schedule_latest_draft(*, course: Course) -> PresentationSchedule | None:
    return (
        schedule_list(course=course, include_drafts=True)
        .filter(status=ScheduleStatus.DRAFT)
        .order_by("-version")
        .first()
    )


@dataclass
class ScheduleDay:
    session: ClassSession
    slots: list[Slot] = field(default_factory=list)

    @property
    def label(self) -> str:
        if not self.session.meets:
            return self.session.label
        if not self.session.has_presentations:
            return "Guest lecture — no presentations"
        return ""


def _days(
    course: Course, slots: Iterable[Slot], groups: dict[int, PresenterGroup]
) -> list[ScheduleDay]:
    days = {s.date: ScheduleDay(session=s) for s in course_sessions(course=course)}
    for slot in slots:
        slot.group = groups.get(slot.group_id, slot.group)
        if _presents(days, slot.date):
            days[slot.date].slots.append(slot)
    return list(days.values())


def _presents(days: dict[dt.date, ScheduleDay], date: dt.date) -> bool:
    """Whether a presentation on `date` may be shown: never on a day without class or a guest
    lecture (a slot left there by a calendar change awaits its new date)."""
    day = days.get(date)
    return day is not None and day.session.meets and day.session.has_presentations


@dataclass(frozen=True)
class SeatCell:
    """One class date of the schedule at a glance: the groups placed and the seats they use.

    Seats are counted in students, as the scheduler counts them (a group of two uses two).
    `label` is set on dates without presentations (no class, a guest lecture)."""

    date: dt.date
    label: str
    groups: int
    used: int
    seats: int
    own: bool

    @property
    def left(self) -> int:
        return max(self.seats - self.used, 0)

    @property
    def percent(self) -> int:
        """The share of the seats used, 0 to 100 (the bar's width)."""
        return min(100, round(100 * self.used / self.seats)) if self.seats else 0


def schedule_seats(
    *, days: Iterable[ScheduleDay], seats: int, own_group_id: int | None
) -> list[SeatCell]:
    """Every class date of `schedule_days` as a `SeatCell`, in date order."""
    cells = []
    for day in days:
        used = sum(len(slot.group.members.all()) for slot in day.slots)
        own = own_group_id is not None and any(s.group_id == own_group_id for s in day.slots)
        label = day.label
        if day.session.meets and not day.session.has_presentations:
            label = "Guest lecture — no presenters"  # short words: a cell is a third of a phone
        cells.append(SeatCell(day.session.date, label, len(day.slots), used, seats, own))
    return cells


def schedule_days(*, course: Course, schedule: PresentationSchedule | None) -> list[ScheduleDay]:
    """Every class date with the groups presenting that day (none on days without class)."""
    if schedule is None:
        return _days(course, [], {})
    groups = {g.pk: g for g in group_list(course=course)}
    return _days(course, schedule.slots.all(), groups)


def published_days_for_feed(*, course: Course) -> list[ScheduleDay]:
    """`schedule_days` of the published schedule, with only the groups' names loaded.

    Calendar apps poll feeds: the slots and their groups come in one query here, against four
    for the schedule, its slots, and the groups with their members.
    """
    slots = Slot.objects.filter(
        schedule__course=course, schedule__status=ScheduleStatus.PUBLISHED
    ).select_related("group")
    return _days(course, slots, {})


def membership_by_feed_key(*, key: str, course_id: int) -> Membership:
    """The active membership in the course of the active user whose private feed key this is.

    Raises Http404 otherwise, whether the key, the user or the membership is missing. Read on
    every poll of a calendar app, so kept (courseportal/caching.py) until the accounts (feed
    keys, users) or the course's memberships change.
    """
    membership = caching.kept(
        ("feed", key, course_id),
        scopes=[caching.ACCOUNTS, caching.course_scope(course_id)],
        build=lambda: _membership_by_feed_key(key, course_id),
    )
    if membership is None:
        raise Http404("No such feed.")
    return membership


def _membership_by_feed_key(key: str, course_id: int) -> Membership | None:
    return (
        Membership.objects.select_related("course", "user")
        .filter(
            user__calendar_feed__key=key,
            user__is_active=True,
            course_id=course_id,
            is_active=True,
        )
        .first()
    )


@dataclass
class FeedCourse:
    course: Course
    days: list[ScheduleDay]
    own_group_id: int | None


def feed_courses(*, user: Any) -> list[FeedCourse]:
    """Every course of the user with its days and published slots, for the private feed of all
    of them: a fixed number of queries, however many courses the user is in."""
    courses = list(course_list_for_user(user=user))
    ids = [course.pk for course in courses]
    published = {
        schedule.course_id: schedule
        for schedule in PresentationSchedule.objects.filter(
            course_id__in=ids, status=ScheduleStatus.PUBLISHED
        ).prefetch_related(Prefetch("slots", queryset=Slot.objects.select_related("group")))
    }
    own = dict(
        GroupMember.objects.filter(course_id__in=ids, user=user).values_list(
            "course_id", "group_id"
        )
    )
    exceptions = defaultdict(list)
    for exception in CalendarException.objects.filter(course_id__in=ids).order_by("date"):
        exceptions[exception.course_id].append(calendar_exception_to_core(exception))
    result = []
    for course in courses:
        sessions = derive_sessions(course_pattern(course=course), exceptions[course.pk])
        days = {s.date: ScheduleDay(session=s) for s in sessions}
        schedule = published.get(course.pk)
        for slot in schedule.slots.all() if schedule is not None else []:
            if _presents(days, slot.date):
                days[slot.date].slots.append(slot)
        result.append(FeedCourse(course, list(days.values()), own.get(course.pk)))
    return result


def swap_list(*, membership: Membership) -> QuerySet[SwapRequest]:
    swaps = SwapRequest.objects.filter(course_id=membership.course_id).select_related(
        "from_group", "to_group"
    )
    if membership.is_staff_role:
        return swaps
    own = PresenterGroup.objects.filter(
        course_id=membership.course_id, members__user_id=membership.user_id
    )
    return swaps.filter(from_group__in=own) | swaps.filter(to_group__in=own)


def swap_get(*, membership: Membership, swap_id: int) -> SwapRequest | None:
    """One swap the member may see (see `swap_list`), with both groups; None otherwise."""
    return swap_list(membership=membership).filter(pk=swap_id).first()


def change_log(*, course: Course) -> QuerySet[ScheduleChange]:
    return ScheduleChange.objects.filter(course=course).select_related("actor")


def feed_user_get(*, key: str) -> User:
    """The active user whose private feed key this is. Raises Http404 otherwise."""
    feed = CalendarFeed.objects.select_related("user").filter(key=key).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such feed.")
    return feed.user


def invitation_list(*, membership: Membership) -> QuerySet[GroupInvitation]:
    """The invitations a member may see: staff, all of the course's; a student, those sent to
    them and those of their own group."""
    invitations = (
        GroupInvitation.objects.filter(course_id=membership.course_id)
        .select_related("group", "invitee", "invited_by")
        .prefetch_related(
            Prefetch("group__members", queryset=GroupMember.objects.select_related("user"))
        )
    )
    if membership.is_staff_role:
        return invitations
    own = PresenterGroup.objects.filter(
        course_id=membership.course_id, members__user_id=membership.user_id
    )
    return invitations.filter(invitee_id=membership.user_id) | invitations.filter(group__in=own)


def invitation_get(*, membership: Membership, invitation_id: int) -> GroupInvitation:
    """One invitation the member may see (see `invitation_list`); Http404 otherwise."""
    invitation = invitation_list(membership=membership).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def invitations_received(*, course: Course, user: Any) -> QuerySet[GroupInvitation]:
    """The user's open invitations in the course, with each group's members."""
    return (
        GroupInvitation.objects.filter(course=course, invitee=user, status=InvitationStatus.PENDING)
        .select_related("group", "invited_by")
        .prefetch_related(
            Prefetch("group__members", queryset=GroupMember.objects.select_related("user"))
        )
    )


def invitations_sent(*, group: PresenterGroup) -> QuerySet[GroupInvitation]:
    """The group's open invitations."""
    return GroupInvitation.objects.filter(
        group=group, status=InvitationStatus.PENDING
    ).select_related("invitee")


def classmates_without_group(*, course: Course, user: Any) -> QuerySet[User]:
    """The course's active students in no presenter group, but `user`: whom a student may
    invite (the picker shows their display names)."""
    return students_without_group(course=course).exclude(pk=user.pk)


def students_without_group(*, course: Course) -> QuerySet[User]:
    """The course's active students in no presenter group, by name."""
    in_groups = GroupMember.objects.filter(course=course).values("user_id")
    return (
        User.objects.filter(
            is_active=True,
            memberships__course=course,
            memberships__role=Role.STUDENT,
            memberships__is_active=True,
        )
        .exclude(pk__in=in_groups)
        .order_by("last_name", "first_name", "pk")
    )


def course_users(*, course: Course) -> QuerySet[User]:
    """Every active member of the course, whatever their role (a form's accepted values; the
    group services say which of them may be in a group)."""
    return User.objects.filter(
        is_active=True, memberships__course=course, memberships__is_active=True
    ).distinct()


def group_published_date(*, group: PresenterGroup) -> dt.date | None:
    """The date the group presents on the published schedule, if it is on one."""
    slots = Slot.objects.filter(group=group, schedule__status=ScheduleStatus.PUBLISHED)
    return slots.values_list("date", flat=True).first()


def group_draft_versions(*, group: PresenterGroup) -> list[int]:
    """Versions of the drafts that place the group (deleting it takes it out of them)."""
    slots = Slot.objects.filter(group=group, schedule__status=ScheduleStatus.DRAFT)
    return sorted(slots.values_list("schedule__version", flat=True))


@dataclass(frozen=True)
class DiffRow:
    """One group whose date differs between two schedules: `from_date` None for a group new to
    the schedule, `to_date` None for one no longer on it; `why` in plain words."""

    group_id: int
    group: str
    from_date: dt.date | None
    to_date: dt.date | None
    why: str


def schedule_diff(
    *,
    course: Course,
    old: PresentationSchedule,
    new: PresentationSchedule,
    moves_only: bool = False,
) -> list[DiffRow]:
    """Who moves between `old` (the published schedule) and `new`, from what date to what date,
    and why: the rule their old date breaks now, a fresh start, a hand edit, or room made for a
    group that had to move. `moves_only`: groups on both schedules only. By old date, then name."""
    before = {slot.group_id: slot.date for slot in old.slots.all()}
    after = {slot.group_id: slot.date for slot in new.slots.all()}
    names = dict(PresenterGroup.objects.filter(course=course).values_list("pk", "name"))
    broken = _broken_rules(course, {str(gid): day for gid, day in before.items()})
    adjusted = new.changes.filter(kind=ChangeKind.ADJUSTED).exists()
    rows = []
    for gid in sorted(set(before) | set(after), key=lambda g: (before.get(g) or dt.date.max, g)):
        was, now = before.get(gid), after.get(gid)
        if was == now or (moves_only and (was is None or now is None)):
            continue
        if was is None:
            why = "a new group"
        elif now is None:
            why = "no student of the group is still in the course"
        elif str(gid) in broken:
            why = broken[str(gid)]
        elif new.fresh:
            why = "the schedule was made again from the start"
        elif adjusted:
            why = "moved by hand in the draft, or to make room for a group that had to move"
        else:
            why = "to make room for a group that had to move"
        rows.append(DiffRow(gid, names.get(gid, f"group {gid}"), was, now, why))
    return rows


_RULE_WORDS = {
    scheduling.ViolationCode.NOT_ELIGIBLE: "there are no presentations on {day} any more ({why})",
    scheduling.ViolationCode.UNAVAILABLE: "the group can no longer present on {day}",
    scheduling.ViolationCode.OVER_CAPACITY: "{day} has fewer seats than presenters now",
    scheduling.ViolationCode.FIXED_DATE: "the group must present on another date",
    scheduling.ViolationCode.TOPIC: "the group's topic is on another date",
}


def _broken_rules(course: Course, placements: dict[str, dt.date]) -> dict[str, str]:
    """For each group of `placements` whose date now breaks a rule, that rule in plain words."""
    sessions = scheduler_sessions(course=course)
    labels = {s.date: s.label or "not a class date" for s in sessions}
    groups = [g for g in scheduler_groups(course=course) if g.id in placements]
    known = {g.id for g in groups}
    found: dict[str, str] = {}
    for violation in scheduling.check(
        sessions, groups, {gid: d for gid, d in placements.items() if gid in known}
    ):
        words = _RULE_WORDS.get(violation.code)
        if words is None or violation.date is None:
            continue
        text = words.format(day=f"{violation.date:%a %b} {violation.date.day}",
                            why=labels.get(violation.date, "").lower() or "no class")  # fmt: skip
        for gid in violation.group_ids:
            found.setdefault(gid, text)
    return found


@dataclass(frozen=True)
class Drift:
    """A rule the published schedule breaks now: the group, its date, the kind (an IssueKind
    value) and the message for staff."""

    group_id: int
    date: dt.date | None
    kind: str
    message: str


_DRIFT_KINDS = {
    scheduling.ViolationCode.NOT_ELIGIBLE: IssueKind.NOT_ELIGIBLE,
    scheduling.ViolationCode.UNAVAILABLE: IssueKind.UNAVAILABLE,
    scheduling.ViolationCode.OVER_CAPACITY: IssueKind.OVER_CAPACITY,
}


def schedule_drift(*, course: Course) -> list[Drift]:
    """Every rule the published schedule breaks since the calendar, the seats, the memberships
    or a group's unavailable dates changed (presentations already given do not count)."""
    published = schedule_published(course=course)
    if published is None:
        return []
    today = course_today(course)
    placements = {str(slot.group_id): slot.date for slot in published.slots.all()}
    upcoming = {gid: day for gid, day in placements.items() if day >= today}
    groups = scheduler_groups(course=course)
    active = {g.id for g in groups}
    names = dict(PresenterGroup.objects.filter(course=course).values_list("pk", "name"))
    found = [
        Drift(int(gid), day, IssueKind.NO_MEMBERS,
              f"{names.get(int(gid), gid)} presents on {day} but has no student left in the course")
        for gid, day in upcoming.items()
        if gid not in active
    ]  # fmt: skip
    checked = [g for g in groups if g.id in upcoming]
    sessions = scheduler_sessions(course=course)
    on_schedule = {gid: day for gid, day in upcoming.items() if gid in active}
    for violation in scheduling.check(sessions, checked, on_schedule):
        kind = _DRIFT_KINDS.get(violation.code, IssueKind.OTHER)
        for gid in violation.group_ids:
            found.append(Drift(int(gid), violation.date, kind, violation.message))
    return found


def issue_list(*, course: Course) -> QuerySet[ScheduleIssue]:
    """The course's open schedule issues (needing a staff decision), oldest first."""
    return ScheduleIssue.objects.filter(course=course, resolved_at__isnull=True).select_related(
        "group"
    )


def presentation_dates(*, course: Course) -> set[dt.date]:
    """The class dates with presentations (the class meets and is no guest lecture)."""
    return {s.date for s in course_sessions(course=course) if s.meets and s.has_presentations}


def group_awaiting_date(*, group: PresenterGroup) -> bool:
    """Whether the group lost its date and has no new one yet: an open "needs a decision"
    issue, or a published date that has no class or no presentations any more."""
    waiting = ScheduleIssue.objects.filter(
        group=group, kind=IssueKind.UNPLACED, resolved_at__isnull=True
    )
    if waiting.exists():
        return True
    day = group_published_date(group=group)
    return day is not None and day not in presentation_dates(course=group.course)
