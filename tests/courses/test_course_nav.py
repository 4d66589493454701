"""The course shell: every page of a course shows its sections, by role, with the current one
marked; pages outside a course, and people outside it, get none."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from courses.templatetags.course_nav import section_of

pytestmark = pytest.mark.django_db

SECTIONS = ["Home", "Calendar", "Papers", "Presentations", "Labs", "Grades"]


def _nav(html: str) -> list[tuple[str, bool]]:
    """The links of the course navigation: (label, is current)."""
    block = re.search(r'<nav aria-label="Course".*?</nav>', html, re.S)
    if block is None:
        return []
    return [
        (label, bool(current))
        for current, label in re.findall(
            r'<a href="[^"]+"( aria-current="page")?>([^<]+)</a>', block.group()
        )
    ]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_student_sees_the_course_sections_without_staff(course: Any, alice: Any) -> None:
    html = _client(alice).get(reverse("paper-list", args=[course.pk])).content.decode()
    assert [label for label, _ in _nav(html)] == SECTIONS
    assert [label for label, current in _nav(html) if current] == ["Papers"]
    assert reverse("my-grades", args=[course.pk]) in html
    assert 'aria-label="Breadcrumb"' in html


@pytest.mark.parametrize("member", ["tara", "ines"])
def test_staff_also_see_the_staff_section(course: Any, member: str, request: Any) -> None:
    user = request.getfixturevalue(member)
    html = _client(user).get(reverse("course-calendar", args=[course.pk])).content.decode()
    assert [label for label, _ in _nav(html)] == [*SECTIONS, "Staff"]
    assert [label for label, current in _nav(html) if current] == ["Calendar"]
    assert reverse("gradebook", args=[course.pk]) in html


def test_pages_outside_a_course_have_no_course_navigation(alice: Any) -> None:
    html = _client(alice).get(reverse("home")).content.decode()
    assert _nav(html) == []
    assert 'aria-label="Breadcrumb"' not in html


def test_someone_outside_the_course_gets_no_navigation_of_it(course: Any, bob: Any) -> None:
    response = _client(bob).get(reverse("course-home", args=[course.pk]))
    assert response.status_code == 404
    assert _nav(response.content.decode()) == []


@pytest.mark.parametrize(
    ("url_name", "section"),
    [
        ("course-home", "home"),
        ("course-calendar-exception-delete", "calendar"),
        ("review-edit", "papers"),
        ("presentations-manage", "presentations"),
        ("lab-assignment", "labs"),
        ("submission", "labs"),
        ("student-grades", "grades"),
        ("staff-home", "staff"),
        ("roster", "staff"),
        ("home", None),
        (None, None),
    ],
)
def test_each_page_belongs_to_its_section(url_name: str | None, section: str | None) -> None:
    assert section_of(url_name) == section
