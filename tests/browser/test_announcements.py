"""An instructor posts an announcement in the pages (e-mailing the class), at a desktop and at
a phone width; a student then reads it on the course page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from tests.browser.axe import PHONE_VIEWPORT, accessibility_problems, phone_width_problems
from tests.conftest import mail_sent
from tests.factories import PASSWORD, make_course, make_member

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}


def log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/courses/*/")


def check_page(page: Any, viewport: dict[str, int]) -> None:
    problems = accessibility_problems(page)
    if viewport == PHONE_VIEWPORT:
        problems += phone_width_problems(page)
    assert problems == "", problems


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_VIEWPORT], ids=["1280px", "375px"])
def test_an_instructor_posts_an_announcement_that_a_student_reads(
    page: Any, live_server: Any, mail_worker: Any, viewport: dict[str, int]
) -> None:
    course = make_course()
    make_member(course, "ines", "instructor")
    make_member(course, "alice", "student")
    page.set_viewport_size(viewport)

    log_in(page, live_server, "ines")
    page.get_by_role("link", name="Post or edit announcements").click()
    page.wait_for_url("**/announcements/")
    check_page(page, viewport)

    # A title is required: the form says so and nothing is posted.
    page.get_by_role("button", name="Post the announcement").click()
    page.get_by_text("Title: This field is required.").wait_for()
    check_page(page, viewport)

    page.get_by_label("Title").fill("HW2 + PS2 out")
    page.get_by_label("Message").fill("Due Oct 19.\nNo class on 10/10 (fall break).")
    page.get_by_label("Also e-mail it to the class").check()
    page.get_by_role("button", name="Post the announcement").click()
    page.get_by_text(
        "Announcement posted. Mail is being sent to 1 student and the course staff"
    ).wait_for()
    assert mail.outbox == []  # a worker sends it, after the page answered
    sent = mail_sent(mail_worker, 2)
    assert "To: alice@example.edu" in sent
    assert "To: ines@example.edu" in sent
    check_page(page, viewport)

    page.get_by_role("link", name="Edit “HW2 + PS2 out”").click()
    page.get_by_label("Pin it above the others").check()
    check_page(page, viewport)
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Announcement “HW2 + PS2 out” saved.").wait_for()

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "alice")
    assert page.get_by_role("heading", name="HW2 + PS2 out").is_visible()
    assert page.get_by_text("No class on 10/10 (fall break).").is_visible()
    assert page.get_by_role("link", name="Post or edit announcements").count() == 0
    check_page(page, viewport)

    # The staff page answers a student with the site's 403 page, and a way back.
    page.goto(f"{live_server.url}/courses/{course.pk}/announcements/")
    assert page.get_by_role("heading", name="You can't open this page").is_visible()
    check_page(page, viewport)
    page.get_by_role("link", name="Back to your courses").click()
    page.wait_for_url(f"**/courses/{course.pk}/")
