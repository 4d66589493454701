"""iCalendar (RFC 5545) feeds: class sessions, calendar exceptions and presentations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar

from courseportal.courses.models import Course
from presentations.selectors import ScheduleDay

PRODID = "-//courseportal//presentations//EN"


def _uid(course: Course, day: dt.date, kind: str) -> str:
    return f"{course.pk}-{day.isoformat()}-{kind}@courseportal"


def _session_event(course: Course, day: ScheduleDay, stamp: dt.datetime) -> icalendar.Event:
    session = day.session
    event = icalendar.Event()
    event.add("uid", _uid(course, session.date, "session"))
    event.add("dtstamp", stamp)
    if not session.meets:
        event.add("summary", f"{course.code}: {session.label}")
        event.add("dtstart", session.date)  # an all-day marker
        event.add("dtend", session.date + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        return event
    exception = session.exception
    title = exception.title if exception and exception.title else course.title
    event.add("summary", f"{course.code}: {title}")
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    lines = [session.label]
    if day.slots:
        lines.append("Presenters: " + ", ".join(slot.group.name for slot in day.slots))
    event.add("description", "\n".join(lines))
    return event


def course_calendar(
    course: Course,
    days: Iterable[ScheduleDay],
    *,
    own_group_id: int | None = None,
    now: dt.datetime,
) -> icalendar.Calendar:
    """A calendar of the course's sessions (with presenters), plus the viewer's own talk."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{course.code} {course.term}")
    calendar.add("x-wr-timezone", course.time_zone)
    add_course(calendar, course, days, own_group_id=own_group_id, now=now)
    calendar.add_missing_timezones()
    return calendar


def add_course(
    calendar: icalendar.Calendar,
    course: Course,
    days: Iterable[ScheduleDay],
    *,
    own_group_id: int | None,
    now: dt.datetime,
) -> None:
    for day in days:
        calendar.add_component(_session_event(course, day, now))
        for slot in day.slots:
            if slot.group_id != own_group_id:
                continue
            talk = icalendar.Event()
            talk.add("uid", _uid(course, day.session.date, f"talk-{slot.group_id}"))
            talk.add("dtstamp", now)
            talk.add("summary", f"{course.code}: you present ({slot.group.name})")
            talk.add("dtstart", day.session.starts_at)
            talk.add("dtend", day.session.ends_at)
            calendar.add_component(talk)


def empty_calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar
