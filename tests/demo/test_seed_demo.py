from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from courses.models import (
    Announcement,
    ApiToken,
    CalendarException,
    Course,
    Membership,
)
from courses.selectors import course_sessions

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        Course.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
        CalendarException.objects.count(),
        Announcement.objects.count(),
        ApiToken.objects.filter(revoked_at=None).count(),
    )


def test_it_seeds_the_fall_2017_course_once() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first == (1, 15, 15, 4, 5, 1)
    roles = sorted(Membership.objects.values_list("role", flat=True))
    assert roles.count("student") == 12
    assert {"instructor", "ta", "autograder"} <= set(roles)
    text = out.getvalue()
    assert "password 'deep-learning-2017'" in text
    assert "student1" in text
    assert "API token of the autograder account: cp_" in text


def test_it_gives_the_seed_calendar() -> None:
    call_command("seed_demo", stdout=StringIO())
    sessions = {s.date: s for s in course_sessions(course=Course.objects.get())}
    assert not sessions[dt.date(2017, 10, 3)].meets
    assert sessions[dt.date(2017, 10, 5)].meets
    assert not sessions[dt.date(2017, 10, 5)].has_presentations
    assert sessions[dt.date(2017, 10, 10)].label == "No class — Fall break"
    assert sessions[dt.date(2017, 11, 23)].label == "No class — Thanksgiving"
    assert sessions[dt.date(2017, 10, 12)].has_presentations


def test_it_prints_a_working_token(client):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    key = out.getvalue().split("API token of the autograder account: ")[1].split()[0]
    response = client.get("/api/v1/courses/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()[0]["role"] == "autograder"
