from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from typing import Any
from zoneinfo import ZoneInfo

import hypothesis
import icalendar
import pytest
import time_machine
import vobject
from django.conf import settings
from django.core.cache import caches
from hypothesis import strategies as st

from courses.models import Course
from courses.services import calendar_exception_create
from presentations import feeds, selectors
from presentations.ical_timezone import vtimezone
from presentations.models import CalendarFeed, PresenterGroup
from presentations.services.calendar_feeds import calendar_feed_get, calendar_feed_rotate
from presentations.services.groups import group_update
from tests.presentations.conftest import publish

pytestmark = pytest.mark.django_db


def events(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(e["uid"]): e for e in calendar.events}


def uid(course: Course, day: str, kind: str = "session") -> str:
    return f"{course.pk}-{day}-{kind}@{settings.COURSEPORTAL_CALENDAR_DOMAIN}"


def test_it_serves_a_course_feed_with_local_times_across_daylight_saving(client, api, demo, users):
    publish(api, demo, users["instructor"])
    feed = calendar_feed_get(user=users["student1"])
    response = client.get(f"/feeds/{feed.key}/courses/{demo.pk}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(response.content)
    before = found[uid(demo, "2017-11-02")].start
    after = found[uid(demo, "2017-11-07")].start
    assert isinstance(before, dt.datetime)
    assert isinstance(after, dt.datetime)
    assert (before.hour, before.minute, after.hour, after.minute) == (16, 30, 16, 30)
    assert before.astimezone(dt.UTC).hour == 20
    assert after.astimezone(dt.UTC).hour == 21
    assert str(before.tzinfo) == "America/New_York"
    fall_break = found[uid(demo, "2017-10-10")]
    assert str(fall_break["summary"]) == "CS 7643: No class — Fall break"
    assert fall_break.start == dt.date(2017, 10, 10)
    assert b"BEGIN:VTIMEZONE" in response.content


def test_it_marks_the_users_own_presentation_in_their_feed(client, api, demo, users):
    schedule = publish(api, demo, users["instructor"])
    day = next(s["date"] for s in schedule["slots"] if s["group_name"] == "Visualizations")
    feed = calendar_feed_get(user=users["student1"])
    found = events(client.get(f"/feeds/{feed.key}/mine.ics").content)
    talks = [e for e in found.values() if "you present" in str(e["summary"])]
    assert len(talks) == 1
    start = talks[0].start
    assert isinstance(start, dt.datetime)
    assert start.date().isoformat() == day


def test_it_refuses_unknown_rotated_and_foreign_feed_keys(client, demo, users, bob):
    old = calendar_feed_get(user=users["student1"]).key
    calendar_feed_rotate(user=users["student1"])
    assert client.get(f"/feeds/{old}/mine.ics").status_code == 404
    assert client.get("/feeds/not-a-key/mine.ics").status_code == 404
    bobs = calendar_feed_get(user=bob)
    assert client.get(f"/feeds/{bobs.key}/courses/{demo.pk}.ics").status_code == 404
    assert CalendarFeed.objects.filter(user=users["student1"]).count() == 1


def test_it_exports_the_schedule_as_csv(client, api, demo, users):
    publish(api, demo, users["instructor"])
    client.force_login(users["student3"])
    text = client.get(f"/courses/{demo.pk}/presentations/schedule.csv").content.decode()
    lines = text.splitlines()
    assert lines[0] == "date,session,order,group,members"
    assert "2017-10-10,No class — Fall break,,," in lines
    assert any(line.startswith("2017-10-12,,") and "Grace Hopper" in line for line in lines)
    assert "student" not in text  # members by name, never by username


def test_it_answers_not_modified_while_the_feed_is_unchanged(client, api, demo, users):
    publish(api, demo, users["instructor"])
    url = f"/feeds/{calendar_feed_get(user=users['student1']).key}/courses/{demo.pk}.ics"
    first = client.get(url)
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    # Another member's feed of the same course has their own talk, so another tag.
    other = client.get(
        f"/feeds/{calendar_feed_get(user=users['student3']).key}/courses/{demo.pk}.ics"
    )
    assert other["ETag"] != etag


def test_it_serves_a_calendar_change_in_the_next_read(client, api, demo, users):
    """The rendered feed is kept under a digest of its content: a change is a new feed."""
    publish(api, demo, users["instructor"])
    url = f"/feeds/{calendar_feed_get(user=users['student1']).key}/courses/{demo.pk}.ics"
    before = client.get(url)
    session = uid(demo, "2017-11-30")
    assert str(events(before.content)[session]["summary"]) == "CS 7643: Deep Learning"

    calendar_exception_create(course=demo, date=dt.date(2017, 11, 30), kind="no_class",
                              reason="cancelled", title="Snow day")  # fmt: skip
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert str(events(after.content)[session]["summary"]) == "CS 7643: No class — Snow day"


def test_it_serves_a_renamed_group_in_the_next_read(client, api, demo, users):
    publish(api, demo, users["instructor"])
    url = f"/feeds/{calendar_feed_get(user=users['student1']).key}/mine.ics"
    assert b"Visualizations" in client.get(url).content
    group = PresenterGroup.objects.get(course=demo, name="Visualizations")
    group_update(group=group, name="Feature visualization")
    unfolded = client.get(url).content.replace(b"\r\n ", b"")
    assert b"Visualizations" not in unfolded
    assert b"you present (Feature visualization)" in unfolded


def test_it_refuses_the_course_feed_of_a_deactivated_user_or_a_dropped_student(client, demo, users):
    student = users["student1"]
    url = f"/feeds/{calendar_feed_get(user=student).key}/courses/{demo.pk}.ics"
    assert client.get(url).status_code == 200
    student.memberships.filter(course=demo).update(is_active=False)
    assert client.get(url).status_code == 404
    student.memberships.filter(course=demo).update(is_active=True)
    student.is_active = False
    student.save(update_fields=["is_active"])
    assert client.get(url).status_code == 404


# h18edges: VTIMEZONE with yearly rules, UIDs under the site's domain, ETags of the bytes served.


def _expected_starts(demo: Course, student: Any) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Every timed event of the student's course feed: its start and end as aware datetimes in
    the course's zone, straight from the sessions (zoneinfo)."""
    feed = feeds.course_feed(
        demo,
        selectors.published_days_for_feed(course=demo),
        own_group_id=selectors.group_id_of_user(course=demo, user=student),
    )
    found = {}
    for event in feed.events:
        if isinstance(event.start, dt.datetime):
            assert isinstance(event.end, dt.datetime)
            found[event.uid] = (event.start, event.end)
    return found


def test_both_parsers_read_every_event_at_its_local_time_across_daylight_saving(
    client, api, demo, users
):
    """The seed course crosses the end of US daylight saving time (2017-11-05): icalendar and
    vobject, each reading the feed's own VTIMEZONE, put every event at its class time."""
    publish(api, demo, users["instructor"])
    student = users["student1"]
    body = client.get(f"/feeds/{calendar_feed_get(user=student).key}/courses/{demo.pk}.ics").content
    expected = _expected_starts(demo, student)
    assert len(expected) > 20
    dates = sorted(start.date() for start, _ in expected.values())
    assert dates[0] < dt.date(2017, 11, 5) < dates[-1]

    # icalendar, with the zone built from the VTIMEZONE in the feed (not its own tz database).
    calendar = icalendar.Calendar.from_ical(body)
    [vtz] = calendar.timezones
    own_zone = vtz.to_tz(lookup_tzid=False)
    # vobject, which builds its zones from the VTIMEZONE too.
    parsed = vobject.readOne(body.decode())
    by_uid = {str(e.uid.value): e for e in parsed.vevent_list}
    for event in calendar.events:
        key = str(event["uid"])
        if key not in expected:
            continue
        start, end = expected.pop(key)
        for got, want in ((event.start, start), (event.end, end)):
            assert isinstance(got, dt.datetime)
            assert got == want, key
            assert got.utcoffset() == want.utcoffset(), key
            assert got.replace(tzinfo=own_zone).utcoffset() == want.utcoffset(), key
        vevent = by_uid[key]
        for got, want in ((vevent.dtstart.value, start), (vevent.dtend.value, end)):
            assert (got.hour, got.minute) == (want.hour, want.minute), key
            assert got.utcoffset() == want.utcoffset(), key
            assert got == want, key
    assert expected == {}


def test_the_time_zone_is_written_as_yearly_rules(client, api, demo, users):
    publish(api, demo, users["instructor"])
    body = client.get(f"/feeds/{calendar_feed_get(user=users['student1']).key}/mine.ics").content
    [vtz] = icalendar.Calendar.from_ical(body).timezones
    assert vtz["tzid"] == "America/New_York"
    assert b"RDATE" not in body
    [daylight] = vtz.daylight
    [standard] = vtz.standard
    assert daylight["rrule"].to_ical() == b"FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"
    assert standard["rrule"].to_ical() == b"FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"
    assert body.index(b"BEGIN:VTIMEZONE") < body.index(b"BEGIN:VEVENT")


def _disagreements(tzid: str, first: dt.date, last: dt.date, step: dt.timedelta) -> list[str]:
    """Wall-clock times of the span whose offset differs between the IANA database and the
    written VTIMEZONE as icalendar and vobject parse it (times a change makes ambiguous or
    skips left out)."""
    text = vtimezone(tzid, first, last).to_ical().decode()
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
    wrapped = head + text + "END:VCALENDAR\r\n"
    [parsed] = icalendar.Calendar.from_ical(wrapped).timezones
    readers = {
        "icalendar": parsed.to_tz(lookup_tzid=False),
        "vobject": vobject.readOne(wrapped).vtimezone.gettzinfo(),
    }
    zone = ZoneInfo(tzid)
    at = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(last, dt.time(23), tzinfo=dt.UTC)
    wrong = []
    while at <= end:
        local = at.astimezone(zone).replace(tzinfo=None)
        earlier = local.replace(tzinfo=zone, fold=0).utcoffset()
        if earlier == local.replace(tzinfo=zone, fold=1).utcoffset():
            for reader, tz in readers.items():
                if local.replace(tzinfo=tz).utcoffset() != earlier:
                    wrong.append(f"{reader}: {local} {tzid}")
        at += step
    return wrong


ZONES = sorted(
    z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
)


@hypothesis.settings(max_examples=40, derandomize=True, database=None, deadline=None)
@hypothesis.given(
    tzid=st.sampled_from(ZONES),
    first=st.dates(dt.date(1995, 1, 1), dt.date(2035, 1, 1)),
    days=st.integers(0, 900),
)
def test_any_zone_is_written_exactly_for_any_span(tzid: str, first: dt.date, days: int) -> None:
    """Found Pacific/Tongatapu 2000-2001: an UNTIL at the last change dropped it in icalendar."""
    last = first + dt.timedelta(days=days)
    assert _disagreements(tzid, first, last, dt.timedelta(hours=13)) == []


def test_a_rule_that_ends_keeps_its_last_change() -> None:
    assert (
        _disagreements(
            "Pacific/Tongatapu", dt.date(2000, 1, 1), dt.date(2001, 11, 30), dt.timedelta(hours=1)
        )
        == []
    )


@pytest.mark.parametrize(
    ("tzid", "first", "last"),
    [
        ("America/New_York", dt.date(2017, 8, 22), dt.date(2017, 12, 7)),
        # The US rule changed in 2007 (April/October to March/November).
        ("America/New_York", dt.date(2005, 1, 10), dt.date(2009, 5, 1)),
        ("Europe/Berlin", dt.date(2024, 3, 1), dt.date(2025, 11, 30)),  # last Sundays
        ("Australia/Sydney", dt.date(2023, 2, 1), dt.date(2024, 12, 1)),  # southern summer
        ("Asia/Kolkata", dt.date(2020, 1, 1), dt.date(2020, 6, 1)),  # no daylight saving
        ("America/Sao_Paulo", dt.date(2017, 1, 1), dt.date(2020, 12, 31)),  # abolished in 2019
        ("Africa/Casablanca", dt.date(2022, 1, 1), dt.date(2023, 12, 31)),  # Ramadan changes
    ],
)
def test_the_written_time_zone_agrees_with_the_tz_database(tzid, first, last):
    """Every fifth hour of the span reads with the same offset in the IANA database and in the
    written VTIMEZONE, as icalendar and vobject parse it."""
    assert _disagreements(tzid, first, last, dt.timedelta(hours=5)) == []
    text = vtimezone(tzid, first, last).to_ical().decode()
    assert "RDATE" not in text
    if tzid != "Asia/Kolkata":
        assert "RRULE:FREQ=YEARLY" in text


def test_event_uids_are_under_the_sites_domain(client, api, demo, users, settings):
    settings.COURSEPORTAL_CALENDAR_DOMAIN = "portal.example.edu"
    publish(api, demo, users["instructor"])
    body = client.get(f"/feeds/{calendar_feed_get(user=users['student1']).key}/mine.ics").content
    uids = list(events(body))
    assert uids
    assert all(u.endswith("@portal.example.edu") for u in uids), uids
    assert f"{demo.pk}-2017-11-07-session@portal.example.edu" in uids


def test_the_etag_is_a_digest_of_the_bytes_served_even_after_a_restart(client, api, demo, users):
    publish(api, demo, users["instructor"])
    url = f"/feeds/{calendar_feed_get(user=users['student1']).key}/courses/{demo.pk}.ics"
    first = client.get(url)
    assert first["ETag"] == f'"{hashlib.sha256(first.content).hexdigest()}"'
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    # A restart forgets the rendered feed; rendered again later, its DTSTAMPs (and so its
    # bytes) differ, and so does its tag: the old copy is not taken for the new one.
    for alias in settings.CACHES:
        caches[alias].clear()
    with time_machine.travel(dt.datetime(2031, 1, 1, tzinfo=dt.UTC), tick=False):
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again.content != first.content
    assert again["ETag"] == f'"{hashlib.sha256(again.content).hexdigest()}"'
    assert again["ETag"] != first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304
