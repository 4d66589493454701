"""The API's bulk actions run only with an explicit `{"confirm": true}`: otherwise a 400 naming
`confirm`, and nothing is done (issue #16). Regrade all of a lab here; publishing a schedule in
tests/presentations/test_api_publish_confirm.py, the bulk regrade job in tests/jobs/test_api.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from convlab.models import Assignment, Submission, SubmissionStatus

pytestmark = pytest.mark.django_db

REFUSALS = [None, {}, {"confirm": False}, {"confirm": "maybe"}, {"confirm": None}]


@pytest.fixture
def graded_lab(course, alice):
    lab = Assignment.objects.create(
        course=course,
        slug="lab-2",
        title="Lab 2",
        suite="transposed-convolutions",
        opens_at=dt.datetime(2017, 9, 26, tzinfo=dt.UTC),
        due_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )
    Submission.objects.create(
        assignment=lab,
        student=alice,
        file="submissions/x.py",
        sha256="0" * 64,
        attempt=1,
        received_at=timezone.now(),
        status=SubmissionStatus.DONE,
    )
    return lab


@pytest.mark.parametrize("body", REFUSALS)
def test_regrade_all_needs_confirm(api, tara, graded_lab, body):
    api.force_authenticate(tara)
    url = f"/api/v1/courses/{graded_lab.course_id}/assignments/{graded_lab.slug}/regrade/"
    response = api.post(url, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["confirm"]
    assert Submission.objects.get().status == SubmissionStatus.DONE  # nothing queued


def test_regrade_all_runs_once_confirmed(api, tara, graded_lab):
    api.force_authenticate(tara)
    url = f"/api/v1/courses/{graded_lab.course_id}/assignments/{graded_lab.slug}/regrade/"
    response = api.post(url, {"confirm": True}, format="json")
    assert response.status_code == 202
    assert response.json() == {"queued": 1}
    assert Submission.objects.get().status == SubmissionStatus.RECEIVED


def test_a_student_gets_403_whatever_the_body(api, alice, graded_lab):
    api.force_authenticate(alice)
    url = f"/api/v1/courses/{graded_lab.course_id}/assignments/{graded_lab.slug}/regrade/"
    assert api.post(url, {"confirm": True}, format="json").status_code == 403
    assert api.post(url).status_code == 403
