"""Live, safe interaction (#16) in a real browser: a failed htmx request is shown in the page's
alert region and cleared by the next success; a bulk action asks for a confirmation first (the
browser's `required` checkbox, and the server's 400 page when a stale form skips it); the
submissions list refreshes itself when a grading finishes."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from convlab.models import Assignment, Submission, SubmissionStatus
from courses.models import Membership
from demo.seed import DEMO_PASSWORD, seed_demo
from presentations.models import PresentationSchedule
from tests.browser import pages
from tests.browser.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, base: str, username: str) -> None:
    pages.log_in(page, base, username, DEMO_PASSWORD)


def a_lab_with_a_submission(username: str, status: str) -> tuple[Assignment, Submission]:
    course = seed_demo().course
    lab = Assignment.objects.filter(course=course).order_by("pk").first()
    assert lab is not None
    student = Membership.objects.get(course=course, user__username=username).user
    attempt = Submission.objects.filter(assignment=lab, student=student).count() + 1
    submission = Submission.objects.create(
        assignment=lab,
        student=student,
        submitted_by=student,
        file="submissions/live.py",
        sha256="0" * 64,
        attempt=attempt,
        status=status,
        received_at=timezone.now(),
    )
    return lab, submission


def test_it_shows_a_failed_htmx_request_in_the_alert_region_and_clears_it(
    page: Any, live_server: Any
) -> None:
    _, submission = a_lab_with_a_submission("student1", SubmissionStatus.QUEUED)
    log_in(page, live_server.url, "student1")
    page.goto(f"{live_server.url}/submissions/{submission.pk}/")
    alert = page.locator("#htmx-error[role=alert]")
    assert alert.inner_text() == ""

    # The student loses access while the status is being polled: the poll answers 404.
    Membership.objects.filter(user=submission.student).update(is_active=False)
    page.get_by_role("alert").filter(has_text="no longer exists").wait_for()
    assert "Reload the page" in alert.inner_text()
    assert_accessible(page)

    from playwright.sync_api import expect  # imported here like the browser fixture does

    Membership.objects.filter(user=submission.student).update(is_active=True)
    expect(alert).to_be_empty()


def test_it_updates_the_submissions_list_when_the_grading_finishes(
    page: Any, live_server: Any
) -> None:
    lab, submission = a_lab_with_a_submission("student1", SubmissionStatus.QUEUED)
    log_in(page, live_server.url, "student1")
    page.goto(f"{live_server.url}/courses/{lab.course_id}/labs/{lab.slug}/")
    row = page.locator(
        "#submissions tr", has=page.get_by_role("link", name=str(submission.attempt), exact=True)
    )
    assert "Queued" in row.inner_text()
    Submission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.DONE, score=3.0, max_score=4.0, finished_at=timezone.now()
    )
    page.locator("#submissions:not([hx-trigger])").wait_for(timeout=10_000)
    assert "Done" in row.inner_text()
    assert "3 / 4" in row.inner_text()


def test_it_confirms_regrade_all_before_queueing_anything(page: Any, live_server: Any) -> None:
    lab, submission = a_lab_with_a_submission("student1", SubmissionStatus.DONE)
    log_in(page, live_server.url, "ta")
    lab_url = f"{live_server.url}/courses/{lab.course_id}/labs/{lab.slug}/"
    page.goto(lab_url)
    confirm = page.get_by_label("I understand that every graded submission of this lab")
    assert confirm.is_visible()

    # Not ticked: the browser keeps the form (required), nothing is sent.
    page.get_by_role("button", name="Regrade all").click()
    assert page.url == lab_url
    assert page.evaluate("document.querySelector('input[name=confirm]').validity.valueMissing")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DONE

    # A stale form without the checkbox reaches the server: a 400 page that asks again.
    page.evaluate("document.querySelector('input[name=confirm]').remove()")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Regrade all").click()
    assert navigation.value.status == 400
    page.get_by_role("heading", name="Please confirm: regrade all").wait_for()
    assert "Nothing was done yet" in page.get_by_role("alert").filter(has_text="tick").inner_text()
    assert_accessible(page)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DONE

    page.get_by_label("I understand that every graded submission of this lab").check()
    page.get_by_role("button", name="Regrade all").click()
    page.get_by_text("queued for regrading").wait_for()
    submission.refresh_from_db()
    assert submission.status != SubmissionStatus.DONE


def test_it_confirms_publishing_a_schedule(page: Any, live_server: Any) -> None:
    course = seed_demo().course
    log_in(page, live_server.url, "instructor")
    page.goto(f"{live_server.url}/courses/{course.pk}/presentations/manage/")
    page.get_by_role("button", name="Generate an optimal draft").click()
    page.get_by_text("Draft v1 is ready").wait_for()
    page.get_by_role("button", name="Publish draft v1").click()
    assert page.evaluate("document.querySelector('input[name=confirm]').validity.valueMissing")
    assert not PresentationSchedule.objects.filter(course=course, status="published").exists()
    assert_accessible(page)

    page.get_by_label("I understand that publishing moves every group").check()
    page.get_by_role("button", name="Publish draft v1").click()
    page.get_by_text("Schedule v1 is published.").wait_for()
    assert PresentationSchedule.objects.filter(course=course, status="published").exists()
