"""A calendar change that would move presenter groups of the published schedule is shown first,
with the groups and their new dates, and only made once confirmed (issue #16): cancelling
changes nothing, a stale confirmation is shown again, bad input and students are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from courses.models import CalendarException, Course
from presentations.models import PresentationSchedule, ScheduleChange
from presentations.services.schedules import schedule_generate, schedule_publish

pytestmark = pytest.mark.django_db


def published(course: Course) -> tuple[int, dict[str, dt.date]]:
    schedule = PresentationSchedule.objects.get(course=course, status="published")
    return schedule.version, {s.group.name: s.date for s in schedule.slots.select_related("group")}


@pytest.fixture
def schedule(demo, users):
    instructor = users["instructor"]
    schedule_publish(schedule=schedule_generate(course=demo, actor=instructor), actor=instructor)
    return published(demo)


def busiest_day(dates: dict[str, dt.date]) -> tuple[dt.date, list[str]]:
    """The published date with the most groups, and those groups."""
    day = max(sorted(set(dates.values())), key=lambda d: list(dates.values()).count(d))
    return day, sorted(name for name, d in dates.items() if d == day)


def cancel(day: dt.date) -> dict[str, str]:
    return {"date": day.isoformat(), "kind": "no_class", "reason": "cancelled", "title": "Snow"}


def url(course: Course) -> str:
    return reverse("course-calendar", args=[course.pk])


def test_cancelling_a_class_with_presenters_asks_first_and_changes_nothing(
    client, demo, users, schedule, django_capture_on_commit_callbacks
):
    version, dates = schedule
    day, groups = busiest_day(dates)
    client.force_login(users["instructor"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url(demo), cancel(day))
    assert response.status_code == 200
    page = response.content.decode()
    n = len(groups)
    assert f"{n} presenter group{'s' if n > 1 else ''} would move" in page
    table = page[page.index('id="calendar-moves"') :]
    for name in groups:
        assert name in table
    assert f'<time datetime="{day.isoformat()}">' in table
    assert f"Change the calendar and move {n} group" in page
    # Nothing was written or announced: no exception, the same published version, no mail.
    assert not CalendarException.objects.filter(course=demo, date=day).exists()
    assert published(demo) == (version, dates)
    assert not ScheduleChange.objects.filter(course=demo, kind="repaired").exists()
    assert callbacks == []
    assert mail.outbox == []

    # The cancel link goes back to the calendar, where the day is still a class.
    assert reverse("course-calendar", args=[demo.pk]) in page
    calendar = client.get(url(demo)).content.decode()
    row = calendar[calendar.index(f'data-date="{day.isoformat()}"') :].split("</tr>")[0]
    assert "Snow" not in row


def test_confirming_makes_the_change_and_moves_the_groups_it_showed(
    client, demo, users, schedule, django_capture_on_commit_callbacks
):
    version, dates = schedule
    day, groups = busiest_day(dates)
    client.force_login(users["instructor"])
    page = client.post(url(demo), cancel(day)).content.decode()
    signature = page.split('name="moves" value="')[1].split('"')[0]
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url(demo), {**cancel(day), "confirm": "yes", "moves": signature})
    assert done.status_code == 302
    assert CalendarException.objects.get(course=demo, date=day).title == "Snow"
    new_version, new_dates = published(demo)
    assert new_version == version + 1
    for name in groups:  # every group shown moved off the day; nobody else moved
        assert new_dates.get(name) != day
        assert f"{name}|{day}|" in signature
    assert {n: d for n, d in new_dates.items() if n not in groups} == {
        n: d for n, d in dates.items() if n not in groups
    }


def test_a_confirmation_of_other_moves_is_shown_again_not_applied(client, demo, users, schedule):
    version, dates = schedule
    day, _ = busiest_day(dates)
    client.force_login(users["instructor"])
    stale = {**cancel(day), "confirm": "yes", "moves": "Someone|2017-10-12|2017-10-17"}
    response = client.post(url(demo), stale)
    assert response.status_code == 200
    assert "The schedule changed since you looked" in response.content.decode()
    assert not CalendarException.objects.filter(course=demo, date=day).exists()
    assert published(demo) == (version, dates)


def test_a_change_that_moves_nobody_needs_no_confirmation(client, demo, users, schedule):
    _, dates = schedule
    free = next(
        d
        for d in (
            dt.date(2017, 9, 5) + dt.timedelta(days=7 * w + o) for w in range(12) for o in (0, 2)
        )
        if d not in dates.values()
    )
    client.force_login(users["ta"])
    response = client.post(url(demo), {**cancel(free), "title": "Quiet day"})
    assert response.status_code == 302
    assert CalendarException.objects.filter(course=demo, date=free).exists()


def test_bad_input_is_refused_before_any_confirmation(client, demo, users, schedule):
    version, dates = schedule
    client.force_login(users["instructor"])
    before = CalendarException.objects.filter(course=demo).count()
    wednesday = {**cancel(dt.date(2017, 11, 22)), "confirm": "yes"}
    response = client.post(url(demo), wednesday)
    assert response.status_code == 400
    assert "is a Wed" in response.content.decode()
    missing_reason = {**cancel(busiest_day(dates)[0]), "reason": ""}
    response = client.post(url(demo), missing_reason)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Confirm the calendar change" not in page
    assert "required when there is no class" in page
    assert CalendarException.objects.filter(course=demo).count() == before
    assert published(demo) == (version, dates)


def test_a_student_can_neither_see_the_moves_nor_confirm_them(client, demo, users, schedule):
    version, dates = schedule
    day, _ = busiest_day(dates)
    client.force_login(users["student1"])
    before = CalendarException.objects.filter(course=demo).count()
    assert client.post(url(demo), cancel(day)).status_code == 403
    assert client.post(url(demo), {**cancel(day), "confirm": "yes", "moves": ""}).status_code == 403
    assert CalendarException.objects.filter(course=demo).count() == before
    assert published(demo) == (version, dates)


def test_a_guest_lecture_on_a_presentation_day_asks_too(client, demo, users, schedule):
    version, dates = schedule
    day, groups = busiest_day(dates)
    client.force_login(users["ta"])
    lecture = {"date": day.isoformat(), "kind": "guest_lecture", "title": "Dr. Stefan Lee"}
    response = client.post(url(demo), lecture)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Guest lecture" in page
    assert all(name in page for name in groups)
    assert not CalendarException.objects.filter(course=demo, date=day).exists()
    assert published(demo) == (version, dates)
