"""VTIMEZONE components written the way calendar apps expect: yearly RRULEs, not a list of dates.

`icalendar.Timezone.from_tzinfo` lists every daylight-saving change as an RDATE. RFC 5545 allows
that, but some readers (vobject, classic Outlook) apply only the first date of each observance
and so read later class times an hour off. This module reads the zone's changes from the IANA
database (zoneinfo) over the years a feed spans and writes each run of years that follows one
rule (e.g. "second Sunday of March at 02:00") as one observance with
`RRULE:FREQ=YEARLY;BYMONTH=..;BYDAY=..`. A change that follows no yearly rule is written on its
own, so the result is exact for every year in the span whatever the zone does.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class _Change:
    """One change of a zone's offset (or of its name or daylight flag)."""

    at_utc: dt.datetime
    offset_from: dt.timedelta
    offset_to: dt.timedelta
    daylight: bool
    name: str

    @property
    def local(self) -> dt.datetime:
        """The wall-clock time of the change, before it (an observance's DTSTART)."""
        return (self.at_utc + self.offset_from).replace(tzinfo=None)

    @property
    def observance(self) -> tuple[dt.timedelta, dt.timedelta, bool, str]:
        return (self.offset_from, self.offset_to, self.daylight, self.name)

    def ordinals(self) -> frozenset[int]:
        """Which BYDAY ordinals name the change's day in its month: 1..5 from the start, -1 for
        the last such weekday."""
        day = self.local.day
        found = {(day - 1) // 7 + 1}
        if day + 7 > month_calendar.monthrange(self.local.year, self.local.month)[1]:
            found.add(-1)
        return frozenset(found)

    def rule_key(self) -> tuple[int, int, dt.time]:
        local = self.local
        return (local.month, local.weekday(), local.time())


def _state(zone: ZoneInfo, at: dt.datetime) -> tuple[dt.timedelta, bool, str]:
    local = at.astimezone(zone)
    offset = local.utcoffset() or dt.timedelta()
    return (offset, bool(local.dst()), local.tzname() or "")


@lru_cache(maxsize=64)
def _changes(tzid: str, first_year: int, last_year: int) -> tuple[tuple[_Change, ...], tuple]:
    """The zone's changes from the start of first_year to the end of last_year, and its state at
    the start."""
    zone = ZoneInfo(tzid)
    start = dt.datetime(first_year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=dt.UTC)
    initial = _state(zone, start)
    changes: list[_Change] = []
    at, state = start, initial
    step = dt.timedelta(hours=6)
    while at < end:
        nxt = at + step
        nxt_state = _state(zone, nxt)
        if nxt_state != state:
            low, high = at, nxt  # state(low) == state, state(high) != state
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle <= low:
                    break
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            changes.append(
                _Change(
                    at_utc=high,
                    offset_from=state[0],
                    offset_to=nxt_state[0],
                    daylight=nxt_state[1],
                    name=nxt_state[2],
                )
            )
            state = nxt_state
        at = nxt
    return tuple(changes), initial


def _runs(changes: tuple[_Change, ...]) -> list[tuple[list[_Change], frozenset[int]]]:
    """Changes split into runs that one yearly rule describes: the same observance, one change
    a year in consecutive years, on the same month, weekday, ordinal and wall-clock time."""
    runs: list[tuple[list[_Change], frozenset[int]]] = []
    open_runs: dict[tuple, int] = {}  # observance -> index of its latest run
    for change in changes:
        index = open_runs.get(change.observance)
        if index is not None:
            members, ordinals = runs[index]
            last = members[-1]
            common = ordinals & change.ordinals()
            if (
                change.local.year == last.local.year + 1
                and change.rule_key() == last.rule_key()
                and common
            ):
                members.append(change)
                runs[index] = (members, common)
                continue
        runs.append(([change], change.ordinals()))
        open_runs[change.observance] = len(runs) - 1
    return runs


def vtimezone(tzid: str, first: dt.date, last: dt.date) -> icalendar.Timezone:
    """A VTIMEZONE for tzid, exact for every date from first to last (a year of margin either
    side), each regular change written as a yearly RRULE."""
    first_year, last_year = first.year - 1, last.year + 1
    changes, (offset, daylight, name) = _changes(tzid, first_year, last_year)
    timezone = icalendar.Timezone()
    timezone.add("tzid", tzid)
    if not changes or changes[0].local.year > first_year:
        # The offset in force before the first change of the span (or all along).
        observance = icalendar.TimezoneDaylight() if daylight else icalendar.TimezoneStandard()
        observance.add("dtstart", dt.datetime(first_year, 1, 1))  # noqa: DTZ001 - local time
        observance.add("tzoffsetfrom", offset)
        observance.add("tzoffsetto", offset)
        if name:
            observance.add("tzname", name)
        timezone.add_component(observance)
    for members, ordinals in _runs(changes):
        head = members[0]
        observance = icalendar.TimezoneDaylight() if head.daylight else icalendar.TimezoneStandard()
        observance.add("dtstart", head.local)
        observance.add("tzoffsetfrom", head.offset_from)
        observance.add("tzoffsetto", head.offset_to)
        if head.name:
            observance.add("tzname", head.name)
        reaches_end = members[-1].local.year == last_year
        if len(members) > 1 or reaches_end:
            # Prefer "last Sunday" (-1) where it fits every year: it is how such rules are made.
            ordinal = -1 if -1 in ordinals else min(ordinals)
            rule: dict[str, object] = {
                "freq": "YEARLY",
                "bymonth": head.local.month,
                "byday": f"{ordinal}{_WEEKDAYS[head.local.weekday()]}",
            }
            if not reaches_end:
                # A day after the last change, not at it: some readers (icalendar's own) take
                # an UNTIL in UTC for wall-clock time and would drop a last change east of UTC.
                rule["until"] = members[-1].at_utc + dt.timedelta(days=1)
            observance.add("rrule", rule)
        timezone.add_component(observance)
    return timezone
