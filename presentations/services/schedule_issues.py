"""What the published schedule owes staff a decision on, and the decisions.

- Drift: after the calendar, the seats (presenters per class), the memberships or a group's
  unavailable dates change, `issues_sync` checks the published schedule again; each rule it now
  breaks opens an issue (its students and the staff are mailed once), and issues that no longer
  hold close by themselves. `drift_repair` is the one-click minimal repair: the fewest moves that
  make the published schedule keep every rule again, published at once and announced.
- Unplaced groups: a group that lost its date (a cancelled class) and that no date could take
  is left off the schedule with an UNPLACED issue; students see "your date is being
  rescheduled". Staff pick one of the concrete options (`issue_options`): add a seat on a full
  date, use a class date outside the presentation window, or allow a date the group marked
  unavailable; `issue_resolve` applies it and publishes the group's new date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from courses.models import Course
from courses.services import course_update
from courses.signals import CalendarMove
from presentations import scheduling
from presentations.models import (
    ChangeKind,
    ExtraSeats,
    IssueKind,
    PresenterGroup,
    ScheduleIssue,
    ScheduleStatus,
)
from presentations.selectors import (
    course_today,
    schedule_diff,
    schedule_drift,
    schedule_published,
    scheduler_groups,
    scheduler_sessions,
)
from presentations.services._mail import day_words, mail_group, mail_staff
from presentations.services._versions import (
    change_log_add,
    placements_check,
    placements_score,
    schedule_mark_published,
    schedule_placements,
    schedule_version_create,
)
from presentations.services.schedules import announce_moves, stable_solution


def issues_sync(*, course: Course) -> list[ScheduleIssue]:
    """Open an issue for every rule the published schedule breaks now (mailing the students of
    the group and the staff), close the drift issues that no longer hold and the unplaced ones
    whose group has a date again. Returns the issues opened."""
    with transaction.atomic():
        published = schedule_published(course=course)
        placed = set(schedule_placements(published)) if published is not None else set()
        drift = schedule_drift(course=course)
        now = timezone.now()
        open_ = list(ScheduleIssue.objects.select_for_update().filter(
            course=course, resolved_at__isnull=True))  # fmt: skip
        current = {(d.group_id, d.kind, d.date) for d in drift}
        for issue in open_:
            key = (issue.group_id, issue.kind, issue.date)
            if issue.kind == IssueKind.UNPLACED:
                if str(issue.group_id) in placed:
                    issue.resolved_at, issue.resolution = now, "the group has a date again"
                    issue.save(update_fields=["resolved_at", "resolution"])
            elif key not in current:
                issue.resolved_at, issue.resolution = now, "no longer applies"
                issue.save(update_fields=["resolved_at", "resolution"])
        known = {(i.group_id, i.kind, i.date) for i in open_ if i.resolved_at is None}
        opened = []
        groups = {g.pk: g for g in PresenterGroup.objects.filter(course=course)}
        for item in drift:
            if (item.group_id, item.kind, item.date) in known or item.group_id not in groups:
                continue
            known.add((item.group_id, item.kind, item.date))
            issue = ScheduleIssue.objects.create(
                course=course, group_id=item.group_id, kind=item.kind, date=item.date,
                message=item.message[:500],
            )  # fmt: skip
            opened.append(issue)
            group = groups[item.group_id]
            when = day_words(item.date) if item.date else "your date"
            mail_group(
                group,
                subject="Your presentation date needs a change",
                body=(
                    f"Something changed since the schedule was published, and {group.name}'s "
                    f"presentation on {when} no longer fits: {IssueKind(item.kind).label.lower()}."
                    "\nThe course staff will choose a new date with as few changes as possible; "
                    "you will get a message when it is set."
                ),
            )
        if opened:
            lines = "\n".join(f"- {issue.group.name}: {issue.message}" for issue in opened)
            mail_staff(
                course,
                subject="The published schedule needs attention",
                body=f"The published schedule breaks these rules now:\n{lines}\n"
                "The scheduling page offers a repair that moves as few groups as possible.",
            )
        return opened


def drift_repair_preview(*, course: Course) -> list[CalendarMove]:
    """What `drift_repair` would do now, without changing anything: each group it would move
    (old and new date), then each group no date could take (new date None). Raises
    ValidationError as the repair does."""
    published = schedule_published(course=course)
    if published is None:
        raise ValidationError({"schedule": "there is no published schedule to repair"})
    result, given = stable_solution(course, allow_unplaced=True)
    placements = {**result.schedule.placements(), **given}
    before = schedule_placements(published)
    names = {str(g.pk): g.name for g in PresenterGroup.objects.filter(course=course)}
    moved = [
        CalendarMove(names[gid], day, placements[gid])
        for gid, day in before.items()
        if gid in placements and placements[gid] != day
    ]
    unplaced = [
        CalendarMove(names[u.group_id], before[u.group_id], None)
        for u in result.unplaced
        if u.group_id in before
    ]
    return sorted(moved, key=lambda m: (m.from_date, m.group)) + sorted(
        unplaced, key=lambda m: (m.from_date, m.group)
    )


@transaction.atomic
def drift_repair(*, course: Course, actor: User | None) -> int:
    """Publish the fewest moves that make the published schedule keep every rule again (groups
    already presented and approved swaps stay); groups no date can take are left off it with an
    UNPLACED issue. Returns the number of groups moved."""
    published = schedule_published(course=course)
    if published is None:
        raise ValidationError({"schedule": "there is no published schedule to repair"})
    result, given = stable_solution(course, allow_unplaced=True)
    placements = {**result.schedule.placements(), **given}
    before = schedule_placements(published)
    schedule = schedule_version_create(
        course, placements, placements_score(course, placements), status=ScheduleStatus.DRAFT,
        actor=actor,
    )  # fmt: skip
    schedule_mark_published(schedule)
    rows = schedule_diff(course=course, old=published, new=schedule, moves_only=True)
    message = f"Repair: {len(rows)} group(s) moved, schedule v{schedule.version} published"
    if result.unplaced:
        message += f"; {len(result.unplaced)} group(s) need a decision"
    announce_moves(course, rows, kind=ChangeKind.REPAIRED, message=message, schedule=schedule,
                   actor=actor)  # fmt: skip
    unplaced_record(course, [(u.group_id, before.get(u.group_id)) for u in result.unplaced],
                    why="the schedule was repaired")  # fmt: skip
    issues_sync(course=course)
    return len(rows)


def unplaced_record(
    course: Course, unplaced: Iterable[tuple[str, dt.date | None]], *, why: str
) -> None:
    """Open an UNPLACED issue for each group left without a date; mail its students ("your date
    is being rescheduled") and the staff (with the options)."""
    groups = {str(g.pk): g for g in PresenterGroup.objects.filter(course=course)}
    lines = []
    for gid, lost in unplaced:
        group = groups[gid]
        if ScheduleIssue.objects.filter(
            group=group, kind=IssueKind.UNPLACED, resolved_at__isnull=True
        ).exists():
            continue
        lost_words = day_words(lost) if lost else "its date"
        ScheduleIssue.objects.create(
            course=course, group=group, kind=IssueKind.UNPLACED, date=lost,
            message=f"{group.name} lost {lost_words} ({why}) and no date has room for it",
        )  # fmt: skip
        lines.append(f"- {group.name} (was on {lost_words})")
        mail_group(
            group,
            subject="Your presentation date is being rescheduled",
            body=(
                f"{group.name}'s presentation on {lost_words} cannot take place ({why}), and no "
                "other date has room yet. The course staff are choosing a new date; you will "
                "get a message as soon as it is set."
            ),
        )
    if lines:
        mail_staff(
            course,
            subject="Groups need a new presentation date",
            body="No date has room for these groups:\n"
            + "\n".join(lines)
            + "\nThe scheduling page lists concrete options for each.",
        )


def extra_seats_add(*, course: Course, date: dt.date, seats: int) -> ExtraSeats:
    """`seats` more seats on `date` than the course's presenters per class."""
    if seats < 1:
        raise ValidationError({"seats": "add at least one seat"})
    extra, _ = ExtraSeats.objects.get_or_create(course=course, date=date, defaults={"seats": 0})
    ExtraSeats.objects.filter(pk=extra.pk).update(seats=F("seats") + seats)
    extra.refresh_from_db()
    return extra


def issue_options(issue: ScheduleIssue) -> tuple[scheduling.Option, ...]:
    """The concrete ways to give an unplaced group a date, nearest to the date it lost."""
    published = schedule_published(course=issue.course)
    placements = schedule_placements(published) if published is not None else {}
    groups = scheduler_groups(course=issue.course)
    if str(issue.group_id) not in {g.id for g in groups}:
        return ()
    today = course_today(issue.course)
    found = scheduling.options(
        scheduler_sessions(course=issue.course), groups, placements, str(issue.group_id),
        near=issue.date or today,
    )  # fmt: skip
    return tuple(option for option in found if option.date >= today)


@transaction.atomic
def issue_resolve(
    *, issue: ScheduleIssue, kind: str, date: dt.date, actor: User | None
) -> ScheduleIssue:
    """Apply one of `issue_options`: add the seats, open the date outside the window, or allow
    the unavailable date; then publish the group's new date and tell its students."""
    issue = (
        ScheduleIssue.objects.select_for_update().select_related("course", "group").get(pk=issue.pk)
    )
    if issue.resolved_at is not None or issue.kind != IssueKind.UNPLACED:
        raise ValidationError({"issue": "this decision has been taken already"})
    chosen = next((o for o in issue_options(issue) if o.kind == kind and o.date == date), None)
    if chosen is None:
        raise ValidationError(
            {"option": "that option is not possible now; choose one of the options listed"}
        )
    course, group = issue.course, issue.group
    if chosen.kind == scheduling.OptionKind.ADD_SEAT:
        extra_seats_add(course=course, date=date, seats=chosen.seats)
    elif chosen.kind == scheduling.OptionKind.USE_DATE:
        start, end = course.presentations_start, course.presentations_end
        course_update(
            course=course,
            presentations_start=min(start, date) if start else None,
            presentations_end=max(end, date) if end else None,
        )
    else:
        group.unavailable = [d for d in group.unavailable if d != date.isoformat()]
        group.save(update_fields=["unavailable"])
    published = schedule_published(course=course)
    placements = schedule_placements(published) if published is not None else {}
    placements[str(group.pk)] = date
    placements_check(course, placements, "option", placed_only=True)
    schedule = schedule_version_create(
        course, placements, placements_score(course, placements), status=ScheduleStatus.DRAFT,
        actor=actor,
    )  # fmt: skip
    schedule_mark_published(schedule)
    issue.resolved_at = timezone.now()
    issue.resolved_by = actor if actor is not None and actor.is_authenticated else None
    issue.resolution = chosen.message
    issue.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    moves = []
    if issue.date is not None:
        moves = [{"group_id": str(group.pk), "group": group.name, "from": issue.date.isoformat(),
                  "to": date.isoformat(), "why": chosen.message}]  # fmt: skip
    change_log_add(
        course,
        ChangeKind.REPAIRED,
        f"{group.name} placed on {date} ({chosen.message}); v{schedule.version} published",
        schedule=schedule,
        actor=actor,
        moves=moves,
    )
    mail_group(
        group,
        subject=f"Your presentation is on {day_words(date)}",
        body=f"{group.name} now presents on {day_words(date)}. Your calendar feed shows it.",
    )
    issues_sync(course=course)
    return issue
