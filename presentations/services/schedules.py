"""A course's presentation schedule: a draft the solver generates, adjusted by hand, published.

Once published, a schedule changes only through swaps (`swaps`) and calendar repairs
(`calendar_repair`), each of which publishes a new version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from courses.models import Course
from presentations import scheduling
from presentations.models import ChangeKind, PresentationSchedule, ScheduleStatus
from presentations.selectors import group_list, scheduler_group, scheduler_sessions
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


@transaction.atomic
def schedule_generate(*, course: Course, actor: User | None) -> PresentationSchedule:
    """An optimal draft over every presenter group of the course (see presentations.scheduling)."""
    groups = [scheduler_group(g) for g in group_list(course=course)]
    if not groups:
        raise ValidationError({"groups": "there are no presenter groups to schedule yet"})
    try:
        solved = scheduling.solve(scheduler_sessions(course=course), groups)
    except scheduling.ScheduleInfeasible as error:
        raise infeasible_error(error) from None
    schedule = schedule_version_create(
        course, solved.placements(), solver_costs(solved), status=ScheduleStatus.DRAFT, actor=actor
    )
    change_log_add(
        course,
        ChangeKind.GENERATED,
        f"Draft v{schedule.version}: {len(groups)} groups placed, preference cost "
        f"{solved.total_cost}",
        schedule=schedule,
        actor=actor,
    )
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
    # Lock the course's schedules so two publishers cannot both publish.
    list(PresentationSchedule.objects.select_for_update().filter(course=schedule.course))
    schedule.refresh_from_db()
    if schedule.status != ScheduleStatus.DRAFT:
        raise ValidationError(
            {"schedule": f"v{schedule.version} is {schedule.status}, not a draft"}
        )
    placements_check(schedule.course, schedule_placements(schedule), "schedule")
    schedule_mark_published(schedule)
    change_log_add(
        schedule.course,
        ChangeKind.PUBLISHED,
        f"Schedule v{schedule.version} published",
        schedule=schedule,
        actor=actor,
    )
    return schedule
