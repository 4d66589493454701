"""iCalendar (RFC 5545) feeds: class sessions, calendar exceptions and presentations.

A feed is first reduced to plain values (`FeedEvent`s), then rendered. Calendar apps poll feeds
often and rendering with `icalendar` costs far more than reading the rows, so a rendered feed is
kept in the cache under a digest of everything it is rendered from: any change to a session,
an exception, a slot or a group name gives another key, and nothing stale is ever served.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import icalendar
from django.conf import settings
from django.core.cache import cache

from courses.models import Course
from presentations.ical_timezone import vtimezone
from presentations.selectors import ScheduleDay

PRODID = "-//courseportal//presentations//EN"
# Rendered feeds are found again only under the same digest; the timeout just frees memory.
CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class FeedEvent:
    """One VEVENT: a timed event, or an all-day transparent marker when `start` is a date."""

    uid: str
    summary: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    description: str = ""
    transparent: bool = False


@dataclass(frozen=True)
class Feed:
    name: str
    time_zone: str
    events: tuple[FeedEvent, ...]

    @property
    def digest(self) -> str:
        # repr() of frozen dataclasses of str, date and aware datetime values (zone names
        # included) is a complete description of the feed.
        return hashlib.sha256(f"{PRODID}\n{self!r}".encode()).hexdigest()


def _uid(course: Course, day: dt.date, kind: str) -> str:
    # Under the site's own domain, so that two installations' events never share a UID.
    return f"{course.pk}-{day.isoformat()}-{kind}@{settings.COURSEPORTAL_CALENDAR_DOMAIN}"


def _session_event(course: Course, day: ScheduleDay) -> FeedEvent:
    session = day.session
    uid = _uid(course, session.date, "session")
    if not session.meets:
        return FeedEvent(
            uid=uid,
            summary=f"{course.code}: {session.label}",
            start=session.date,
            end=session.date + dt.timedelta(days=1),
            transparent=True,
        )
    exception = session.exception
    title = exception.title if exception and exception.title else course.title
    lines = [session.label]
    if day.slots:
        lines.append("Presenters: " + ", ".join(slot.group.name for slot in day.slots))
    return FeedEvent(
        uid=uid,
        summary=f"{course.code}: {title}",
        start=session.starts_at,
        end=session.ends_at,
        description="\n".join(lines),
    )


def course_events(
    course: Course, days: Iterable[ScheduleDay], *, own_group_id: int | None
) -> list[FeedEvent]:
    """The course's sessions (with presenters), plus the viewer's own talk."""
    events = []
    for day in days:
        events.append(_session_event(course, day))
        for slot in day.slots:
            if slot.group_id != own_group_id:
                continue
            events.append(
                FeedEvent(
                    uid=_uid(course, day.session.date, f"talk-{slot.group_id}"),
                    summary=f"{course.code}: you present ({slot.group.name})",
                    start=day.session.starts_at,
                    end=day.session.ends_at,
                )
            )
    return events


def course_feed(course: Course, days: Iterable[ScheduleDay], *, own_group_id: int | None) -> Feed:
    return Feed(
        name=f"{course.code} {course.term}",
        time_zone=course.time_zone,
        events=tuple(course_events(course, days, own_group_id=own_group_id)),
    )


def _render(feed: Feed, now: dt.datetime) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", feed.name)
    if feed.time_zone:
        calendar.add("x-wr-timezone", feed.time_zone)
    for spec in feed.events:
        event = icalendar.Event()
        event.add("uid", spec.uid)
        # DTSTAMP of a feed without METHOD: when the information was last revised, which is
        # when this content was first rendered (RFC 5545, 3.8.7.2).
        event.add("dtstamp", now)
        event.add("summary", spec.summary)
        event.add("dtstart", spec.start)
        event.add("dtend", spec.end)
        if spec.description:
            event.add("description", spec.description)
        if spec.transparent:
            event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    for timezone in _timezones(feed):
        calendar.add_component(timezone)
    # VTIMEZONEs first, as readers expect.
    calendar.subcomponents.sort(key=lambda c: c.name != "VTIMEZONE")
    return bytes(calendar.to_ical())


def _timezones(feed: Feed) -> list[icalendar.Timezone]:
    """One VTIMEZONE (yearly rules) per zone the feed's timed events use, exact over their span."""
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    for spec in feed.events:
        for moment in (spec.start, spec.end):
            if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
                continue
            tzid = getattr(moment.tzinfo, "key", None)
            if not tzid:
                continue
            day = moment.date()
            low, high = spans.get(tzid, (day, day))
            spans[tzid] = (min(low, day), max(high, day))
    return [vtimezone(tzid, low, high) for tzid, (low, high) in sorted(spans.items())]


def render(feed: Feed, *, now: dt.datetime) -> tuple[bytes, str]:
    """The feed as iCalendar bytes, from the cache when unchanged, and their ETag: a digest of
    the bytes themselves, so that bytes rendered anew (after a restart, say) get a new tag and
    the same bytes always the same one."""
    key = f"presentations:ics:v2:{feed.digest}"  # v2: VTIMEZONEs with yearly rules
    body = cache.get(key)
    if body is None:
        body = _render(feed, now)
        cache.set(key, body, CACHE_SECONDS)
    return body, hashlib.sha256(body).hexdigest()


def merged(name: str, feeds: Sequence[Feed]) -> Feed:
    """Several courses' feeds in one (a user's "mine" feed); no default time zone."""
    return Feed(name=name, time_zone="", events=tuple(e for f in feeds for e in f.events))
