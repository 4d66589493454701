"""The term as month grids: every month the term touches, weeks Monday to Sunday, each class
date marked by what happens, on the calendar page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from courses.month_grid import month_grid
from courses.selectors import course_sessions
from courses.services import calendar_exception_create
from tests.seed_calendar import SEED_EXCEPTIONS


def test_it_lays_out_every_month_of_the_term_monday_first() -> None:
    months = month_grid(
        first_day=dt.date(2017, 8, 22), last_day=dt.date(2017, 12, 7), sessions=[],
        today=dt.date(2017, 10, 10),
    )  # fmt: skip
    assert [m.name for m in months] == [
        "August 2017", "September 2017", "October 2017", "November 2017", "December 2017"
    ]  # fmt: skip
    october = months[2]
    assert all(len(week) == 7 for week in october.weeks)
    # October 1, 2017 was a Sunday: the first row has six empty days before it.
    assert october.weeks[0][:6] == [None] * 6
    assert october.weeks[0][6] is not None
    assert october.weeks[0][6].date == dt.date(2017, 10, 1)
    days = [d for week in october.weeks for d in week if d is not None]
    assert [d.date.day for d in days] == list(range(1, 32))
    assert [d.date for d in days if d.today] == [dt.date(2017, 10, 10)]
    august = [d for week in months[0].weeks for d in week if d is not None]
    assert [d.in_term for d in august].index(True) == 21  # the term starts on the 22nd


@pytest.mark.django_db
def test_the_calendar_marks_classes_guest_lectures_and_days_off(course: Any, alice: Any) -> None:
    for e in SEED_EXCEPTIONS:
        calendar_exception_create(
            course=course, date=e.date, kind=e.kind.value, title=e.title,
            reason=e.reason.value if e.reason else "",
        )  # fmt: skip
    months = month_grid(
        first_day=course.first_day, last_day=course.last_day,
        sessions=course_sessions(course=course), today=dt.date(2017, 10, 10),
    )  # fmt: skip
    kinds = {d.date: d.kind for m in months for w in m.weeks for d in w if d is not None}
    assert kinds[dt.date(2017, 10, 3)] == "off"  # cancelled
    assert kinds[dt.date(2017, 10, 5)] == "guest"
    assert kinds[dt.date(2017, 10, 10)] == "off"  # fall break
    assert kinds[dt.date(2017, 10, 12)] == "class"
    assert kinds[dt.date(2017, 10, 11)] == ""  # a Wednesday
    client = Client()
    client.force_login(alice)
    html = client.get(reverse("course-calendar", args=[course.pk])).content.decode()
    assert "The term at a glance" in html
    assert html.count('<table class="month">') == 5
    assert "<caption>October 2017</caption>" in html
    assert 'class="day-guest"' in html
