"""When the grader fails on a submission, the course's TAs and instructors get one mail per
assignment per CONVLAB_ALERT_EVERY, and the staff page lists what waits for a regrade."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from pytest_django import DjangoCaptureOnCommitCallbacks

from convlab import services
from convlab.models import Assignment, Submission
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def fail_grading(
    lab: Assignment, student: User, capture: DjangoCaptureOnCommitCallbacks, number: int
) -> Submission:
    """Submit, claim, and finish as the grader does when it cannot run (result None)."""
    with capture(execute=True):
        made = services.submission_create(
            assignment=lab, student=student, submitted_by=student, content=b"x = 1\n"
        ).submission
    Submission.objects.filter(pk=made.pk).update(status="queued")
    assert services.submission_claim(submission_id=made.pk, task_id=f"t{number}", worker="w")
    with capture(execute=True):
        finished = services.submission_finish(
            submission_id=made.pk,
            task_id=f"t{number}",
            result=None,
            error="bubblewrap (bwrap) is not installed",
        )
    assert finished is not None
    return finished


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_staff_get_one_mail_per_assignment_while_the_grader_fails(
    lab, alice, tara, ines, settings, media, django_capture_on_commit_callbacks
):
    lab.max_submissions_per_day = 10
    lab.save()
    make_member(lab.course, "carol", "student")
    first = fail_grading(lab, alice, django_capture_on_commit_callbacks, 1)
    assert (first.status, first.gradable) == ("error", False)
    fail_grading(lab, alice, django_capture_on_commit_callbacks, 2)
    assert len(mail.outbox) == 1  # the second failure within the window is not mailed
    sent = mail.outbox[0]
    assert sorted(sent.to) == ["ines@example.edu", "tara@example.edu"]
    assert "the grader is failing" in sent.subject
    assert "bubblewrap" in sent.body
    assert "does not count against the student" in sent.body
    cache.clear()  # the window has passed
    fail_grading(lab, alice, django_capture_on_commit_callbacks, 3)
    assert len(mail.outbox) == 2


def test_a_course_without_staff_emails_gets_no_mail_and_nothing_breaks(
    lab, alice, settings, media, django_capture_on_commit_callbacks
):
    done = fail_grading(lab, alice, django_capture_on_commit_callbacks, 1)
    assert done.status == "error"
    assert mail.outbox == []


def test_the_staff_page_lists_failures_and_students_do_not_see_it(
    client, lab, alice, tara, settings, media, django_capture_on_commit_callbacks
):
    fail_grading(lab, alice, django_capture_on_commit_callbacks, 1)
    page = f"/courses/{lab.course_id}/labs/{lab.slug}/"
    client.force_login(tara)
    text = client.get(page).text
    assert "The grader failed on 1 attempt in the last 24 hours" in text
    assert "?status=error" in text
    client.force_login(alice)
    assert "The grader failed" not in client.get(page).text
