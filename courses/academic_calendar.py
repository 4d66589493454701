"""The academic calendar: class sessions derived from a weekly pattern minus exceptions.

Pure Python (no Django imports): plain values in, plain values out. The portal's models convert
to these types in `courses.selectors`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAY_ALIASES = {
    **{name.lower(): i for i, name in enumerate(WEEKDAY_NAMES)},
    **{
        full: i
        for i, full in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    "tues": 1,
    "thur": 3,
    "thurs": 3,
}


def is_time_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone known to this system ("America/New_York")."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class ExceptionKind(StrEnum):
    NO_CLASS = "no_class"
    GUEST_LECTURE = "guest_lecture"


class NoClassReason(StrEnum):
    HOLIDAY = "holiday"
    BREAK = "break"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class CalendarException:
    """A change to the weekly pattern on one date.

    `no_class`: no class at all (holiday, break, cancelled). `guest_lecture`: the class meets,
    but there are no papers to read and no student presentations.
    """

    date: dt.date
    kind: ExceptionKind
    title: str = ""
    reason: NoClassReason | None = None

    @property
    def label(self) -> str:
        if self.kind is ExceptionKind.GUEST_LECTURE:
            return "Guest lecture — no papers, no presentations"
        detail = self.title or (self.reason.value.capitalize() if self.reason else "Cancelled")
        return f"No class — {detail}"


@dataclass(frozen=True)
class MeetingPattern:
    """When a course meets: weekdays (Monday is 0) at one time of day, within the term."""

    first_day: dt.date
    last_day: dt.date
    weekdays: frozenset[int]
    start: dt.time
    end: dt.time
    time_zone: str

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError(f"last_day: {self.last_day} is before first_day {self.first_day}")
        if not self.weekdays:
            raise ValueError("weekdays: a course must meet on at least one weekday")
        if any(day not in range(7) for day in self.weekdays):
            raise ValueError("weekdays: each weekday must be 0 (Monday) to 6 (Sunday)")
        if self.end <= self.start:
            raise ValueError(f"end: {self.end} is not after start {self.start}")
        ZoneInfo(self.time_zone)  # raises for an unknown zone

    def describe_weekdays(self) -> str:
        return ", ".join(WEEKDAY_NAMES[d] for d in sorted(self.weekdays))


@dataclass(frozen=True)
class ClassSession:
    """One scheduled class date, whether or not the class ends up meeting."""

    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    meets: bool
    has_papers: bool
    has_presentations: bool
    exception: CalendarException | None = None
    number: int | None = None  # 1, 2, ... over the sessions that meet; None when no class

    @property
    def label(self) -> str:
        if self.exception is not None:
            return self.exception.label
        return "Class — paper reading and student presentations"


def parse_weekdays(value: Sequence[str | int]) -> frozenset[int]:
    """Read a weekday list such as ["Tue", "Thu"] or [1, 3] (Monday is 0).

    Raises ValueError naming the bad item; duplicates and an empty list are errors too.
    """
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError('expected a list of weekdays such as ["Tue", "Thu"]')
    if not value:
        raise ValueError("a course must meet on at least one weekday")
    days: list[int] = []
    for item in value:
        if isinstance(item, bool):
            raise ValueError(f"{item!r} is not a weekday")
        if isinstance(item, int):
            if item not in range(7):
                raise ValueError(f"{item} is not a weekday number (0 = Monday ... 6 = Sunday)")
            days.append(item)
        elif isinstance(item, str) and item.strip().lower() in _WEEKDAY_ALIASES:
            days.append(_WEEKDAY_ALIASES[item.strip().lower()])
        else:
            raise ValueError(f"{item!r} is not a weekday (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)")
    if len(set(days)) != len(days):
        raise ValueError("a weekday is listed twice")
    return frozenset(days)


def check_exception(pattern: MeetingPattern, exception: CalendarException) -> None:
    """Raise ValueError unless the exception falls on a class day of the term."""
    if not pattern.first_day <= exception.date <= pattern.last_day:
        raise ValueError(
            f"{exception.date} is outside the term ({pattern.first_day} to {pattern.last_day})"
        )
    if exception.date.weekday() not in pattern.weekdays:
        raise ValueError(
            f"{exception.date} is a {WEEKDAY_NAMES[exception.date.weekday()]}; "
            f"the course meets on {pattern.describe_weekdays()}"
        )


def derive_sessions(
    pattern: MeetingPattern, exceptions: Iterable[CalendarException] = ()
) -> list[ClassSession]:
    """Every class date of the term in order, with its flags.

    Exceptions on dates that are not class days (for example left over after the meeting days
    changed) have nothing to cancel and are ignored.
    """
    by_date = {exception.date: exception for exception in exceptions}
    zone = ZoneInfo(pattern.time_zone)
    sessions: list[ClassSession] = []
    number = 0
    day = pattern.first_day
    while day <= pattern.last_day:
        if day.weekday() in pattern.weekdays:
            exception = by_date.get(day)
            kind = exception.kind if exception else None
            meets = kind is not ExceptionKind.NO_CLASS
            regular = kind is None
            if meets:
                number += 1
            sessions.append(
                ClassSession(
                    date=day,
                    starts_at=dt.datetime.combine(day, pattern.start, tzinfo=zone),
                    ends_at=dt.datetime.combine(day, pattern.end, tzinfo=zone),
                    meets=meets,
                    has_papers=regular,
                    has_presentations=regular,
                    exception=exception,
                    number=number if meets else None,
                )
            )
        day += dt.timedelta(days=1)
    return sessions


def first_presentation_session_after(
    sessions: Iterable[ClassSession], day: dt.date
) -> ClassSession | None:
    """The first session strictly after `day` with paper reading and student presentations."""
    return next((s for s in sessions if s.date > day and s.has_presentations), None)
