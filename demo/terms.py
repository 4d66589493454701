"""The dates of the demo's current term, worked out from today (no Django: a pure core).

The term is named after today's season (Fall: August to December, Spring: January to May,
Summer otherwise) and meets on Tuesdays and Thursdays for 15 weeks. It starts on the season's
usual first Tuesday unless that would leave fewer than five weeks of the term before or after
today; then it is moved so that today has five weeks of classes on either side.

The seed course's pattern is placed around today: a cancelled Tuesday, a guest lecture with no
papers or presentations that Thursday, a break the next Tuesday, presentations resuming that
Thursday; the cancelled class is at least two days past and the resumption at least a day ahead
(a week earlier or later where it would fall on Thanksgiving). A fall term also has Thanksgiving
(the fourth Thursday of November) off when it falls in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

TUESDAY, THURSDAY = 1, 3
TERM_SPAN = dt.timedelta(weeks=15, days=2)  # Tuesday of the first week to Thursday of the 16th
MARGIN = dt.timedelta(weeks=5)

# The season's usual first day: classes start on the first Tuesday on or after it.
SEASON_STARTS = {"Spring": (1, 6), "Summer": (5, 19), "Fall": (8, 18)}


@dataclass(frozen=True)
class TermPlan:
    term: str
    first_day: dt.date
    last_day: dt.date
    cancelled: dt.date  # a Tuesday
    guest_lecture: dt.date  # that Thursday
    break_day: dt.date  # the next Tuesday
    resumes: dt.date  # that Thursday: papers and presentations again
    break_title: str
    thanksgiving: dt.date | None

    @property
    def pattern(self) -> tuple[dt.date, dt.date, dt.date, dt.date]:
        return (self.cancelled, self.guest_lecture, self.break_day, self.resumes)


def season(today: dt.date) -> str:
    if 8 <= today.month <= 12:
        return "Fall"
    if today.month <= 5:
        return "Spring"
    return "Summer"


def weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def weekday_on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def thanksgiving(year: int) -> dt.date:
    """The fourth Thursday of November."""
    return weekday_on_or_after(dt.date(year, 11, 1), THURSDAY) + dt.timedelta(weeks=3)


def _pattern(cancelled: dt.date) -> list[dt.date]:
    return [cancelled + dt.timedelta(days=n) for n in (0, 2, 7, 9)]


def _fits(cancelled: dt.date, holiday: dt.date | None, today: dt.date) -> bool:
    pattern = _pattern(cancelled)
    changes = [*pattern, *([holiday] if holiday else [])]
    return holiday not in pattern and min(changes) < today <= max(changes)


def plan_term(today: dt.date) -> TermPlan:
    name = season(today)
    month, day = SEASON_STARTS[name]
    usual = weekday_on_or_after(dt.date(today.year, month, day), TUESDAY)
    earliest = weekday_on_or_after(today + MARGIN - TERM_SPAN, TUESDAY)
    latest = weekday_on_or_before(today - MARGIN, TUESDAY)
    first_day = min(max(usual, earliest), latest)
    last_day = first_day + TERM_SPAN

    holiday = thanksgiving(today.year) if name == "Fall" else None
    if holiday is not None and not first_day <= holiday <= last_day:
        holiday = None
    usual_cancelled = weekday_on_or_before(today - dt.timedelta(days=2), TUESDAY)
    # Thanksgiving keeps its holiday: the pattern moves a week (either way) off it, as long as
    # some of the term's changes stay in the past and some to come.
    cancelled = next(
        usual_cancelled + dt.timedelta(weeks=weeks)
        for weeks in (0, -1, 1, -2, 2)
        if _fits(usual_cancelled + dt.timedelta(weeks=weeks), holiday, today)
    )
    return TermPlan(
        term=f"{name} {today.year}",
        first_day=first_day,
        last_day=last_day,
        cancelled=cancelled,
        guest_lecture=cancelled + dt.timedelta(days=2),
        break_day=cancelled + dt.timedelta(days=7),
        resumes=cancelled + dt.timedelta(days=9),
        break_title=f"{name} break",
        thanksgiving=holiday,
    )
