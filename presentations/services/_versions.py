"""What every change to a schedule shares: its placements, the hard-constraint check, the
preference score, a new numbered version with its slots, publishing it in place of the last,
and the line in the change log.

Used by `schedules`, `swaps`, `calendar_repair` and `slides`; views and APIs call those.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from courseportal import caching
from courses.models import Course
from presentations import scheduling
from presentations.models import (
    ChangeKind,
    PresentationSchedule,
    ScheduleChange,
    ScheduleStatus,
    Slot,
)
from presentations.selectors import (
    course_today,
    group_list,
    scheduler_groups,
    scheduler_sessions,
)

# Preference cost and 1-based choice (None: not among the group's preferences) per group id.
Costs = Mapping[str, tuple[int, int | None]]


def change_log_add(
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


def schedule_version_create(
    course: Course,
    placements: Mapping[str, dt.date],
    costs: Costs,
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
    slots_write(schedule, placements, costs)
    return schedule


def slots_write(
    schedule: PresentationSchedule, placements: Mapping[str, dt.date], costs: Costs
) -> None:
    """Replace the schedule's slots: one per placed group, ordered within each day."""
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
    caching.changed(caching.course_scope(schedule.course_id))  # bulk_create sends no signal


def schedule_mark_published(schedule: PresentationSchedule) -> None:
    """Publish `schedule` and supersede the course's earlier published one. The caller holds the
    transaction and has checked the constraints."""
    PresentationSchedule.objects.filter(
        course=schedule.course, status=ScheduleStatus.PUBLISHED
    ).exclude(pk=schedule.pk).update(status=ScheduleStatus.SUPERSEDED)
    caching.changed(caching.course_scope(schedule.course_id))  # update() sends no signal
    schedule.status = ScheduleStatus.PUBLISHED
    schedule.published_at = timezone.now()
    schedule.save(update_fields=["status", "published_at"])


def infeasible_error(error: scheduling.ScheduleInfeasible) -> ValidationError:
    """Each reason, with its cheapest remedies when it has some."""
    return ValidationError(
        {
            "schedule": [
                reason.message
                + (f". Cheapest fixes: {'; or '.join(reason.remedies)}" if reason.remedies else "")
                for reason in error.reasons
            ]
        }
    )


def solver_costs(schedule: scheduling.Schedule) -> dict[str, tuple[int, int | None]]:
    return {a.group_id: (a.cost, a.choice) for a in schedule.assignments}


def schedule_placements(schedule: PresentationSchedule) -> dict[str, dt.date]:
    """The date of each group on the schedule, by the group's id as a string (the solver's)."""
    return {str(slot.group_id): slot.date for slot in schedule.slots.all()}


def placements_check(
    course: Course, placements: Mapping[str, dt.date], field: str, *, placed_only: bool = False
) -> None:
    """The hard constraints, over every group of the course or (`placed_only`) over those that
    `placements` places: a group formed after publishing must not block a swap of two others.
    Raises ValidationError on `field` naming each problem."""
    everyone = scheduler_groups(course=course)
    groups = [g for g in everyone if g.id in placements] if placed_only else everyone
    # A group whose students all left is off the next schedule; it blocks nothing meanwhile.
    empty = {str(g.pk) for g in group_list(course=course)} - {g.id for g in everyone}
    placements = {gid: day for gid, day in placements.items() if gid not in empty}
    problems = scheduling.check(scheduler_sessions(course=course), groups, placements)
    # Presentations already given are history: a rule changed since does not concern them.
    today = course_today(course)
    problems = tuple(p for p in problems if p.date is None or p.date >= today)
    if problems:
        raise ValidationError({field: [problem.message for problem in problems]})


def placements_score(
    course: Course, placements: Mapping[str, dt.date]
) -> dict[str, tuple[int, int | None]]:
    """Preference cost and choice of each placement (for hand edits and swaps)."""
    sessions = {s.date: s for s in scheduler_sessions(course=course)}
    groups = scheduler_groups(course=course)
    # As the solver counts it: a date outside a group's preferences costs the longest list.
    unranked = max((len(g.preferences) for g in groups), default=0)
    scores: dict[str, tuple[int, int | None]] = {}
    for group in groups:
        if group.id in placements:
            session = sessions.get(placements[group.id])
            rank = None if session is None else group.choice_rank(session)
            scores[group.id] = (rank, rank + 1) if rank is not None else (unranked, None)
    return scores
