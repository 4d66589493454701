from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from reviews.services import paper_create
from tests.factories import PASSWORD, make_course, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VAGUE = "The experiments could have been done better."
SPECIFIC = "Table 2 lacks a comparison with the bilinear-upsampling baseline of Section 4."


def test_it_highlights_a_vague_negative_while_typing_and_clears_it_when_specific(
    page: Any, live_server: Any
) -> None:
    course = make_course()
    make_member(course, "alice", "student")
    paper = paper_create(
        course=course,
        session_date=dt.date(2017, 10, 12),
        title="Deconvolution and Checkerboard Artifacts",
        review_deadline=timezone.now() + dt.timedelta(days=1),
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/courses/*/")
    page.goto(f"{live_server.url}/courses/{course.pk}/papers/{paper.pk}/review/")

    weaknesses = page.get_by_label("Weaknesses")
    weaknesses.press_sequentially(VAGUE, delay=5)
    mark = page.locator("#guidance mark.finding-vague_negative")
    mark.wait_for(state="visible")
    assert mark.inner_text() in VAGUE
    assert "Common Problem #1: Vague negatives" in page.locator("#guidance").inner_text()

    weaknesses.fill("")
    weaknesses.press_sequentially(SPECIFIC, delay=5)
    mark.wait_for(state="detached")
    assert page.locator("#guidance [data-category='vague_negative']").count() == 0
