"""A course page's way back is its breadcrumb (My courses, CS 7643, the section), not a second
"← CS 7643" link next to it (issue #16)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    "course-calendar",
    "paper-list",
    "labs",
    "announcements",
    "staff-home",
    "roster",
    "jobs",
    "presentations",
]


@pytest.mark.parametrize("name", PAGES)
def test_the_breadcrumb_is_the_only_link_back_to_the_course(client, course, tara, name):
    client.force_login(tara)
    _only_the_breadcrumb(client, course, name)


def test_the_staff_roles_page_has_only_the_breadcrumb_back(client, course, ines):
    client.force_login(ines)  # only instructors see it
    _only_the_breadcrumb(client, course, "course-staff")


def _only_the_breadcrumb(client, course, name):
    response = client.get(reverse(name, args=[course.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-label="Breadcrumb"' in page
    assert "← CS 7643" not in page
    assert "← Course page" not in page
    assert page.count(f'href="{reverse("course-home", args=[course.pk])}"') == 2  # crumb + Home
