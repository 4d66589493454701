"""The pictures of issue #16 in a real browser, at desktop and phone width: the presentation
schedule at a glance (seats per class date, the student's own day) and the rating
distributions of a paper's reviews."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from demo.seed import DEMO_PASSWORD, seed_demo
from reviews.services import paper_create, review_create
from tests.browser import pages
from tests.browser.axe import PHONE_VIEWPORT, accessibility_problems, phone_width_problems
from tests.reviews.conftest import GOOD_REVIEW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}


def log_in(page: Any, base: str, username: str) -> None:
    pages.log_in(page, base, username, DEMO_PASSWORD)


def check_both_widths(page: Any, url: str) -> None:
    """axe-clean at 1280 px, then axe-clean and no sideways scroll at 375 px."""
    problems = []
    for viewport in (DESKTOP, PHONE_VIEWPORT):
        page.set_viewport_size(viewport)
        page.goto(url)
        problems.append(accessibility_problems(page))
        if viewport is PHONE_VIEWPORT:
            problems.append(phone_width_problems(page))
    assert not any(problems), "\n".join(p for p in problems if p)


def test_it_shows_the_schedule_at_a_glance(browser: Any, live_server: Any) -> None:
    course = seed_demo().course
    staff = browser.new_context(viewport=DESKTOP).new_page()
    log_in(staff, live_server.url, "instructor")
    manage = f"{live_server.url}/courses/{course.pk}/presentations/manage/"
    staff.goto(manage)
    staff.get_by_role("button", name="Generate an optimal draft").click()
    staff.get_by_text("Draft v1 is ready").wait_for()
    assert staff.locator(".seat-grid .seat-cell").count() > 0
    assert "of 6 seats" in staff.locator(".seat-grid").inner_text()
    check_both_widths(staff, manage)
    staff.goto(manage)
    staff.get_by_label("I understand that publishing moves every group").check()
    staff.get_by_role("button", name="Publish draft v1").click()
    staff.get_by_text("Schedule v1 is published.").wait_for()

    student = browser.new_context(viewport=DESKTOP).new_page()
    log_in(student, live_server.url, "student1")
    schedule = f"{live_server.url}/courses/{course.pk}/presentations/"
    check_both_widths(student, schedule)  # ends at 375 px
    own = student.locator(".seat-cell.seat-own")
    assert own.count() == 1
    assert "Your group" in own.inner_text()
    # Seats count students: groups of two use two each.
    assert re.search(r"\b([246]) of 6 seats · [123] groups?", own.inner_text())
    fall_break = student.locator('.seat-cell[data-date="2017-10-10"]')
    assert "No class — Fall break" in fall_break.inner_text()
    # The student's day is on the first screen of a phone, and its link jumps to the day's row.
    your_day = student.locator("#your-day")
    assert your_day.bounding_box()["y"] < PHONE_VIEWPORT["height"]
    your_day.get_by_role("link").click()
    date = own.get_attribute("data-date")
    row = student.locator(f'tr[id="day-{date}"]')
    student.wait_for_url(f"**#day-{date}")
    box = row.bounding_box()
    assert 0 <= box["y"] < PHONE_VIEWPORT["height"]
    assert "your group" in row.inner_text()


def test_it_draws_a_papers_rating_distribution(page: Any, live_server: Any) -> None:
    course = seed_demo().course
    users = {u.username: u for u in get_user_model().objects.all()}
    paper = paper_create(
        course=course,
        session_date=dt.date(2017, 10, 17),
        title="Fully Convolutional Networks for Semantic Segmentation",
        review_deadline=timezone.now() - dt.timedelta(days=1),
    )
    written = paper.review_deadline - dt.timedelta(hours=1)
    for name, rating, confidence in (("student1", 4, 3), ("student2", 4, 5), ("student3", 2, 4)):
        values: dict[str, Any] = {**GOOD_REVIEW, "rating": rating, "confidence": confidence}
        review_create(paper=paper, author=users[name], now=written, **values)

    log_in(page, live_server.url, "student1")
    detail = f"{live_server.url}/courses/{course.pk}/papers/{paper.pk}/"
    check_both_widths(page, detail)
    rating = page.locator('[data-chart="rating"] svg[role="img"]')
    assert rating.get_attribute("aria-label") == (
        "Rating of 3 reviews, mean 3.3 of 5 (1: 0, 2: 1, 3: 0, 4: 2, 5: 0)."
    )
    assert page.locator('[data-chart="confidence"] svg rect.bar').count() == 5

    log_in(page, live_server.url, "instructor")
    dashboard = f"{live_server.url}/courses/{course.pk}/reviews/dashboard/"
    check_both_widths(page, dashboard)
    row = page.locator(f'tr[data-paper="{paper.pk}"]')
    labels = [row.locator('svg[role="img"]').nth(i).get_attribute("aria-label") for i in (0, 1)]
    assert labels[1] == "Confidence of 3 reviews, mean 4.0 of 5 (1: 0, 2: 0, 3: 1, 4: 1, 5: 1)."
