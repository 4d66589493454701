from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from courses.models import Course
from courses.services import calendar_exception_create
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_it_lists_only_the_callers_courses(api, course, alice, bob):
    api.force_authenticate(alice)
    response = api.get("/api/v1/courses/")
    assert response.status_code == 200
    assert [(c["code"], c["role"]) for c in response.json()] == [("CS 7643", "student")]


def test_it_answers_401_to_anonymous_callers(api, course):
    for url in ("/api/v1/courses/", f"/api/v1/courses/{course.pk}/sessions/"):
        response = api.get(url)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_it_hides_a_course_from_a_member_of_another_course(api, course, bob):
    api.force_authenticate(bob)
    for url in (
        f"/api/v1/courses/{course.pk}/",
        f"/api/v1/courses/{course.pk}/sessions/",
        f"/api/v1/courses/{course.pk}/exceptions/",
        f"/api/v1/courses/{course.pk}/announcements/",
    ):
        assert api.get(url).status_code == 404, url
    assert all(c["code"] != "CS 7643" for c in api.get("/api/v1/courses/").json())


def test_it_lists_sessions_with_flags_and_exception_titles(api, course, alice, tara):
    calendar_exception_create(
        course=course,
        date=dt.date(2017, 10, 10),
        kind="no_class",
        reason="break",
        title="Fall break",
    )
    calendar_exception_create(
        course=course,
        date=dt.date(2017, 10, 5),
        kind="guest_lecture",
        title="Guest lecture by Dr. Stefan Lee",
    )
    api.force_authenticate(alice)
    response = api.get(f"/api/v1/courses/{course.pk}/sessions/")
    assert response.status_code == 200
    by_date = {s["date"]: s for s in response.json()}
    assert len(by_date) == 32
    assert by_date["2017-10-10"]["meets"] is False
    assert by_date["2017-10-10"]["exception_title"] == "Fall break"
    assert by_date["2017-10-10"]["label"] == "No class — Fall break"
    guest = by_date["2017-10-05"]
    assert (guest["meets"], guest["has_papers"], guest["has_presentations"]) == (True, False, False)
    assert guest["exception_title"] == "Guest lecture by Dr. Stefan Lee"
    regular = by_date["2017-10-12"]
    assert (regular["meets"], regular["has_papers"], regular["has_presentations"]) == (
        True,
        True,
        True,
    )
    assert regular["exception_title"] is None
    assert regular["starts_at"] == "2017-10-12T16:30:00-04:00"


def test_it_lets_the_instructor_change_the_meeting_days(api, course, ines):
    api.force_authenticate(ines)
    response = api.patch(
        f"/api/v1/courses/{course.pk}/", {"meeting_days": ["Mon", "Wed"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["meeting_days"] == ["Mon", "Wed"]
    course.refresh_from_db()
    assert course.meeting_days == [0, 2]


def test_it_refuses_calendar_settings_changes_from_tas_and_students(api, course, tara, alice):
    for user in (tara, alice):
        api.force_authenticate(user)
        response = api.patch(f"/api/v1/courses/{course.pk}/", {"title": "X"}, format="json")
        assert response.status_code == 403
    course.refresh_from_db()
    assert course.title == "Deep Learning"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"meeting_days": "Tue,Thu"}, "meeting_days"),
        ({"meeting_days": ["Tue", "Blursday"]}, "meeting_days"),
        ({"meeting_days": []}, "meeting_days"),
        ({"meeting_days": [1, 1]}, "meeting_days"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"last_day": "2017-08-01"}, "last_day"),
        ({"first_day": "2017-02-30"}, "first_day"),
        ({"meeting_end": "16:00"}, "meeting_end"),
        ({"presenters_per_class": 0}, "presenters_per_class"),
    ],
)
def test_it_rejects_bad_course_settings_naming_the_field(api, course, ines, payload, field):
    api.force_authenticate(ines)
    response = api.patch(f"/api/v1/courses/{course.pk}/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    course.refresh_from_db()
    assert course.meeting_days == [1, 3]
    assert str(course.last_day) == "2017-12-07"
    assert course.time_zone == "America/New_York"


def test_it_lets_only_site_admins_create_courses(api, ines):
    payload = {
        "code": "CS 8803",
        "title": "Vision",
        "term": "Spring 2018",
        "time_zone": "America/New_York",
        "first_day": "2018-01-08",
        "last_day": "2018-04-24",
        "meeting_days": ["Mon", "Wed"],
        "meeting_start": "09:30",
        "meeting_end": "10:45",
    }
    api.force_authenticate(ines)
    assert api.post("/api/v1/courses/", payload, format="json").status_code == 403
    admin = make_user("root", is_staff=True, is_superuser=True)
    api.force_authenticate(admin)
    response = api.post("/api/v1/courses/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert Course.objects.filter(code="CS 8803").exists()


def test_it_answers_malformed_json_with_400(api, course, ines):
    api.force_authenticate(ines)
    response = api.generic(
        "PATCH", f"/api/v1/courses/{course.pk}/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_it_answers_404_for_ids_too_large_for_the_database(api: APIClient, alice: User) -> None:
    api.force_authenticate(alice)
    for url in (
        "/api/v1/courses/99999999999999999999999/sessions/",
        "/api/v1/courses/9223372036854775808/",
        "/api/v1/courses/1/exceptions/99999999999999999999999/",
    ):
        assert api.get(url).status_code == 404, url
