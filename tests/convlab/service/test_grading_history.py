"""Staff see every grading run of a submission on its page; students see only the result."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from convlab import services
from convlab.models import Assignment, Submission, SubmissionStatus
from tests.convlab.service.conftest import REFERENCE

pytestmark = pytest.mark.django_db


def failed_once(lab: Assignment, student: User) -> Submission:
    """A submission whose first grading failed on the grader's side (not gradable)."""
    made = services.submission_create(
        assignment=lab, student=student, submitted_by=student, content=REFERENCE
    )
    # What submission_enqueue does after commit, without handing a message to a broker.
    Submission.objects.filter(pk=made.submission.pk).update(status=SubmissionStatus.QUEUED)
    services.submission_claim(submission_id=made.submission.pk, task_id="t-1", worker="w1")
    finished = services.submission_finish(
        submission_id=made.submission.pk,
        task_id="t-1",
        result=None,
        error="the sandbox could not start",
    )
    assert finished is not None
    return finished


def test_it_shows_staff_each_grading_run(client, lab, alice, tara):
    submission = failed_once(lab, alice)
    client.force_login(tara)
    page = client.get(f"/submissions/{submission.pk}/").text
    assert "Grading history" in page
    assert '<tr data-run="1"><td>1</td><td>error: the sandbox could not start</td>' in page


def test_it_keeps_the_history_from_students(client, lab, alice):
    submission = failed_once(lab, alice)
    client.force_login(alice)
    for url in (f"/submissions/{submission.pk}/", f"/submissions/{submission.pk}/status/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Grading history" not in response.text
        assert "data-run=" not in response.text
