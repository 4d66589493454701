"""The course shell in a real browser: the course's sections on every page, the student's
"What's due" and the staff's "Needs attention" panels, at 1280 and 375 px, axe-clean."""

from __future__ import annotations

from typing import Any

import pytest

from demo.seed import DEMO_PASSWORD, seed_demo
from tests.browser.axe import PHONE_VIEWPORT, assert_accessible, phone_width_problems
from tests.browser.screenshots import save_screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, base: str, username: str, viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _open_course(page: Any, base: str, course_id: int) -> None:
    page.goto(f"{base}/courses/{course_id}/")
    page.locator("section#course-panel h2").wait_for()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE_VIEWPORT])
def test_a_student_finds_every_section_and_what_is_due(
    page: Any, live_server: Any, viewport: dict[str, int]
) -> None:
    course = seed_demo().course
    _log_in(page, live_server.url, "student1", viewport)
    _open_course(page, live_server.url, course.pk)
    nav = page.get_by_role("navigation", name="Course")
    assert nav.get_by_role("link").all_inner_texts() == [
        "Home", "Calendar", "Papers", "Presentations", "Labs", "Grades"
    ]  # fmt: skip
    assert page.get_by_role("heading", name="What's due").is_visible()
    assert page.get_by_role("heading", name="Your presentation").is_visible()
    assert_accessible(page)
    if viewport == PHONE_VIEWPORT:
        assert phone_width_problems(page) == ""
    save_screenshots(page, "course-shell-student-home")

    nav.get_by_role("link", name="Papers", exact=True).click()
    page.wait_for_url("**/papers/")
    current = page.get_by_role("navigation", name="Course").locator('[aria-current="page"]')
    assert current.inner_text() == "Papers"
    crumbs = page.get_by_role("navigation", name="Breadcrumb").inner_text()
    assert "CS 7643" in crumbs
    assert "Papers" in crumbs
    assert_accessible(page)

    page.get_by_role("navigation", name="Course").get_by_role("link", name="Calendar").click()
    page.wait_for_url("**/calendar/")
    assert page.locator("table.month").count() == 5  # August to December 2017
    assert page.locator("table.month td.day-guest").count() == 1
    assert_accessible(page)
    if viewport == PHONE_VIEWPORT:
        assert phone_width_problems(page) == ""
    save_screenshots(page, "course-shell-student-calendar")


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE_VIEWPORT])
def test_staff_find_the_staff_section_and_what_needs_them(
    page: Any, live_server: Any, viewport: dict[str, int]
) -> None:
    course = seed_demo().course
    _log_in(page, live_server.url, "ta", viewport)
    _open_course(page, live_server.url, course.pk)
    nav = page.get_by_role("navigation", name="Course")
    assert nav.get_by_role("link").all_inner_texts()[-1] == "Staff"
    assert page.get_by_role("heading", name="Needs attention").is_visible()
    assert_accessible(page)
    if viewport == PHONE_VIEWPORT:
        assert phone_width_problems(page) == ""
    save_screenshots(page, "course-shell-staff-home")
    nav.get_by_role("link", name="Staff", exact=True).click()
    page.wait_for_url("**/staff/")
    assert (
        page.get_by_role("navigation", name="Course").locator('[aria-current="page"]').inner_text()
        == "Staff"
    )
