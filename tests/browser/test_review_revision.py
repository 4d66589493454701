"""The needs-revision journey in a real browser: a TA asks for a revision with a note; the
student logs in on a phone, reads the note on their review, edits and saves a new version;
the TA sees it revised. Checked with axe-core at 1280 px and 375 px."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from reviews.models import Review, RevisionStatus
from reviews.services import paper_create, review_create
from tests.browser.axe import PHONE_VIEWPORT, assert_accessible, phone_width_problems
from tests.factories import PASSWORD, make_course, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Say which experimental setting is not reasonable, and what would be."
REVISED = "Table 2 tunes the baseline's learning rate but not the proposed model's."
DESKTOP = {"width": 1280, "height": 800}


def log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/courses/*/")


def test_staff_ask_for_a_revision_the_student_revises_staff_see_it_revised(
    browser: Any, live_server: Any
) -> None:
    course = make_course()
    alice = make_member(course, "alice", "student")
    make_member(course, "tara", "ta")
    deadline = timezone.now() - dt.timedelta(hours=1)
    paper = paper_create(
        course=course,
        session_date=dt.date(2017, 10, 12),
        title="Deconvolution and Checkerboard Artifacts",
        review_deadline=deadline,
    )
    review = review_create(
        paper=paper,
        author=alice,
        now=deadline - dt.timedelta(hours=1),
        summary="The paper replaces transposed convolutions with resize-convolutions.",
        strengths="Figure 3 shows the checkerboard artifacts disappear.",
        weaknesses="The experimental settings are not reasonable.",
        questions="",
        rating=3,
        confidence=3,
    )
    paper_url = f"{live_server.url}/courses/{course.pk}/papers/{paper.pk}/"

    staff = browser.new_context(viewport=DESKTOP)
    ta = staff.new_page()
    ta.set_default_timeout(15_000)
    log_in(ta, live_server, "tara")
    ta.goto(paper_url)
    article = ta.locator(f"#review-{review.pk}")
    article.get_by_text("Ask for a revision").click()
    article.get_by_label("Note to the author").fill(NOTE)
    article.get_by_role("button", name='Mark "needs revision"').click()
    ta.wait_for_url(f"**/papers/{paper.pk}/#review-{review.pk}")
    assert "needs revision" in article.locator("h3").inner_text()
    assert NOTE in article.locator(".revision-note").inner_text()
    assert_accessible(ta)

    phone = browser.new_context(viewport=PHONE_VIEWPORT)
    student = phone.new_page()
    student.set_default_timeout(15_000)
    log_in(student, live_server, "alice")
    student.goto(paper_url)
    own = student.locator(f"#review-{review.pk}")
    assert NOTE in own.locator(".revision-note").inner_text()
    assert phone_width_problems(student) == ""
    assert_accessible(student)
    own.get_by_role("link", name="Revise your review").click()
    student.wait_for_url(f"**/papers/{paper.pk}/review/")
    student.get_by_label("Weaknesses").fill(REVISED)
    student.get_by_role("button", name="Save a new version").click()
    student.wait_for_url(f"**/papers/{paper.pk}/")
    assert "revised" in own.locator("h3").inner_text()
    assert "Revise your review" not in own.inner_text()

    ta.goto(paper_url)
    assert "revised" in article.locator("h3").inner_text()
    assert "Revised after staff asked" in article.locator(".revision-note").inner_text()
    assert REVISED in article.inner_text()
    assert_accessible(ta)
    staff.close()
    phone.close()

    review.refresh_from_db()
    assert review.revision_status == RevisionStatus.REVISED
    assert Review.objects.get(pk=review.pk).versions.count() == 2
