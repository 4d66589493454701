"""The demo as `make run` loads it: a course in the current term first, Fall 2017 archived."""

from __future__ import annotations

from typing import Any

import pytest

from demo.seed import DEMO_PASSWORD, seed_demo
from tests.browser.axe import accessibility_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_student_finds_the_current_course_first_and_fall_2017_archived(
    page: Any, live_server: Any
) -> None:
    current = seed_demo(current_term=True).current
    assert current is not None
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("student1")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Archived", level=2).is_visible()
    assert page.locator("ul.cards a").all_inner_texts() == ["CS 7643: Deep Learning"] * 2
    assert page.locator("ul.cards").first.inner_text().endswith(current.term)
    assert page.locator("ul.cards").last.inner_text().endswith("Fall 2017")
    assert accessibility_problems(page) == ""
    no_scroll = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_scroll)

    page.locator("ul.cards").first.get_by_role("link").click()
    page.wait_for_url(f"**/courses/{current.pk}/")
    assert "The term ended" not in page.content()
