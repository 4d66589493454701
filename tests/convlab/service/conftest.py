from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from convlab.models import Assignment, Submission
from tests.factories import make_member

SOLUTIONS = Path(__file__).resolve().parents[1] / "grading" / "solutions"
REFERENCE = (SOLUTIONS / "reference.py").read_bytes()


@pytest.fixture
def lab(course):
    """The built-in suite, open since 2017 and due far ahead (hidden checks still hidden)."""
    return Assignment.objects.create(
        course=course,
        slug="transposed-convolutions",
        title="Lab 2",
        suite="transposed-convolutions",
        opens_at=dt.datetime(2017, 9, 26, tzinfo=dt.UTC),
        due_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        max_submissions_per_day=3,
    )


@pytest.fixture
def robot(course):
    """The course's autograder account."""
    return make_member(course, "robot", "autograder")


def submit_url(assignment: Assignment) -> str:
    return f"/api/v1/courses/{assignment.course_id}/assignments/{assignment.slug}/submissions/"


def wait_final(submission_id: int, timeout: float = 90) -> Submission:
    """Poll the database until a worker has finished the submission."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission = Submission.objects.get(pk=submission_id)
        if submission.is_final:
            return submission
        time.sleep(0.1)
    raise AssertionError(f"submission {submission_id} still {submission.status} after {timeout} s")
