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


def open_review_form(page: Any, live_server: Any) -> None:
    """Alice, a student, signed in on the review form of a paper open for reviews."""
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


def test_it_highlights_a_vague_negative_while_typing_and_clears_it_when_specific(
    page: Any, live_server: Any
) -> None:
    open_review_form(page, live_server)

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


# Issue #15: a textbook-vague real ICLR-style review (no strengths; criticisms with no reason) once
# got "No problems found. Specific, balanced, in good faith: thank you."
ICLR_SUMMARY = "This paper proposes a new training scheme for text classifiers."
ICLR_WEAKNESSES = (
    "The experimental settings are not reasonable. Details are missing. "
    "The novelty of the method is limited."
)


@pytest.mark.parametrize("width", [1280, 375])
def test_it_gives_a_vague_review_findings_and_no_praise(
    page: Any, live_server: Any, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    open_review_form(page, live_server)

    page.get_by_label("Summary").fill(ICLR_SUMMARY)
    page.get_by_label("Weaknesses").press_sequentially(ICLR_WEAKNESSES, delay=2)
    guidance = page.locator("#guidance")
    page.locator("#guidance [data-category='vague_negative']").first.wait_for(state="visible")
    page.locator("#guidance [data-category='missing_positives']").first.wait_for(state="visible")
    items = page.locator("#guidance .finding-item")
    assert items.count() >= 2
    text = guidance.inner_text().lower()
    for praise in ("thank you", "specific, balanced", "in good faith", "no problems found"):
        assert praise not in text
    assert "confidence" in text
    assert "could you say why?" in text
