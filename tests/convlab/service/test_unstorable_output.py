"""What a student's code prints or raises is stored whatever it contains (PostgreSQL refuses NUL
in text and jsonb, and lone surrogates anywhere), and a result that still cannot be saved ends
the submission as not gradable, with one alert, instead of leaving it running for the sweeper.

Graded in this process (the worker's task, run eagerly), in the sandbox when bubblewrap is here.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import DataError
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from convlab import services
from convlab.grading import GradingResult
from convlab.models import Assignment, GradingRun, Submission
from convlab.sandbox import bwrap_path
from convlab.tasks import grade_submission
from tests.conftest import require
from tests.convlab.service.conftest import REFERENCE

pytestmark = pytest.mark.django_db

# The reference solution, then a module-level print and a conv1d that raises (built with chr(),
# so that the escaped text cannot come from the source lines a traceback quotes): the suite grades
# conv1d as failed with the exception's text as its feedback, the other functions pass.
HOSTILE = (
    REFERENCE
    + b"""
print("printed a" + chr(0) + "b and " + chr(0xDC80) + " here", flush=True)

def conv1d(*args, **kwargs):
    raise ValueError("raised c" + chr(0) + "d and " + chr(0xD800) + " here")
"""
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def submit_and_grade(
    lab: Assignment, student: User, content: bytes, capture: DjangoCaptureOnCommitCallbacks
) -> Submission:
    """Submit, then run the grading task as a worker would (claim, grade, finish)."""
    made = services.submission_create(
        assignment=lab, student=student, submitted_by=student, content=content
    ).submission
    Submission.objects.filter(pk=made.pk).update(status="queued", queued_at=timezone.now())
    with capture(execute=True):
        grade_submission.apply(args=(made.pk,))
    return Submission.objects.get(pk=made.pk)


def all_text(value: object) -> str:
    """Every string inside a stored JSON value, joined."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(all_text(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(all_text(v) for v in value)
    return ""


def test_it_stores_nul_and_lone_surrogates_from_the_students_code_escaped(
    lab, alice, media, django_capture_on_commit_callbacks
):
    require(bwrap_path() is not None, "bubblewrap is not installed (apt-get install bubblewrap)")
    graded = submit_and_grade(lab, alice, HOSTILE, django_capture_on_commit_callbacks)
    assert (graded.status, graded.gradable) == ("done", True)
    assert graded.score is not None
    assert 0 < graded.score < 100  # conv1d's checks failed, the others passed
    text = all_text(graded.results)
    assert "\x00" not in text
    # The sandbox decodes what was printed as UTF-8 (the lone surrogate arrives as U+FFFD),
    # an exception's message travels as JSON (the lone surrogate arrives as it was raised).
    assert "printed a\\x00b and \ufffd here" in text
    assert "raised c\\x00d and \\ud800 here" in text
    run = GradingRun.objects.get(submission=graded)
    assert run.status == "done"


def test_it_ends_a_grading_whose_result_cannot_be_saved_as_not_gradable_with_one_alert(
    lab, alice, tara, media, monkeypatch, django_capture_on_commit_callbacks
):
    original = Submission.save
    failures: list[int] = []

    def save_failing_once(self, *args, **kwargs):
        if self.status == "done" and not failures:
            failures.append(self.pk)
            raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Submission, "save", save_failing_once)
    made = services.submission_create(
        assignment=lab, student=alice, submitted_by=alice, content=REFERENCE
    ).submission
    Submission.objects.filter(pk=made.pk).update(status="queued", queued_at=timezone.now())
    assert services.submission_claim(submission_id=made.pk, task_id="t1", worker="w")
    result = GradingResult(
        assignment=lab.slug, gradable=True, score=100.0, max_score=100.0, output="", tests=()
    )
    with django_capture_on_commit_callbacks(execute=True):
        finished = services.submission_finish(submission_id=made.pk, task_id="t1", result=result)
    assert failures == [made.pk]
    assert finished is not None
    stored = Submission.objects.get(pk=made.pk)
    assert (stored.status, stored.gradable, stored.score) == ("error", False, None)
    run = GradingRun.objects.get(submission=stored)
    assert run.status == "error"
    assert "could not be saved" in run.error
    assert len(mail.outbox) == 1
    assert "could not be saved" in mail.outbox[0].body
    # Final: the sweeper has nothing to hand to another worker, however long it waits.
    later = timezone.now() + dt.timedelta(days=1)
    assert services.submissions_requeue_stuck(now=later) == {
        "received": 0,
        "queued": 0,
        "running": 0,
    }
