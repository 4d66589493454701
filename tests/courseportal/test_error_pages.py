"""Forbidden, not found and server errors answer pages in the site's layout, with a way back;
the API keeps answering JSON."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import get_template
from django.test import Client

from courses import selectors

pytestmark = pytest.mark.django_db

LAYOUT = '<a class="brand" href="/">courseportal</a>'
WAY_BACK = '<a href="/">Back to your courses</a>'


def test_it_shows_a_forbidden_page_with_the_reason(client, course, alice):
    client.force_login(alice)
    response = client.get(f"/courses/{course.pk}/announcements/")
    assert response.status_code == 403
    assert LAYOUT in response.text
    assert WAY_BACK in response.text
    assert "You can't open this page" in response.text
    assert "Only the course&#x27;s TAs and instructors post announcements." in response.text


def test_it_shows_a_not_found_page(client, alice):
    client.force_login(alice)
    for path in ("/courses/999999/", "/no-such-page/"):
        response = client.get(path)
        assert response.status_code == 404
        assert LAYOUT in response.text
        assert WAY_BACK in response.text
        assert "We couldn't find this page" in response.text
        assert "Resolver404" not in response.text


def test_it_shows_a_server_error_page_when_a_view_crashes(alice, monkeypatch):
    def crash(**kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "course_list_for_user", crash)
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    response = client.get("/")
    assert response.status_code == 500
    assert LAYOUT in response.text
    assert WAY_BACK in response.text
    assert "Something went wrong on our side" in response.text
    assert "a bug" not in response.text


def test_the_server_error_page_needs_no_context():
    # How Django renders it: no request, no context processors, no database.
    page = get_template("500.html").render()
    assert WAY_BACK in page
    assert "Log in" in page


def test_the_api_keeps_answering_json(client, course, alice):
    client.force_login(alice)
    response = client.get("/api/v1/courses/999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    response = client.get("/api/v1/nothing-here/")
    assert response.json() == {"detail": "No API endpoint at /api/v1/nothing-here/."}


def test_a_bad_request_page_is_in_the_layout_too(client):
    response = client.get("/accounts/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert LAYOUT in response.text
    assert "Nothing was saved" in response.text
