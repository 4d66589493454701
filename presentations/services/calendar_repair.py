"""After the course calendar changes, move only the groups whose session is gone, publish the
result, and mail the moved groups. A group that no date can take is left off the schedule with
a "needs a decision" issue (its students read "your date is being rescheduled"; staff get
concrete options): the others still move, and nobody is ever shown on a day without class."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction

from courses.models import Course
from courses.signals import CalendarMove
from presentations import scheduling
from presentations.models import ChangeKind, PresentationSchedule, ScheduleChange, ScheduleStatus
from presentations.selectors import (
    DiffRow,
    course_today,
    group_list,
    schedule_published,
    scheduler_groups,
    scheduler_sessions,
)
from presentations.services._versions import (
    schedule_mark_published,
    schedule_placements,
    schedule_version_create,
    solver_costs,
)
from presentations.services.schedule_issues import issues_sync, unplaced_record
from presentations.services.schedules import announce_moves


def _repair_plan(
    course: Course,
) -> tuple[PresentationSchedule, dict[str, dt.date], dict[str, dt.date], scheduling.Repair] | None:
    """The published schedule, all its placements, the upcoming ones and the repair the
    course's calendar, as it is now in the database, calls for; None with nothing published."""
    published = schedule_published(course=course)
    if published is None:
        return None
    everything = schedule_placements(published)
    today = course_today(course)
    groups = [g for g in scheduler_groups(course=course) if g.id in everything]
    placements = {g.id: everything[g.id] for g in groups if everything[g.id] >= today}
    upcoming = [g for g in groups if g.id in placements]
    repaired = scheduling.repair(
        placements, scheduler_sessions(course=course), upcoming, allow_unplaced=True
    )
    return published, everything, placements, repaired


def schedule_repair_preview(*, course: Course) -> list[CalendarMove]:
    """What `schedule_repair_after_calendar_change` would move for the calendar as it is now,
    without changing anything: each moved group with its old and new date, then each group no
    date could take (new date None)."""
    plan = _repair_plan(course)
    if plan is None:
        return []
    repaired = plan[3]
    names = {str(g.pk): g.name for g in group_list(course=course)}
    moves = [CalendarMove(names[m.group_id], m.from_date, m.to_date) for m in repaired.moves]
    unplaced = [
        CalendarMove(names[u.group_id], u.from_date, None)
        for u in repaired.unplaced
        if u.from_date is not None
    ]
    return sorted(moves, key=lambda m: (m.from_date, m.group)) + sorted(
        unplaced, key=lambda m: (m.from_date, m.group)
    )


def schedule_repair_after_calendar_change(
    *, course: Course, actor: User | None, description: str
) -> ScheduleChange | None:
    """Move only the groups whose session is gone; everyone else keeps their date.

    Runs after a calendar exception is added, changed or removed (see apps.py). With nothing
    published, or nobody affected, it changes nothing. Presentations already given stay as they
    are. Groups that cannot be placed are left off the new version, each with an issue for
    staff (see `schedule_issues`); the calendar change stands.
    """
    with transaction.atomic():
        plan = _repair_plan(course)
        if plan is None:
            return None
        _, everything, placements, repaired = plan
        if not repaired.moves and not repaired.unplaced:
            issues_sync(course=course)
            return None
        names = {str(g.pk): g.name for g in group_list(course=course)}
        left = {gid: day for gid, day in everything.items() if gid not in placements}
        new_placements = {**left, **repaired.schedule.placements()}
        costs = {**dict.fromkeys(left, (0, None)), **solver_costs(repaired.schedule)}
        schedule = schedule_version_create(
            course, new_placements, costs, status=ScheduleStatus.DRAFT, actor=actor
        )
        schedule_mark_published(schedule)
        rows = [
            DiffRow(int(m.group_id), names[m.group_id], m.from_date, m.to_date,
                    f"the calendar changed ({description})")
            for m in repaired.moves
        ]  # fmt: skip
        message = (
            f"Calendar change ({description}): {len(rows)} group(s) moved, schedule "
            f"v{schedule.version} published"
        )
        if repaired.unplaced:
            message += (
                f"; {len(repaired.unplaced)} group(s) could not be placed and need a decision"
            )
        change = announce_moves(course, rows, kind=ChangeKind.REPAIRED, message=message,
                                schedule=schedule, actor=actor)  # fmt: skip
        unplaced_record(
            course,
            [(u.group_id, u.from_date) for u in repaired.unplaced],
            why=f"the calendar changed: {description}",
        )
        issues_sync(course=course)
        return change
