"""A course's presentation schedule: a draft the solver generates, adjusted by hand, published.

Once a schedule is published it is a promise: every new draft keeps it as its baseline (a move
costs more than any preference gain; presentations already given and approved swaps never
move), so a regeneration moves only the groups it must. "Start over" solves without the
baseline, after saying how many groups it would move. Publishing records every move in the
change log and mails every student who moves. Afterwards a schedule changes through swaps
(`swaps`), calendar repairs (`calendar_repair`) and staff decisions (`schedule_issues`), each of
which publishes a new version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from courses.models import Course
from presentations import scheduling
from presentations.models import (
    ChangeKind,
    PresentationSchedule,
    PresenterGroup,
    ScheduleChange,
    ScheduleStatus,
    SwapRequest,
    SwapStatus,
)
from presentations.selectors import (
    DiffRow,
    course_today,
    schedule_diff,
    schedule_published,
    scheduler_groups,
    scheduler_sessions,
)
from presentations.services._mail import day_words, mail_group
from presentations.services._versions import (
    change_log_add,
    infeasible_error,
    placements_check,
    placements_score,
    schedule_mark_published,
    schedule_placements,
    schedule_version_create,
    slots_write,
    solver_costs,
)


def schedule_pins(
    course: Course,
    placements: Mapping[str, dt.date],
    sessions: tuple[scheduling.Session, ...],
    groups: list[scheduling.Group],
) -> set[str]:
    """The groups of `placements` that must keep their date: those whose presentation is before
    today (given already), and the two groups of every approved swap while their date is still
    a class with presentations that they can make."""
    today = course_today(course)
    eligible = {s.date for s in sessions if s.eligible}
    by_id = {g.id: g for g in groups}
    pins = {gid for gid, day in placements.items() if day < today and gid in by_id}
    approved = SwapRequest.objects.filter(course=course, status=SwapStatus.APPROVED)
    for pair in approved.values_list("from_group_id", "to_group_id"):
        for gid in map(str, pair):
            day = placements.get(gid)
            if gid in by_id and day in eligible and day not in by_id[gid].unavailable:
                pins.add(gid)
    return pins


def stable_solution(
    course: Course,
    *,
    fresh: bool = False,
    allow_unplaced: bool = False,
    baseline: Mapping[str, dt.date] | None = None,
) -> tuple[scheduling.Repair, dict[str, dt.date]]:
    """The schedule that keeps the published one (or `baseline`) but for the fewest moves, or
    (`fresh`) one solved anew but for the presentations already given. Also returns the given
    presentations of groups that have no active student left, which stay on record as they were.
    Raises ValidationError naming the reasons and the cheapest remedies when there is none."""
    groups = scheduler_groups(course=course)
    if not groups:
        raise ValidationError({"groups": "there are no presenter groups to schedule yet"})
    sessions = scheduler_sessions(course=course)
    if baseline is None:
        published = schedule_published(course=course)
        baseline = schedule_placements(published) if published is not None else {}
    ids = {g.id for g in groups}
    today = course_today(course)
    kept = {gid: day for gid, day in baseline.items() if gid in ids}
    pins = schedule_pins(course, kept, sessions, groups)
    if fresh:
        pins = {gid for gid in pins if kept[gid] < today}
        kept = {gid: kept[gid] for gid in pins}
    given = {gid: day for gid, day in baseline.items() if gid not in ids and day < today}
    try:
        result = scheduling.reschedule(
            sessions,
            groups,
            kept,
            pinned=pins,
            spread=True,
            allow_unplaced=allow_unplaced,
            time_limit=settings.SCHEDULER_TIME_LIMIT_S,
        )
    except scheduling.ScheduleInfeasible as error:
        raise infeasible_error(error) from None
    return result, given


def _placements_and_costs(
    result: scheduling.Repair, given: Mapping[str, dt.date]
) -> tuple[dict[str, dt.date], dict[str, tuple[int, int | None]]]:
    placements = {**result.schedule.placements(), **given}
    costs = {**solver_costs(result.schedule), **dict.fromkeys(given, (0, None))}
    return placements, costs


def start_over_preview(*, course: Course) -> int:
    """How many groups of the published schedule a fresh solve ("start over") would move."""
    published = schedule_published(course=course)
    if published is None:
        return 0
    result, given = stable_solution(course, fresh=True)
    new, _ = _placements_and_costs(result, given)
    return sum(1 for gid, day in schedule_placements(published).items() if new.get(gid) != day)


@transaction.atomic
def schedule_generate(
    *, course: Course, actor: User | None, fresh: bool = False
) -> PresentationSchedule:
    """A draft over every presenter group of the course (see presentations.scheduling): with a
    published schedule, the fewest moves off it, unless `fresh`."""
    result, given = stable_solution(course, fresh=fresh)
    placements, costs = _placements_and_costs(result, given)
    schedule = schedule_version_create(
        course, placements, costs, status=ScheduleStatus.DRAFT, actor=actor
    )
    schedule.optimality_gap = result.schedule.gap
    schedule.fresh = fresh
    schedule.save(update_fields=["optimality_gap", "fresh"])
    published = schedule_published(course=course)
    message = (
        f"Draft v{schedule.version}{' (started over)' if fresh else ''}: "
        f"{len(result.schedule.assignments)} groups placed, preference cost "
        f"{result.schedule.total_cost}"
    )
    if published is not None:
        moving = len(schedule_diff(course=course, old=published, new=schedule, moves_only=True))
        message += f"; {moving} group(s) would move from the published v{published.version}"
    if result.schedule.gap > 0:
        message += (
            f"; the time limit stopped the solver: best schedule found, at most "
            f"{result.schedule.gap:.1%} above the best possible"
        )
    change_log_add(course, ChangeKind.GENERATED, message, schedule=schedule, actor=actor)
    return schedule


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
    # A hand move goes to a day with presentations, past or not: the check below leaves past
    # dates alone (they are history), which a new placement is not.
    sessions = {s.date: s for s in scheduler_sessions(course=schedule.course)}
    closed = sorted({day for day in placements.values() if day not in sessions
                     or not sessions[day].eligible})  # fmt: skip
    if closed:
        raise ValidationError(
            {"placements": [f"{day_words(day)}, {day.year} has no presentations"
                            f" ({sessions[day].label if day in sessions else 'no class'})"
                            for day in closed]}
        )  # fmt: skip
    merged = schedule_placements(schedule)
    merged.update({str(group_id): day for group_id, day in placements.items()})
    placements_check(schedule.course, merged, "placements")
    scores = placements_score(schedule.course, merged)
    slots_write(schedule, merged, scores)
    schedule.total_cost = sum(cost for cost, _ in scores.values())
    schedule.save(update_fields=["total_cost"])
    change_log_add(
        schedule.course,
        ChangeKind.ADJUSTED,
        f"Draft v{schedule.version}: {len(placements)} group(s) moved by hand",
        schedule=schedule,
        actor=actor,
    )
    return schedule


@transaction.atomic
def schedule_publish(*, schedule: PresentationSchedule, actor: User | None) -> PresentationSchedule:
    """Publish a draft in place of the published schedule: every group that moves is in the
    change log, with its old and new date and why, and its students are mailed."""
    # Lock the course's schedules so two publishers cannot both publish.
    list(PresentationSchedule.objects.select_for_update().filter(course=schedule.course))
    schedule.refresh_from_db()
    if schedule.status != ScheduleStatus.DRAFT:
        raise ValidationError(
            {"schedule": f"v{schedule.version} is {schedule.status}, not a draft"}
        )
    course = schedule.course
    placements_check(course, schedule_placements(schedule), "schedule")
    previous = schedule_published(course=course)
    rows = (
        schedule_diff(course=course, old=previous, new=schedule, moves_only=True)
        if previous is not None
        else []
    )
    schedule_mark_published(schedule)
    message = f"Schedule v{schedule.version} published"
    if previous is not None:
        message += f": {len(rows)} group(s) moved" if rows else ": nobody moved"
    announce_moves(course, rows, kind=ChangeKind.PUBLISHED, message=message, schedule=schedule,
                   actor=actor)  # fmt: skip
    return schedule


def announce_moves(
    course: Course,
    rows: list[DiffRow],
    *,
    kind: ChangeKind,
    message: str,
    schedule: PresentationSchedule,
    actor: User | None,
) -> ScheduleChange:
    """The change log line with every move, and a mail to every student who moves."""
    moves = [
        {"group_id": str(row.group_id), "group": row.group, "from": row.from_date.isoformat(),
         "to": row.to_date.isoformat(), "why": row.why}
        for row in rows
        if row.from_date is not None and row.to_date is not None
    ]  # fmt: skip
    change = change_log_add(course, kind, message, schedule=schedule, actor=actor, moves=moves)
    groups = {g.pk: g for g in PresenterGroup.objects.filter(course=course)}
    for row in rows:
        group = groups.get(row.group_id)
        if group is None or row.from_date is None or row.to_date is None:
            continue
        mail_group(
            group,
            subject=f"Your presentation moved to {day_words(row.to_date)}",
            body=(
                f"{group.name} now presents on {day_words(row.to_date)} instead of "
                f"{day_words(row.from_date)}: {row.why}.\n"
                "Your calendar feed shows the new date. If it does not work for you, ask "
                "another group for a swap on the course's presentations page."
            ),
        )
    return change
