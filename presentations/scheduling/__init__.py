"""Presenter scheduling: optimal assignment of presenter groups to class sessions, precise
explanations when there is none, and minimal-disruption repair after the calendar changes.

Pure Python (numpy and scipy; no Django). The presentations app converts its models to these
values and back.

    sessions = sessions_from_calendar(derive_sessions(pattern, exceptions), seats=6)
    schedule = solve(sessions, groups)            # or raises ScheduleInfeasible(reasons)
    fixed = repair(schedule.placements(), new_sessions, groups)   # fixed.moves: who moved
    problems = check(sessions, groups, hand_edited_placements)     # () when valid
    kept = reschedule(sessions, groups, published, pinned=given)   # fewest moves off published

Capacity is counted in seats, one per student: a group of two uses two of a session's seats.
"""

from presentations.scheduling.model import (
    Assignment,
    Choice,
    Group,
    InfeasibilityReason,
    Move,
    Option,
    OptionKind,
    ReasonCode,
    Repair,
    Schedule,
    ScheduleInfeasible,
    Session,
    Unplaced,
    Violation,
    ViolationCode,
)
from presentations.scheduling.solver import (
    CalendarSession,
    check,
    options,
    repair,
    reschedule,
    sessions_from_calendar,
    solve,
)

__all__ = [
    "Assignment",
    "CalendarSession",
    "Choice",
    "Group",
    "InfeasibilityReason",
    "Move",
    "Option",
    "OptionKind",
    "ReasonCode",
    "Repair",
    "Schedule",
    "ScheduleInfeasible",
    "Session",
    "Unplaced",
    "Violation",
    "ViolationCode",
    "check",
    "options",
    "repair",
    "reschedule",
    "sessions_from_calendar",
    "solve",
]
