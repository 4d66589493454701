"""Writes of the presentations app: groups, schedules (generate, adjust, publish, repair),
swaps, slides and calendar feeds. Only these functions change its rows."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from courses.models import Course, Membership, Role
from courses.selectors import course_sessions
from presentations import scheduling
from presentations.models import (
    CalendarFeed,
    ChangeKind,
    GroupMember,
    PresentationSchedule,
    PresenterGroup,
    ScheduleChange,
    ScheduleStatus,
    Slot,
    SwapRequest,
    SwapStatus,
)
from presentations.selectors import (
    group_list,
    group_member_ids,
    schedule_published,
    scheduler_group,
    scheduler_sessions,
)

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"


# --- groups ------------------------------------------------------------------------------------


def _check_group(
    *,
    course: Course,
    group: PresenterGroup | None,
    members: list[Any],
    preferences: list[dt.date],
    unavailable: list[dt.date],
    fixed_date: dt.date | None,
) -> None:
    if not members:
        raise ValidationError({"members": "a group needs at least one student"})
    if len({m.pk for m in members}) != len(members):
        raise ValidationError({"members": "a student is listed twice"})
    students = set(
        Membership.objects.filter(
            course=course, role=Role.STUDENT, is_active=True, user__in=members
        ).values_list("user_id", flat=True)
    )
    outsiders = [m.username for m in members if m.pk not in students]
    if outsiders:
        raise ValidationError({"members": f"not students of this course: {', '.join(outsiders)}"})
    taken = GroupMember.objects.filter(course=course, user__in=members)
    if group is not None:
        taken = taken.exclude(group=group)
    busy = sorted(taken.values_list("user__username", flat=True))
    if busy:
        raise ValidationError({"members": f"already in another group: {', '.join(busy)}"})
    seats = course.presenters_per_class
    if len(members) > seats:
        too_many = f"a group of {len(members)} is larger than the {seats} presenters per class"
        raise ValidationError({"members": too_many})
    sessions = {s.date: s for s in course_sessions(course=course)}
    day: dt.date | None  # of `unavailable`, then of the preferences and the fixed date (or None)
    for day in unavailable:
        if not course.first_day <= day <= course.last_day:
            term = f"{course.first_day} to {course.last_day}"
            raise ValidationError({"unavailable": f"{day} is outside the term ({term})"})
    if len(set(preferences)) != len(preferences):
        raise ValidationError({"preferences": "a date is ranked twice"})
    for field_name, days in (("preferences", preferences), ("fixed_date", [fixed_date])):
        for day in days:
            if day is None:
                continue
            session = sessions.get(day)
            if session is None or not session.has_presentations:
                why = session.label if session else "not a class day"
                raise ValidationError({field_name: f"{day} has no student presentations ({why})"})


@transaction.atomic
def group_create(
    *,
    course: Course,
    name: str,
    members: list[Any],
    preferences: Iterable[dt.date] = (),
    unavailable: Iterable[dt.date] = (),
    topic: str = "",
    fixed_date: dt.date | None = None,
) -> PresenterGroup:
    preferences, unavailable = list(preferences), sorted(set(unavailable))
    _check_group(
        course=course,
        group=None,
        members=members,
        preferences=preferences,
        unavailable=unavailable,
        fixed_date=fixed_date,
    )
    if PresenterGroup.objects.filter(course=course, name=name).exists():
        raise ValidationError({"name": f"a group named {name!r} exists already"})
    group = PresenterGroup(
        course=course,
        name=name,
        topic=topic,
        fixed_date=fixed_date,
        preferences=[d.isoformat() for d in preferences],
        unavailable=[d.isoformat() for d in unavailable],
    )
    group.full_clean()
    group.save()
    try:
        GroupMember.objects.bulk_create(
            GroupMember(group=group, course=course, user=member) for member in members
        )
    except IntegrityError:
        raise ValidationError({"members": "a student joined another group meanwhile"}) from None
    return group


@transaction.atomic
def group_update(*, group: PresenterGroup, **fields: Any) -> PresenterGroup:
    allowed = {"name", "members", "preferences", "unavailable", "topic", "fixed_date"}
    if set(fields) - allowed:
        raise TypeError(f"unknown group fields: {sorted(set(fields) - allowed)}")
    members = fields.pop("members", None)
    current_members = [m.user for m in group.members.select_related("user")]
    preferences = list(fields.get("preferences", _dates(group.preferences)))
    unavailable = sorted(set(fields.get("unavailable", _dates(group.unavailable))))
    fixed_date = fields.get("fixed_date", group.fixed_date)
    _check_group(
        course=group.course,
        group=group,
        members=members if members is not None else current_members,
        preferences=preferences,
        unavailable=unavailable,
        fixed_date=fixed_date,
    )
    if "name" in fields and fields["name"] != group.name:
        if PresenterGroup.objects.filter(course=group.course, name=fields["name"]).exists():
            raise ValidationError({"name": f"a group named {fields['name']!r} exists already"})
        group.name = fields["name"]
    group.topic = fields.get("topic", group.topic)
    group.fixed_date = fixed_date
    group.preferences = [d.isoformat() for d in preferences]
    group.unavailable = [d.isoformat() for d in unavailable]
    group.full_clean()
    group.save()
    if members is not None:
        group.members.all().delete()
        GroupMember.objects.bulk_create(
            GroupMember(group=group, course=group.course, user=member) for member in members
        )
    return group


def group_delete(*, group: PresenterGroup) -> None:
    if Slot.objects.filter(group=group, schedule__status=ScheduleStatus.PUBLISHED).exists():
        raise ValidationError({"group": "the group is on the published schedule"})
    group.delete()


def _dates(values: list[str]) -> list[dt.date]:
    return [dt.date.fromisoformat(value) for value in values]


# --- schedules ---------------------------------------------------------------------------------


def _log(
    course: Course,
    kind: ChangeKind,
    message: str,
    *,
    schedule: PresentationSchedule | None,
    actor: User | None,
    moves: list[dict[str, str]] | None = None,
) -> ScheduleChange:
    return ScheduleChange.objects.create(
        course=course,
        schedule=schedule,
        kind=kind,
        message=message[:500],
        moves=moves or [],
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def _new_schedule(
    course: Course,
    placements: Mapping[str, dt.date],
    costs: Mapping[str, tuple[int, int | None]],
    *,
    status: ScheduleStatus,
    actor: User | None,
) -> PresentationSchedule:
    version = (
        PresentationSchedule.objects.filter(course=course).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    schedule = PresentationSchedule.objects.create(
        course=course,
        version=version,
        status=status,
        total_cost=sum(cost for cost, _ in costs.values()),
        created_by=actor if actor is not None and actor.is_authenticated else None,
        published_at=timezone.now() if status == ScheduleStatus.PUBLISHED else None,
    )
    _write_slots(schedule, placements, costs)
    return schedule


def _write_slots(
    schedule: PresentationSchedule,
    placements: Mapping[str, dt.date],
    costs: Mapping[str, tuple[int, int | None]],
) -> None:
    schedule.slots.all().delete()
    order: dict[dt.date, int] = {}
    slots = []
    for group_id, day in sorted(placements.items(), key=lambda item: (item[1], int(item[0]))):
        order[day] = order.get(day, 0) + 1
        cost, choice = costs.get(group_id, (0, None))
        slots.append(
            Slot(
                schedule=schedule,
                group_id=int(group_id),
                date=day,
                order=order[day],
                cost=cost,
                choice=choice,
            )
        )
    Slot.objects.bulk_create(slots)


def _infeasible(error: scheduling.ScheduleInfeasible) -> ValidationError:
    return ValidationError({"schedule": [reason.message for reason in error.reasons]})


def _costs(
    schedule: scheduling.Schedule,
) -> dict[str, tuple[int, int | None]]:
    return {a.group_id: (a.cost, a.choice) for a in schedule.assignments}


@transaction.atomic
def schedule_generate(*, course: Course, actor: User | None) -> PresentationSchedule:
    """An optimal draft over every presenter group of the course (see presentations.scheduling)."""
    groups = [scheduler_group(g) for g in group_list(course=course)]
    if not groups:
        raise ValidationError({"groups": "there are no presenter groups to schedule yet"})
    try:
        solved = scheduling.solve(scheduler_sessions(course=course), groups)
    except scheduling.ScheduleInfeasible as error:
        raise _infeasible(error) from None
    schedule = _new_schedule(
        course, solved.placements(), _costs(solved), status=ScheduleStatus.DRAFT, actor=actor
    )
    _log(
        course,
        ChangeKind.GENERATED,
        f"Draft v{schedule.version}: {len(groups)} groups placed, preference cost "
        f"{solved.total_cost}",
        schedule=schedule,
        actor=actor,
    )
    return schedule


def _placements(schedule: PresentationSchedule) -> dict[str, dt.date]:
    return {str(slot.group_id): slot.date for slot in schedule.slots.all()}


def _violations(
    course: Course, placements: Mapping[str, dt.date], field: str, *, placed_only: bool = False
) -> None:
    """The hard constraints, over every group of the course or (`placed_only`) over those that
    `placements` places: a group formed after publishing must not block a swap of two others."""
    groups = [scheduler_group(g) for g in group_list(course=course)]
    if placed_only:
        groups = [g for g in groups if g.id in placements]
    problems = scheduling.check(scheduler_sessions(course=course), groups, placements)
    if problems:
        raise ValidationError({field: [problem.message for problem in problems]})


def _scored(course: Course, placements: Mapping[str, dt.date]) -> dict[str, tuple[int, int | None]]:
    """Preference cost and choice of each placement (for hand edits and swaps)."""
    sessions = {s.date: s for s in scheduler_sessions(course=course)}
    groups = [scheduler_group(g) for g in group_list(course=course)]
    # As the solver counts it: a date outside a group's preferences costs the longest list.
    unranked = max((len(g.preferences) for g in groups), default=0)
    scores: dict[str, tuple[int, int | None]] = {}
    for group in groups:
        if group.id in placements:
            rank = group.choice_rank(sessions[placements[group.id]])
            scores[group.id] = (rank, rank + 1) if rank is not None else (unranked, None)
    return scores


@transaction.atomic
def schedule_adjust(
    *,
    schedule: PresentationSchedule,
    placements: Mapping[int, dt.date],
    actor: User | None,
) -> PresentationSchedule:
    """Move groups of a draft by hand; every hard constraint is checked again first."""
    if schedule.status != ScheduleStatus.DRAFT:
        raise ValidationError(
            {"schedule": "only drafts are adjusted by hand; a published schedule changes "
             "through swaps and calendar repairs"}
        )  # fmt: skip
    merged = _placements(schedule)
    merged.update({str(group_id): day for group_id, day in placements.items()})
    _violations(schedule.course, merged, "placements")
    scores = _scored(schedule.course, merged)
    _write_slots(schedule, merged, scores)
    schedule.total_cost = sum(cost for cost, _ in scores.values())
    schedule.save(update_fields=["total_cost"])
    _log(
        schedule.course,
        ChangeKind.ADJUSTED,
        f"Draft v{schedule.version}: {len(placements)} group(s) moved by hand",
        schedule=schedule,
        actor=actor,
    )
    return schedule


def _publish(schedule: PresentationSchedule) -> None:
    PresentationSchedule.objects.filter(
        course=schedule.course, status=ScheduleStatus.PUBLISHED
    ).exclude(pk=schedule.pk).update(status=ScheduleStatus.SUPERSEDED)
    schedule.status = ScheduleStatus.PUBLISHED
    schedule.published_at = timezone.now()
    schedule.save(update_fields=["status", "published_at"])


@transaction.atomic
def schedule_publish(*, schedule: PresentationSchedule, actor: User | None) -> PresentationSchedule:
    # Lock the course's schedules so two publishers cannot both publish.
    list(PresentationSchedule.objects.select_for_update().filter(course=schedule.course))
    schedule.refresh_from_db()
    if schedule.status != ScheduleStatus.DRAFT:
        raise ValidationError(
            {"schedule": f"v{schedule.version} is {schedule.status}, not a draft"}
        )
    _violations(schedule.course, _placements(schedule), "schedule")
    _publish(schedule)
    _log(
        schedule.course,
        ChangeKind.PUBLISHED,
        f"Schedule v{schedule.version} published",
        schedule=schedule,
        actor=actor,
    )
    return schedule


def schedule_repair_after_calendar_change(
    *, course: Course, actor: User | None, description: str
) -> ScheduleChange | None:
    """Move only the groups whose session is gone; everyone else keeps their date.

    Runs after a calendar exception is added, changed or removed (see apps.py). With nothing
    published, or nobody affected, it changes nothing. When the moved groups cannot be placed,
    the calendar change still stands: the log says why and staff are emailed.
    """
    with transaction.atomic():
        published = schedule_published(course=course)
        if published is None:
            return None
        placements = _placements(published)
        groups = [scheduler_group(g) for g in group_list(course=course) if str(g.pk) in placements]
        placements = {g.id: placements[g.id] for g in groups}
        try:
            repaired = scheduling.repair(placements, scheduler_sessions(course=course), groups)
        except scheduling.ScheduleInfeasible as error:
            change = _log(
                course,
                ChangeKind.REPAIRED,
                f"Calendar change ({description}): the schedule could not be repaired: {error}",
                schedule=published,
                actor=actor,
            )
            _notify_staff(course, change.message)
            return change
        if not repaired.moves:
            return None
        names = {str(g.pk): g.name for g in group_list(course=course)}
        schedule = _new_schedule(
            course,
            repaired.schedule.placements(),
            _costs(repaired.schedule),
            status=ScheduleStatus.DRAFT,
            actor=actor,
        )
        _publish(schedule)
        moves = [
            {"group_id": m.group_id, "group": names[m.group_id], "from": m.from_date.isoformat(),
             "to": m.to_date.isoformat()}
            for m in repaired.moves
        ]  # fmt: skip
        change = _log(
            course,
            ChangeKind.REPAIRED,
            f"Calendar change ({description}): {len(moves)} group(s) moved, schedule "
            f"v{schedule.version} published",
            schedule=schedule,
            actor=actor,
            moves=moves,
        )
        transaction.on_commit(lambda: _notify_moved(course, repaired.moves, description))
        return change


def _notify_moved(course: Course, moves: Iterable[scheduling.Move], description: str) -> None:
    for move in moves:
        group = PresenterGroup.objects.filter(pk=int(move.group_id)).first()
        if group is None:
            continue
        emails = [m.user.email for m in group.members.select_related("user") if m.user.email]
        _send(
            subject=f"[{course.code}] Your presentation moved to {move.to_date:%a %b %d}",
            body=(
                f"The course calendar changed ({description}), so {group.name} now presents on "
                f"{move.to_date:%A, %B %d} instead of {move.from_date:%A, %B %d}.\n"
                "Everyone else keeps their date. If the new date does not work for you, "
                "ask another group for a swap on the schedule page."
            ),
            to=emails,
        )


def _notify_staff(course: Course, message: str) -> None:
    staff = Membership.objects.filter(
        course=course, role__in=[Role.TA, Role.INSTRUCTOR], is_active=True
    ).select_related("user")
    emails = [m.user.email for m in staff if m.user.email]
    transaction.on_commit(
        lambda: _send(subject=f"[{course.code}] Schedule needs attention", body=message, to=emails)
    )


def _send(*, subject: str, body: str, to: list[str]) -> None:
    if not to:
        return
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except OSError:
        # The schedule is already saved; a mail server hiccup must not undo it.
        logger.exception("could not send %r to %s", subject, to)


# --- swaps -------------------------------------------------------------------------------------


def _member_of(group: PresenterGroup, user: User) -> bool:
    return user.pk in group_member_ids(group)


@transaction.atomic
def swap_request(
    *, from_group: PresenterGroup, to_group: PresenterGroup, actor: User
) -> SwapRequest:
    if from_group.course_id != to_group.course_id:
        raise ValidationError({"to_group": "the other group is not in this course"})
    if from_group.pk == to_group.pk:
        raise ValidationError({"to_group": "a group cannot swap with itself"})
    if not _member_of(from_group, actor):
        raise ValidationError({"from_group": "you are not a member of this group"})
    published = schedule_published(course=from_group.course)
    placements = _placements(published) if published else {}
    for field, group in (("from_group", from_group), ("to_group", to_group)):
        if str(group.pk) not in placements:
            raise ValidationError({field: f"{group.name} is not on the published schedule"})
    if placements[str(from_group.pk)] == placements[str(to_group.pk)]:
        raise ValidationError({"to_group": "both groups present on the same day already"})
    open_ = SwapRequest.objects.filter(
        from_group=from_group,
        to_group=to_group,
        status__in=[SwapStatus.REQUESTED, SwapStatus.ACCEPTED],
    )
    if open_.exists():
        raise ValidationError({"to_group": "this swap has already been requested"})
    return SwapRequest.objects.create(
        course=from_group.course, from_group=from_group, to_group=to_group, requested_by=actor
    )


def swap_accept(*, swap: SwapRequest, actor: User) -> SwapRequest:
    if swap.status != SwapStatus.REQUESTED:
        raise ValidationError({"status": f"the swap is {swap.get_status_display().lower()}"})
    if not _member_of(swap.to_group, actor):
        raise ValidationError({"swap": "only the other group accepts a swap"})
    updated = SwapRequest.objects.filter(pk=swap.pk, status=SwapStatus.REQUESTED).update(
        status=SwapStatus.ACCEPTED
    )
    if not updated:
        raise ValidationError({"status": "the swap changed meanwhile"})
    swap.refresh_from_db()
    return swap


@transaction.atomic
def swap_approve(*, swap: SwapRequest, actor: User) -> SwapRequest:
    """Staff approve an accepted swap: both groups trade dates in a new published version."""
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.status != SwapStatus.ACCEPTED:
        raise ValidationError({"status": "only a swap the other group accepted can be approved"})
    published = schedule_published(course=swap.course)
    if published is None:
        raise ValidationError({"schedule": "there is no published schedule"})
    placements = _placements(published)
    a, b = str(swap.from_group_id), str(swap.to_group_id)
    if a not in placements or b not in placements:
        raise ValidationError({"schedule": "a group of the swap is no longer on the schedule"})
    placements[a], placements[b] = placements[b], placements[a]
    _violations(swap.course, placements, "swap", placed_only=True)
    schedule = _new_schedule(
        swap.course,
        placements,
        _scored(swap.course, placements),
        status=ScheduleStatus.DRAFT,
        actor=actor,
    )
    _publish(schedule)
    moves = [
        {"group_id": a, "group": swap.from_group.name, "from": placements[b].isoformat(),
         "to": placements[a].isoformat()},
        {"group_id": b, "group": swap.to_group.name, "from": placements[a].isoformat(),
         "to": placements[b].isoformat()},
    ]  # fmt: skip
    _log(
        swap.course,
        ChangeKind.SWAPPED,
        f"{swap.from_group.name} and {swap.to_group.name} swapped; v{schedule.version} published",
        schedule=schedule,
        actor=actor,
        moves=moves,
    )
    swap.status = SwapStatus.APPROVED
    swap.decided_by = actor
    swap.decided_at = timezone.now()
    swap.save(update_fields=["status", "decided_by", "decided_at"])
    return swap


def swap_reject(*, swap: SwapRequest, actor: User, is_staff: bool) -> SwapRequest:
    if swap.status not in {SwapStatus.REQUESTED, SwapStatus.ACCEPTED}:
        raise ValidationError({"status": f"the swap is {swap.get_status_display().lower()}"})
    may = is_staff or _member_of(swap.to_group, actor) or _member_of(swap.from_group, actor)
    if not may:
        raise ValidationError({"swap": "only the two groups and staff decline a swap"})
    swap.status = SwapStatus.REJECTED
    swap.decided_by = actor
    swap.decided_at = timezone.now()
    swap.save(update_fields=["status", "decided_by", "decided_at"])
    return swap


# --- slides ------------------------------------------------------------------------------------


def slides_deadline(*, group: PresenterGroup) -> dt.datetime | None:
    """When slides are due: the course's hours before the start of the group's session."""
    published = schedule_published(course=group.course)
    day = _placements(published).get(str(group.pk)) if published else None
    if day is None:
        return None
    course = group.course
    start = dt.datetime.combine(day, course.meeting_start, tzinfo=ZoneInfo(course.time_zone))
    return start - dt.timedelta(hours=course.slides_due_hours_before)


def _check_slides_window(group: PresenterGroup, field: str, now: dt.datetime) -> None:
    deadline = slides_deadline(group=group)
    if deadline is None:
        raise ValidationError({field: "the group is not on the published schedule yet"})
    if now > deadline:
        raise ValidationError({field: f"slides were due {deadline:%Y-%m-%d %H:%M %Z}"})


def slides_set_link(
    *, group: PresenterGroup, url: str, now: dt.datetime | None = None
) -> PresenterGroup:
    """An https link to Google Slides or a Drive folder; other schemes and hosts are refused."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise ValidationError({"slides_link": "use an https:// link"})
    hosts = settings.SLIDES_LINK_HOSTS
    if (parts.hostname or "").lower() not in hosts:
        raise ValidationError(
            {"slides_link": f"link to Google Slides or Drive ({', '.join(sorted(hosts))})"}
        )
    _check_slides_window(group, "slides_link", now or timezone.now())
    group.slides_link = url
    group.slides_updated_at = now or timezone.now()
    group.save(update_fields=["slides_link", "slides_updated_at"])
    return group


def slides_upload(
    *, group: PresenterGroup, upload: UploadedFile, now: dt.datetime | None = None
) -> PresenterGroup:
    """A PDF (checked by its first bytes, not its name) no larger than SLIDES_MAX_BYTES."""
    limit = settings.SLIDES_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError({"slides_file": f"the file is larger than {limit // 2**20} MB"})
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC or not (upload.name or "").lower().endswith(".pdf"):
        raise ValidationError({"slides_file": "upload a PDF file (.pdf)"})
    _check_slides_window(group, "slides_file", now or timezone.now())
    old = group.slides_file.name if group.slides_file else None
    try:
        group.slides_file.save(f"group-{group.pk}.pdf", upload, save=False)
    except OSError as error:
        # Media folder missing, read-only or full: the group keeps its earlier slides.
        logger.error("could not store the slides of group %s: %s", group.pk, error)
        raise ValidationError(
            {
                "slides_file": "the file could not be saved: the portal's storage is not available "
                "right now; please try again later"
            }
        ) from None
    group.slides_updated_at = now or timezone.now()
    group.save(update_fields=["slides_file", "slides_updated_at"])
    if old and old != group.slides_file.name:
        group.slides_file.storage.delete(old)
    return group


# --- feeds -------------------------------------------------------------------------------------


def calendar_feed_get(*, user: User) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_rotate(*, user: User) -> CalendarFeed:
    """A new private URL; the old one stops working at once."""
    CalendarFeed.objects.filter(user=user).delete()
    return CalendarFeed.objects.create(user=user)
