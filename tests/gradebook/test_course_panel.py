"""The course home's panel: what is due for a student, what needs the staff; who sees which."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Course
from gradebook import panels
from presentations.models import SwapRequest, SwapStatus
from presentations.services.groups import group_create
from tests.factories import make_member
from tests.gradebook import test_staff_home
from tests.gradebook.conftest import at

pytestmark = pytest.mark.django_db

# The staff home's fall-break situation (work in every state), used here as it is.
seeded = test_staff_home.seeded
situation = test_staff_home.situation

NOW = (2017, 10, 10, 12)


def _get(user: Any, course: Course) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(reverse("course-panel", args=[course.pk]))


def test_a_student_sees_the_reviews_left_their_lab_and_their_presentation(
    situation: Course, alice: Any
) -> None:
    due = panels.whats_due(course=situation, user=alice, now=at(*NOW))
    # Alice reviewed "Due soon" already: the next two papers are left.
    assert [p.title for p in due.reviews] == ["Due next week", "Due later"]
    [lab] = due.labs
    assert (lab.assignment.slug, lab.attempts) == ("lab", 4)
    assert due.presentation is not None
    assert due.presentation.group.name == "Visualizations"
    assert due.presentation.date is not None
    assert due.presentation.slides_due is not None
    assert due.presentation.slides_in is False


def test_the_student_page_says_it_in_words(
    situation: Course, alice: Any, time_machine: Any
) -> None:
    time_machine.move_to(at(*NOW), tick=False)
    html = _get(alice, situation).content.decode()
    assert "What's due" in html
    assert "Review “Due next week”" in html
    assert "4 submissions" in html
    assert "you present on" in html
    assert "Needs attention" not in html


def test_a_student_in_no_group_is_pointed_to_forming_one(situation: Course) -> None:
    carol = make_member(situation, "dora", "student")
    due = panels.whats_due(course=situation, user=carol, now=at(*NOW))
    assert due.presentation is None
    assert [p.title for p in due.reviews] == ["Due soon", "Due next week", "Due later"]
    assert due.labs[0].attempts == 0


def test_staff_see_what_needs_them(situation: Course, tara: Any, time_machine: Any) -> None:
    attention = panels.needs_attention(course=situation, now=at(*NOW))
    # Received, queued, running: 3 waiting; 2 gradings failed; 2 late reviews.
    assert (attention.ungraded, attention.not_gradable, attention.late_reviews) == (3, 2, 2)
    assert attention.swaps == 0
    time_machine.move_to(at(*NOW), tick=False)
    html = _get(tara, situation).content.decode()
    assert "Needs attention" in html
    assert "3 submissions waiting to be graded" in html
    assert "What's due" not in html


def test_a_swap_both_groups_accepted_waits_for_staff(situation: Course, tara: Any) -> None:
    carol = make_member(situation, "frank", "student")
    other = group_create(course=situation, name="Other", members=[carol])
    mine = situation.presenter_groups.get(name="Visualizations")
    SwapRequest.objects.create(
        course=situation, from_group=mine, to_group=other, status=SwapStatus.ACCEPTED,
        requested_by=carol,
    )  # fmt: skip
    assert panels.needs_attention(course=situation, now=at(*NOW)).swaps == 1


def test_only_members_get_the_panel(course: Course, bob: Any) -> None:
    assert _get(bob, course).status_code == 404
    anonymous = Client().get(reverse("course-panel", args=[course.pk]))
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]


def test_the_course_home_loads_the_panel(course: Course, alice: Any) -> None:
    client = Client()
    client.force_login(alice)
    html = client.get(reverse("course-home", args=[course.pk])).content.decode()
    assert f'hx-get="{reverse("course-panel", args=[course.pk])}"' in html
