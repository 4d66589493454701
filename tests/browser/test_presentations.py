from __future__ import annotations

from typing import Any

import pytest

from demo.seed import DEMO_PASSWORD, seed_demo
from tests.browser import pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, base: str, username: str) -> None:
    pages.log_in(page, base, username, DEMO_PASSWORD)


def test_it_lets_staff_publish_and_a_student_see_their_slot(browser: Any, live_server: Any) -> None:
    course = seed_demo().course
    staff = browser.new_context().new_page()
    log_in(staff, live_server.url, "instructor")
    staff.goto(f"{live_server.url}/courses/{course.pk}/presentations/manage/")
    staff.get_by_role("button", name="Generate an optimal draft").click()
    staff.get_by_text("Draft v1 is ready").wait_for()
    staff.get_by_label("I understand that publishing moves every group").check()
    staff.get_by_role("button", name="Publish draft v1").click()
    staff.get_by_text("Schedule v1 is published.").wait_for()

    student = browser.new_context().new_page()
    log_in(student, live_server.url, "student1")
    student.goto(f"{live_server.url}/courses/{course.pk}/presentations/group/")
    slot = student.locator("#your-slot")
    assert "You present on" in slot.inner_text()
    student.goto(f"{live_server.url}/courses/{course.pk}/presentations/")
    fall_break = student.locator('tr[data-date="2017-10-10"]')
    assert "No class — Fall break" in fall_break.inner_text()
    own = student.locator("li.own")
    assert "Visualizations" in own.inner_text()
