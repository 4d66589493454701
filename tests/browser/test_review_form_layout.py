"""The review form in a real browser (issue #15): on a phone the writing guidance comes before the
submit button, not under it; on a wide screen it sits beside the form. Rating and confidence
start blank and the browser will not submit the form until both are chosen. axe-core on the
page, and nothing wider than the phone's screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from reviews.models import Review
from reviews.services import paper_create
from tests.browser.axe import PHONE_WIDTH, assert_accessible, phone_width_problems
from tests.factories import PASSWORD, make_course, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VAGUE = "The experiments could have been done better."
SPECIFIC = "Table 2 lacks a comparison with the bilinear-upsampling baseline of Section 4."


def open_form(browser: Any, live_server: Any, width: int) -> tuple[Any, Any]:
    course = make_course()
    make_member(course, "alice", "student")
    paper = paper_create(
        course=course,
        session_date=dt.date(2017, 10, 12),
        title="Deconvolution and Checkerboard Artifacts",
        review_deadline=timezone.now() + dt.timedelta(days=1),
    )
    context = browser.new_context(viewport={"width": width, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/courses/*/")
    page.goto(f"{live_server.url}/courses/{course.pk}/papers/{paper.pk}/review/")
    return page, paper


@pytest.mark.parametrize("width", [1280, PHONE_WIDTH])
def test_the_guidance_comes_before_the_submit_button_on_a_phone_and_beside_the_form_when_wide(
    browser: Any, live_server: Any, width: int
) -> None:
    page, _ = open_form(browser, live_server, width)
    page.get_by_label("Weaknesses").press_sequentially(VAGUE, delay=5)
    page.locator("#guidance mark.finding-vague_negative").wait_for(state="visible")

    guidance = page.get_by_role("complementary", name="Writing guidance")
    submit = page.get_by_role("button", name="Submit review")
    fields = page.locator("#review-form")
    for element in (guidance, submit):
        element.scroll_into_view_if_needed()
        assert element.is_visible()
    assert submit.is_enabled()
    g, s, f = guidance.bounding_box(), submit.bounding_box(), fields.bounding_box()
    assert g is not None
    assert s is not None
    assert f is not None
    if width == PHONE_WIDTH:
        assert g["y"] < s["y"], f"guidance at {g}, submit button at {s}"
        assert g["y"] + g["height"] <= s["y"], "the guidance overlaps the submit button"
        assert phone_width_problems(page) == ""
    else:
        assert g["x"] >= f["x"] + f["width"], f"guidance at {g}, beside the form at {f}"
        assert s["y"] >= f["y"] + f["height"] - 1, "the submit button is under the fields"
        assert s["x"] < g["x"]
    assert_accessible(page)
    page.context.close()


def test_rating_and_confidence_start_blank_and_must_be_chosen(
    browser: Any, live_server: Any
) -> None:
    page, paper = open_form(browser, live_server, PHONE_WIDTH)
    rating = page.get_by_label("Overall rating (1–5)")
    confidence = page.get_by_label("Confidence (1–5)")
    assert (rating.input_value(), confidence.input_value()) == ("", "")
    page.get_by_label("Summary").fill("Resize-convolution instead of transposed convolution.")
    page.get_by_label("Strengths").fill("Figure 3 shows the checkerboard artifacts disappear.")
    page.get_by_label("Weaknesses").fill(SPECIFIC)

    page.get_by_role("button", name="Submit review").click()
    # The browser's own check stops the submission at the first field left blank.
    assert rating.evaluate("e => e.validity.valueMissing")
    assert page.evaluate("document.activeElement.name") == "rating"
    assert not Review.objects.exists()

    rating.select_option("4")
    assert confidence.evaluate("e => e.validity.valueMissing")
    confidence.select_option("2")
    page.get_by_role("button", name="Submit review").click()
    page.wait_for_url(f"**/papers/{paper.pk}/")
    review = Review.objects.get()
    assert (review.rating, review.confidence, review.weaknesses) == (4, 2, SPECIFIC)
    page.context.close()
