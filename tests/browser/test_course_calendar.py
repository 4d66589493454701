from __future__ import annotations

from typing import Any

import pytest

from demo.seed import DEMO_PASSWORD, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_demo_student_the_presentations_day_and_fall_break(
    page: Any, live_server: Any
) -> None:
    seed_demo()
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill("student1")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/courses/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "CS 7643: Deep Learning"
    assert page.get_by_text("HW2 + PS2 out").is_visible()

    page.get_by_role("link", name="Calendar", exact=True).click()
    page.wait_for_url("**/calendar/")
    oct_12 = page.locator('tr[data-date="2017-10-12"]')
    assert oct_12.inner_text().split("\t")[-1].strip() == "Papers and presentations"
    oct_10 = page.locator('tr[data-date="2017-10-10"]')
    assert "No class — Fall break" in oct_10.inner_text()
    oct_05 = page.locator('tr[data-date="2017-10-05"]')
    assert "Guest lecture — no papers, no presentations" in oct_05.inner_text()
    assert page.locator("table.calendar tbody tr").count() == 32


def test_it_fits_the_calendar_on_a_phone(page: Any, live_server: Any) -> None:
    seed_demo()
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("student1")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/courses/*/")
    page.get_by_role("link", name="Calendar", exact=True).click()
    page.wait_for_url("**/calendar/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
