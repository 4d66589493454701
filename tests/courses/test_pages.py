from __future__ import annotations

import datetime as dt

import pytest

from courses.models import Course
from courses.services import calendar_exception_create
from demo.seed import seed_demo
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_redirects_anonymous_visitors_to_the_login_page(client, course):
    for url in ("/", f"/courses/{course.pk}/", f"/courses/{course.pk}/calendar/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/accounts/login/")


def test_it_logs_in_and_out(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # one course: straight to its home
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").headers["Location"].startswith("/accounts/login/")


def test_it_explains_a_failed_login(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "didn&#x27;t match" in response.text or "didn't match" in response.text


def test_it_labels_calendar_changes_on_the_course_home(client, course, alice):
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
    client.force_login(alice)
    page = client.get(f"/courses/{course.pk}/").text
    assert "No class — Fall break" in page
    assert "Guest lecture — no papers, no presentations" in page
    assert "The term ended on Thu, Dec 7, 2017" in page


def test_it_shows_every_session_on_the_calendar_page(client, course, alice):
    calendar_exception_create(
        course=course,
        date=dt.date(2017, 10, 10),
        kind="no_class",
        reason="break",
        title="Fall break",
    )
    client.force_login(alice)
    page = client.get(f"/courses/{course.pk}/calendar/").text
    assert page.count('<tr data-date="2017-') == 32
    assert "No class — Fall break" in page


def test_it_answers_404_for_a_course_the_user_is_not_in(client, course, bob):
    client.force_login(bob)
    assert client.get(f"/courses/{course.pk}/").status_code == 404
    assert client.get(f"/courses/{course.pk}/calendar/").status_code == 404


def test_it_escapes_announcement_text(client, db):
    result = seed_demo()
    from courses.services import announcement_create

    announcement_create(course=result.course, author=None, title="<script>alert(1)</script>")
    client.login(username="student1", password="deep-learning-2017")
    page = client.get(f"/courses/{result.course.pk}/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert Course.objects.count() == 1
