"""The term as month grids: each week a row Monday to Sunday, each class date marked with what
happens that day. Pure: it reads :class:`courses.academic_calendar.ClassSession` objects."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from courses.academic_calendar import ClassSession


@dataclass(frozen=True)
class Day:
    date: dt.date
    in_term: bool
    session: ClassSession | None
    today: bool

    @property
    def kind(self) -> str:
        """``class``, ``guest`` (meets, no papers or presentations), ``off`` or ``""``."""
        if self.session is None:
            return ""
        if not self.session.meets:
            return "off"
        return "class" if self.session.has_presentations else "guest"


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    weeks: list[list[Day | None]]  # None: a day of the week outside this month

    @property
    def name(self) -> str:
        return f"{calendar.month_name[self.month]} {self.year}"


def month_grid(
    *, first_day: dt.date, last_day: dt.date, sessions: Iterable[ClassSession], today: dt.date
) -> list[Month]:
    """Every month the term touches, first to last, with its class dates marked."""
    by_date = {s.date: s for s in sessions}
    months = []
    year, month = first_day.year, first_day.month
    while (year, month) <= (last_day.year, last_day.month):
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            weeks.append(
                [
                    Day(d, first_day <= d <= last_day, by_date.get(d), d == today)
                    if d.month == month
                    else None
                    for d in week
                ]
            )
        months.append(Month(year, month, weeks))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
