"""The seed lecture's calendar as pure values: CS 7643, Fall 2017, Tue/Thu 16:30-17:45."""

from __future__ import annotations

import datetime as dt

from courses.academic_calendar import (
    CalendarException,
    ExceptionKind,
    MeetingPattern,
    NoClassReason,
)

D = dt.date
FALL_2017 = MeetingPattern(
    first_day=D(2017, 8, 22),
    last_day=D(2017, 12, 7),
    weekdays=frozenset({1, 3}),
    start=dt.time(16, 30),
    end=dt.time(17, 45),
    time_zone="America/New_York",
)
SEED_EXCEPTIONS = [
    CalendarException(D(2017, 10, 3), ExceptionKind.NO_CLASS, reason=NoClassReason.CANCELLED),
    CalendarException(
        D(2017, 10, 5), ExceptionKind.GUEST_LECTURE, "Guest lecture by Dr. Stefan Lee"
    ),
    CalendarException(D(2017, 10, 10), ExceptionKind.NO_CLASS, "Fall break", NoClassReason.BREAK),
    CalendarException(
        D(2017, 11, 23), ExceptionKind.NO_CLASS, "Thanksgiving", NoClassReason.HOLIDAY
    ),
]
