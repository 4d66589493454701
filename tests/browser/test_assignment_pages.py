"""An instructor sets up a lab in the browser, at a desk and on a phone: creates it from the
built-in suite (after one refused try), sees it marked not open yet, opens it now; then a
student sees it on the labs list, with none of the staff controls."""

from __future__ import annotations

from typing import Any

import pytest

from convlab.models import Assignment
from tests.browser.axe import PHONE_WIDTH
from tests.browser.pages import check, log_in
from tests.factories import make_course, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, PHONE_WIDTH])
def test_an_instructor_creates_a_lab_and_a_student_sees_it(
    browser: Any, live_server: Any, width: int
) -> None:
    course = make_course()
    make_member(course, "ines", "instructor")
    make_member(course, "alice", "student")
    viewport = {"width": width, "height": 800}
    labs = f"{live_server.url}/courses/{course.pk}/labs/"
    problems: list[str] = []

    page = browser.new_context(viewport=viewport).new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "ines")
    page.goto(labs)
    check(page, problems)

    page.get_by_role("link", name="New assignment").click()
    page.wait_for_url("**/labs/new/")
    check(page, problems)
    page.get_by_label("Title").fill("Lab 3: transposed convolutions")
    page.get_by_label("Check suite").select_option("transposed-convolutions")
    page.get_by_label("Opens").fill("2099-01-07T09:00")
    page.get_by_label("Due", exact=True).fill("2099-01-06T09:00")  # before it opens
    page.get_by_role("button", name="Create lab").click()
    page.get_by_text("Due: The due date is before the lab opens.").wait_for()
    check(page, problems)  # the page with its error
    page.get_by_label("Due", exact=True).fill("2099-02-07T23:59")
    page.get_by_label("Late penalty (% per day)").fill("5")
    page.get_by_role("button", name="Create lab").click()
    page.wait_for_url(labs)
    page.get_by_text("“Lab 3: transposed convolutions” is created.").wait_for()
    assert page.get_by_text("not open yet: opens Jan 7").is_visible()
    check(page, problems)

    page.get_by_role("link", name="Edit Lab 3: transposed convolutions").click()
    page.wait_for_url("**/labs/lab-3-transposed-convolutions/edit/")
    check(page, problems)
    page.get_by_role("link", name="Open it now…").click()
    page.wait_for_url("**/open/")
    check(page, problems)
    page.get_by_role("button", name="Open now").click()
    page.wait_for_url(labs)
    page.get_by_text("is open to students now.").wait_for()
    assert page.get_by_text("not open yet").count() == 0
    page.context.close()

    lab = Assignment.objects.get(course=course)
    assert lab.suite == "transposed-convolutions"
    assert lab.late_penalty_percent_per_day == 5

    page = browser.new_context(viewport=viewport).new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "alice")
    page.goto(labs)
    page.get_by_role("link", name="Lab 3: transposed convolutions").click()
    page.wait_for_url("**/labs/lab-3-transposed-convolutions/")
    assert page.get_by_role("button", name="Submit for grading").is_visible()
    page.goto(labs)
    for control in ("New assignment", "Edit Lab 3: transposed convolutions"):
        assert page.get_by_role("link", name=control).count() == 0
    check(page, problems)
    page.context.close()

    assert not problems, "\n".join(problems)
