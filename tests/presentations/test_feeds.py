from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from courses.services import calendar_exception_create
from presentations.models import CalendarFeed, PresenterGroup
from presentations.services.calendar_feeds import calendar_feed_get, calendar_feed_rotate
from presentations.services.groups import group_update
from tests.presentations.conftest import publish

pytestmark = pytest.mark.django_db


def events(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(e["uid"]): e for e in calendar.events}


def test_it_serves_a_course_feed_with_local_times_across_daylight_saving(client, api, demo, users):
    publish(api, demo, users["instructor"])
    feed = calendar_feed_get(user=users["student1"])
    response = client.get(f"/feeds/{feed.key}/courses/{demo.pk}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(response.content)
    before = found[f"{demo.pk}-2017-11-02-session@courseportal"].start
    after = found[f"{demo.pk}-2017-11-07-session@courseportal"].start
    assert isinstance(before, dt.datetime)
    assert isinstance(after, dt.datetime)
    assert (before.hour, before.minute, after.hour, after.minute) == (16, 30, 16, 30)
    assert before.astimezone(dt.UTC).hour == 20
    assert after.astimezone(dt.UTC).hour == 21
    assert str(before.tzinfo) == "America/New_York"
    fall_break = found[f"{demo.pk}-2017-10-10-session@courseportal"]
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
    session = f"{demo.pk}-2017-11-30-session@courseportal"
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
