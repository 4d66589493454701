"""One visual design in both colour schemes (issue #16): representative pages rendered with the
browser in dark and in light mode pass axe-core (contrast included) and fit a 375 px phone
(test_every_page.py checks every page, in the browser's default light scheme). Screenshots of
each go to the journeys' folder."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from convlab.models import Submission
from demo.seed import DEMO_PASSWORD, seed_demo
from tests.browser.axe import PHONE_WIDTH
from tests.browser.pages import check
from tests.browser.screenshots import save_screenshots
from tests.convlab.service.conftest import wait_final

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VAGUE = "The experiments could have been done better."


BACKGROUNDS = {"light": "rgb(255, 255, 255)", "dark": "rgb(13, 17, 23)"}


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_representative_pages_are_axe_clean_and_fit_a_phone_in_both_schemes(
    browser: Any, live_server: Any, grading_worker: Any, scheme: str
) -> None:
    course = seed_demo(current_term=True).current
    assert course is not None
    buggy = Submission.objects.get(assignment__course=course, student__username="student2")
    wait_final(buggy.pk)
    paper = course.papers.filter(reviews__author__username="student2").order_by("-session_date")[0]

    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("student2")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")

    pages = {
        "course home": reverse("course-home", args=[course.pk]),
        "lab page": reverse("lab-assignment", args=[course.pk, "transposed-convolutions"]),
        "lab feedback": reverse("submission", args=[buggy.pk]),
        "schedule": reverse("presentations", args=[course.pk]),
        "review form": reverse("review-edit", args=[course.pk, paper.pk]),
    }
    problems: list[str] = []
    for name, path in pages.items():
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(base + path)
        if name == "lab feedback":
            page.locator("#score").wait_for()
        if name == "review form":
            weaknesses = page.get_by_label("Weaknesses")
            weaknesses.fill("")
            weaknesses.press_sequentially(VAGUE, delay=5)
            page.locator("#guidance mark.finding-vague_negative").wait_for(state="visible")
        # The page's own background is the scheme's (in dark mode not the browser's white).
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == BACKGROUNDS[scheme], f"{name}: body background {background}"
        check(page, problems)
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
        check(page, problems)
        save_screenshots(page, f"{scheme}-mode-{name}")
    context.close()
    assert not problems, "\n".join(problems)
