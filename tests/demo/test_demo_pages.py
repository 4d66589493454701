"""`make run` on a fresh clone (issue #16, acceptance line 3): after `seed_demo`, every page of
the course navigation shows the course of the current term with something to do for each role,
not an empty list."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from courses.models import Course

pytestmark = pytest.mark.django_db

# What each page must show, by role: (URL name, texts that mean there is something to do).
STUDENT = [
    ("course-home", ["Announcements", "Next sessions"]),
    ("course-panel", ["What's due", "Review “", "Lab 2: transposed", "you present on"]),
    ("course-calendar", ["No class — ", " break", "Guest lecture"]),
    ("paper-list", [">Write</a>"]),
    ("presentations", ["Your presentation:", "Visualizations"]),
    ("presentations-group", ["You present on", "Request swap", "Save slides"]),
    ("labs", ["Lab 2: transposed convolutions"]),
    ("my-grades", ["Review of", "on time"]),
]
STAFF = [
    ("course-panel", ["Needs attention"]),
    ("staff-home", ["Grades and exports"]),
    ("gradebook", ["Lovelace, Ada"]),
    ("review-dashboard", ["Visualizing and Understanding Convolutional Networks"]),
    ("presentations-manage", ["Published: v1", "Generate a draft that keeps the published dates"]),
    ("presentations-groups", ["Adversarial examples"]),
    ("labs", ["New assignment", "Edit"]),
    ("roster", ["Preview"]),
    ("announcements", ["Post the announcement", "Lab 2 out"]),
]


@pytest.fixture
def current() -> Course:
    call_command("seed_demo", stdout=StringIO())
    return Course.objects.get(code="CS 7643", archived=False)


@pytest.mark.parametrize(
    ("username", "name", "texts"),
    [("student1", n, t) for n, t in STUDENT]
    + [(who, n, t) for who in ("ta", "instructor") for n, t in STAFF],
)
def test_every_page_of_the_current_course_has_something_to_do(
    client: Client, current: Course, username: str, name: str, texts: list[str]
) -> None:
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get(reverse(name, args=[current.pk]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    missing = [text for text in texts if text not in page]
    assert missing == []
