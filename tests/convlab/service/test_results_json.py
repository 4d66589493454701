"""results.json is valid Gradescope in every state a submission can be in (issue #14, finding 13).

The schema is Gradescope's results.json as /work/shared/NOTES.md records it ("Course
autograders"): a numeric `score`, a `tests` list whose entries have numeric `score` and
`max_score`, text `output`, and the four visibilities. Our own additions (`max_score`,
`gradable`, `timings`, `hidden_checks`) are extra keys, which Gradescope ignores.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema_rs
import pytest

from convlab import services
from convlab.grading import GradingResult, results
from convlab.grading.results import CheckResult, to_gradescope
from convlab.models import Assignment, Submission

pytestmark = pytest.mark.django_db

VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
GRADESCOPE_RESULTS = {
    "type": "object",
    "required": ["score", "tests", "output"],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "name": {"type": "string"},
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": VISIBILITY,
                    "status": {"enum": ["passed", "failed"]},
                    "extra_data": {"type": "object"},
                },
            },
        },
        "leaderboard": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "value"],
                "properties": {"name": {"type": "string"}, "order": {"enum": ["asc", "desc"]}},
            },
        },
    },
}
VALID = jsonschema_rs.Draft7Validator(GRADESCOPE_RESULTS)

CHECKS = (
    CheckResult("shapes", 40.0, 40.0, "all shapes right", "visible", 4, 4),
    CheckResult("overlap", 10.0, 40.0, "overlapping windows are not summed", "hidden", 1, 4),
    CheckResult("stride 3", 20.0, 20.0, "right", "after_due", 2, 2),
)


def graded(score: float = 70.0) -> GradingResult:
    return GradingResult("transposed-convolutions", True, score, 100.0, "Graded.", CHECKS)


NOT_GRADABLE = GradingResult(
    "transposed-convolutions",
    False,
    None,
    100.0,
    "Not graded: the grader failed (the sandbox could not start). This attempt does not count.",
    (),
)


def results_url(submission: Submission) -> str:
    return f"/api/v1/submissions/{submission.pk}/results.json"


def finished(
    lab: Assignment, student: Any, result: GradingResult | None, **create: Any
) -> Submission:
    """A submission taken through the services: received, queued, claimed, finished."""
    made = services.submission_create(
        assignment=lab, student=student, submitted_by=student, content=b"x = 1\n", **create
    )
    Submission.objects.filter(pk=made.submission.pk).update(status="queued")
    services.submission_claim(submission_id=made.submission.pk, task_id="t", worker="w")
    services.submission_finish(submission_id=made.submission.pk, task_id="t", result=result)
    return Submission.objects.get(pk=made.submission.pk)


def valid_results(api: Any, user: Any, submission: Submission) -> dict[str, Any]:
    api.force_authenticate(user)
    response = api.get(results_url(submission))
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    errors = [f"{list(e.instance_path)}: {e.message}" for e in VALID.iter_errors(body)]
    assert not errors, errors
    return body


def test_the_schema_refuses_what_was_answered_before() -> None:
    """The check can fail: the old answers of a not-gradable submission are refused."""
    assert not VALID.is_valid({})
    assert not VALID.is_valid(to_gradescope(NOT_GRADABLE))  # "score": null
    assert VALID.is_valid(to_gradescope(graded()))


@pytest.mark.parametrize("status", ["received", "queued", "running"])
def test_before_it_is_final_it_answers_409_naming_the_status(api, lab, alice, status):
    made = services.submission_create(
        assignment=lab, student=alice, submitted_by=alice, content=b"x = 1\n"
    ).submission
    Submission.objects.filter(pk=made.pk).update(status=status)
    api.force_authenticate(alice)
    response = api.get(results_url(made))
    assert response.status_code == 409
    assert response.json() == {"detail": f"not graded yet: {status}", "status": status}


def test_a_graded_submission_is_valid_for_the_student_and_the_staff(api, lab, alice, tara):
    submission = finished(lab, alice, graded())
    mine = valid_results(api, alice, submission)
    # Before the due date the score is what is shown: the listed check and the hidden one
    # (40 + 10 of 80), not the 20 points of the check that opens after the due date.
    assert (mine["score"], mine["max_score"]) == (50.0, 80.0)
    assert mine["after_due_checks"] == {"total": 1, "max_score": 20.0}
    assert mine["gradable"] is True
    # Before the due date a student sees the visible check, and the hidden one only counted.
    assert [t["name"] for t in mine["tests"]] == ["shapes"]
    assert mine["hidden_checks"] == {"passed": 0, "total": 1}
    full = valid_results(api, tara, submission)
    assert [t["name"] for t in full["tests"]] == ["shapes", "overlap", "stride 3"]
    assert (full["score"], full["max_score"]) == (70.0, 100.0)
    assert "after_due_checks" not in full


def test_a_late_submission_is_valid_and_says_how_it_was_reduced(api, lab, alice):
    Assignment.objects.filter(pk=lab.pk).update(
        due_at=dt.datetime(2017, 10, 1, tzinfo=dt.UTC), late_penalty_percent_per_day=10
    )
    lab.refresh_from_db()
    two_days_late = dt.datetime(2017, 10, 2, 12, tzinfo=dt.UTC)
    submission = finished(lab, alice, graded(), now=two_days_late)
    assert submission.late_days == 2
    body = valid_results(api, alice, submission)
    assert body["score"] == 56.0
    assert (
        "Submitted 2 day(s) late: 70 points before the late penalty, 56 after it."
        in (body["output"])
    )


def test_a_not_gradable_submission_is_valid_scores_0_and_says_no_attempt_was_used(api, lab, alice):
    submission = finished(lab, alice, NOT_GRADABLE)
    assert (submission.status, submission.gradable) == ("error", False)
    body = valid_results(api, alice, submission)
    assert body["score"] == 0.0
    assert body["tests"] == []
    assert body["gradable"] is False
    assert body["extra_data"]["gradable"] is False
    assert "This attempt does not count." in body["output"]


def test_a_submission_whose_grading_left_nothing_is_valid(api, lab, alice, robot):
    # The worker's result could not be saved, or never came: `{}` is stored.
    submission = finished(
        lab,
        alice,
        None,
    )
    assert submission.results == {}
    for user in (alice, robot):
        body = valid_results(api, user, submission)
        assert body["score"] == 0.0
        assert body["gradable"] is False
        assert body["output"].startswith("Not graded: the grader failed on this submission")


def test_a_submission_being_graded_again_answers_409(api, lab, alice, tara):
    submission = finished(lab, alice, graded())
    services.submission_regrade(submission=submission)
    api.force_authenticate(tara)
    assert api.get(results_url(submission)).status_code == 409


@pytest.mark.parametrize(
    "stored",
    [
        {},
        {"score": None, "tests": None, "output": None},
        {"score": None, "max_score": 100.0, "gradable": False, "output": "", "tests": []},
        to_gradescope(NOT_GRADABLE),
        to_gradescope(graded()),
    ],
)
@pytest.mark.parametrize(("gradable", "score"), [(True, 70.0), (False, None), (True, None)])
def test_whatever_was_stored_the_answer_is_valid(stored, gradable, score):
    body = results.final_gradescope(
        stored, gradable=gradable, score=score, raw_score=score, late_days=0
    )
    assert VALID.is_valid(body), list(VALID.iter_errors(body))
    assert body["gradable"] is (gradable and score is not None)
