"""A graded course built through the real services: reviews on time and late, convlab
submissions graded on time and late (and one not gradable), presentation scores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from time_machine import TimeMachineFixture

from convlab import services as convlab_services
from convlab.grading import GradingResult
from convlab.models import Assignment, Submission
from courses import services as course_services
from courses.models import Course
from gradebook import services
from presentations.services.groups import group_create
from reviews.services import paper_create, review_create
from tests.factories import make_member
from tests.reviews.conftest import GOOD_REVIEW

NY = ZoneInfo("America/New_York")
# "Now" for every test here: Tuesday of fall break, before the last paper's deadline.
NOW = dt.datetime(2017, 10, 10, 12, 0, tzinfo=NY)
SUITE_POINTS = 100.0  # the built-in transposed-convolutions suite


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=NY)


def graded_submission(
    assignment: Assignment, student: Any, *, received: dt.datetime, raw: float | None
) -> Submission:
    """A submission received at `received` and graded to `raw` points (None: not gradable)."""
    made = convlab_services.submission_create(
        assignment=assignment,
        student=student,
        submitted_by=student,
        content=b"def conv1d(*args):\n    return None\n",
        now=received,
    )
    Submission.objects.filter(pk=made.submission.pk).update(status="queued")
    task = f"task-{made.submission.pk}"
    claimed = convlab_services.submission_claim(
        submission_id=made.submission.pk, task_id=task, worker="test"
    )
    assert claimed is not None
    result = GradingResult(
        assignment=assignment.suite,
        gradable=raw is not None,
        score=raw,
        max_score=SUITE_POINTS,
        output="" if raw is not None else "sandbox missing",
        tests=(),
    )
    finished = convlab_services.submission_finish(
        submission_id=made.submission.pk, task_id=task, result=result
    )
    assert finished is not None
    return finished


@dataclass
class Scenario:
    course: Any
    alice: Any
    carol: Any
    dave: Any  # dropped: has work, but is not graded
    tara: Any
    lab1: Assignment
    lab2: Assignment
    visualizations: Any
    explanations: Any
    now: dt.datetime = NOW


@pytest.fixture
def scenario(course: Course, alice: User, tara: User, time_machine: TimeMachineFixture) -> Scenario:
    carol = make_member(course, "carol", "student")
    dave = make_member(course, "dave", "student")
    alice.first_name, alice.last_name = "Alice", "Liddell"
    alice.save()
    carol.first_name, carol.last_name = "=Carol", "Danvers"  # a formula, for the CSV guard
    carol.save()
    services.grade_policy_update(course=course, review_points=2, late_review_fraction=0.25)

    # Reviews. Deadlines: 23:59 New York time on the day before each session.
    p1 = paper_create(course=course, session_date=dt.date(2017, 9, 5), title="Paper one")
    p2 = paper_create(course=course, session_date=dt.date(2017, 9, 7), title="Paper two")
    paper_create(course=course, session_date=dt.date(2017, 12, 5), title="Paper three")
    review_create(paper=p1, author=alice, now=at(2017, 9, 1, 10), **GOOD_REVIEW)
    # Late by 1 day and 1 hour: 2 started days late.
    review_create(paper=p2, author=alice, now=at(2017, 9, 8, 0, 59), **GOOD_REVIEW)
    review_create(paper=p1, author=carol, now=at(2017, 9, 5, 1, 0), **GOOD_REVIEW)
    review_create(paper=p1, author=dave, now=at(2017, 9, 1, 10), **GOOD_REVIEW)

    # Convlab: 10 % per started day late, due 2017-09-20 23:59 New York time.
    lab1 = Assignment.objects.create(
        course=course,
        slug="lab1",
        title="Lab 1: transposed convolutions",
        suite="transposed-convolutions",
        opens_at=at(2017, 9, 1),
        due_at=at(2017, 9, 20, 23, 59),
        late_penalty_percent_per_day=10,
    )
    lab2 = Assignment.objects.create(
        course=course,
        slug="lab2",
        title="Lab 2",
        suite="transposed-convolutions",
        opens_at=at(2017, 9, 21),
        due_at=at(2017, 10, 20, 23, 59),
    )
    graded_submission(lab1, alice, received=at(2017, 9, 19, 12), raw=60)
    graded_submission(lab1, alice, received=at(2017, 9, 22, 9), raw=90)  # 2 days late: 72
    graded_submission(lab1, alice, received=at(2017, 9, 22, 10), raw=None)  # not gradable
    graded_submission(lab1, carol, received=at(2017, 9, 20, 8), raw=70)
    graded_submission(lab1, carol, received=at(2017, 9, 23, 9), raw=90)  # 3 days late: 63
    graded_submission(lab1, dave, received=at(2017, 9, 19, 12), raw=100)

    # Presentations: scored out of the default 10.
    visualizations = group_create(course=course, name="Visualizations", members=[alice])
    explanations = group_create(course=course, name="Explanations", members=[carol])
    services.presentation_grade_set(
        course=course, group_id=visualizations.pk, score=8.5, actor=tara
    )
    course_services.membership_set(course=course, user=dave, role="student", is_active=False)

    time_machine.move_to(NOW, tick=False)
    return Scenario(course, alice, carol, dave, tara, lab1, lab2, visualizations, explanations)
