"""OpenAPI descriptions of the convlab API: the Gradescope results.json shape, token bodies, and
the examples of each endpoint (used by `@extend_schema` in apis.py).

The examples follow the seed course's lab (CS 7643 Fall 2017, "Lab 2: transposed
convolutions", due 2017-10-19) as its autograder account sees it.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from courseportal.openapi import request_example, response_example

VISIBILITY = ["hidden", "after_due_date", "after_published", "visible"]


class ResultTestOutput(serializers.Serializer):
    """One check, as in Gradescope's results.json; `tags` name recognised misconceptions.

    Gradescope makes `number` and `tags` optional, and a grader's check without a misconception
    or a numbering leaves them out, so they are documented as optional too.
    """

    name = serializers.CharField()
    number = serializers.CharField(required=False)
    score = serializers.FloatField()
    max_score = serializers.FloatField()
    output = serializers.CharField()
    visibility = serializers.ChoiceField(choices=VISIBILITY)
    status = serializers.ChoiceField(choices=["passed", "failed"])
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    extra_data = serializers.DictField(
        required=False, help_text="`heatmaps_png_base64`: error maps of failed cases"
    )


class HiddenChecksOutput(serializers.Serializer):
    passed = serializers.IntegerField()
    total = serializers.IntegerField()


class AfterDueChecksOutput(serializers.Serializer):
    total = serializers.IntegerField()
    max_score = serializers.FloatField()


class ResultsOutput(serializers.Serializer):
    """Gradescope's results.json, plus `max_score`, `gradable` and `timings`.

    Before the due date a student sees hidden checks only as `hidden_checks` (how many passed)
    and no `after_due_date` checks; the course's TAs and instructors see everything. As a
    submission's `results`: empty until graded. As results.json: valid Gradescope for every
    final submission; one the grader could not grade has `score` 0 with `gradable` false and an
    `output` saying so (no attempt used; do not record that 0).
    """

    score = serializers.FloatField(
        required=False, allow_null=True, help_text="results.json: after any late penalty"
    )
    max_score = serializers.FloatField(required=False, allow_null=True)
    execution_time = serializers.FloatField(required=False, help_text="seconds")
    output = serializers.CharField(required=False)
    stdout_visibility = serializers.ChoiceField(choices=VISIBILITY, required=False)
    visibility = serializers.ChoiceField(choices=VISIBILITY, required=False)
    tests = ResultTestOutput(many=True, required=False)
    hidden_checks = HiddenChecksOutput(required=False)
    after_due_checks = AfterDueChecksOutput(
        required=False,
        help_text="before the due date, for a student: the checks that open after it, counted "
        "with their points; `score` and `max_score` then leave them out",
    )
    gradable = serializers.BooleanField(required=False)
    timings = serializers.DictField(
        child=serializers.FloatField(), required=False, help_text="seconds per grading phase"
    )
    extra_data = serializers.DictField(required=False)


class RegradeQueuedOutput(serializers.Serializer):
    queued = serializers.IntegerField(help_text="how many submissions went back in the queue")


# --- Examples -------------------------------------------------------------------------------

ASSIGNMENT = {
    "id": 1,
    "slug": "transposed-convolutions",
    "title": "Lab 2: transposed convolutions",
    "suite": "transposed-convolutions",
    "opens_at": "2017-09-26T05:00:00-04:00",
    "due_at": "2017-10-19T19:59:00-04:00",
    "closes_at": None,
    "grace_minutes": 0,
    "late_penalty_percent_per_day": 0,
    "max_submissions_per_day": 20,
    "needs_gpu": False,
}
ASSIGNMENT_LIST = [response_example("The seed lab", ASSIGNMENT)]


def _check(number: int, name: str, points: float, cases: int, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "number": str(number),
        "score": points,
        "max_score": points,
        "output": f"All {cases} cases passed.",
        "visibility": "visible",
        "status": "passed",
        "tags": [],
        **extra,
    }


RESULTS: dict[str, Any] = {
    "score": 90.0,
    "max_score": 100.0,
    "execution_time": 0.545,
    "output": "10 of 11 checks passed.",
    "stdout_visibility": "visible",
    "visibility": "visible",
    "tests": [
        _check(1, "conv_matrix: the slides' matrices", 5.0, 4),
        _check(2, "conv_matrix: X^T is the transposed convolution", 5.0, 4),
        _check(3, "conv1d", 10.0, 4),
        _check(4, "conv_transpose1d", 15.0, 5),
        _check(5, "conv2d", 10.0, 4),
        _check(6, "conv_transpose2d", 15.0, 4),
        _check(7, "conv_transpose2d: more strides, dilations and groups", 10.0, 3)
        | {
            "score": 0.0,
            "output": "0 of 3 cases passed.\n- case stride 2, kernel 3: overlapping copies "
            "overwritten instead of summed: where copies overlap they are summed; yours keeps "
            "only the last copy written.",
            "visibility": "hidden",
            "status": "failed",
            "tags": ["overlapping copies overwritten instead of summed"],
        },
        _check(8, "conv2d_backward", 10.0, 2),
        _check(9, "conv_transpose2d_backward", 10.0, 2),
        _check(10, "overlap_map", 5.0, 5),
        _check(11, "conv_transpose1d: a larger input within a time budget", 5.0, 1)
        | {"visibility": "after_due_date"},
    ],
    "gradable": True,
    "timings": {"prepare": 0.0444, "run": 0.4932, "check": 0.0073},
    "extra_data": {"gradable": True, "outcomes": ["ok"], "sandboxed": True, "stdout": ""},
}
STUDENT_RESULTS = {
    **RESULTS,
    "tests": [t for t in RESULTS["tests"] if t["visibility"] == "visible"],
    "hidden_checks": {"passed": 0, "total": 1},
}
SUBMISSION = {
    "id": 8841,
    "url": "https://portal.example.edu/api/v1/submissions/8841/",
    "assignment": "transposed-convolutions",
    "student": "student1",
    "attempt": 2,
    "sha256": "b13cac0af9feeec5e1ee8abb127905d8f6f808b1a076e064b61ff9a22b23d6b9",
    "status": "done",
    "waiting_for": None,
    "gradable": True,
    "score": 90.0,
    "raw_score": 90.0,
    "max_score": 100.0,
    "late_days": 0,
    "received_at": "2017-10-18T22:41:07-04:00",
    "queued_at": "2017-10-18T22:41:07-04:00",
    "started_at": "2017-10-18T22:41:08-04:00",
    "finished_at": "2017-10-18T22:41:09-04:00",
    "results": RESULTS,
}
QUEUED = {
    **SUBMISSION,
    "status": "queued",
    "waiting_for": "a grading worker",
    "gradable": None,
    "score": None,
    "raw_score": None,
    "max_score": None,
    "started_at": None,
    "finished_at": None,
    "results": {},
}
SOURCE = (
    "import numpy as np\n\n"
    "def conv_transpose2d(x, weight, stride=1, padding=0, output_padding=0, dilation=1, "
    "groups=1):\n    ...\n"
)
SUBMISSION_LIST = [response_example("A graded submission", SUBMISSION)]
# 422 of a submission whose Idempotency-Key was used before for a different request.
KEY_REUSED_OUTPUT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "Idempotency-Key": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Why the key was refused.",
        }
    },
    "required": ["Idempotency-Key"],
}
SUBMIT = [
    request_example(
        "An autograder submits for a student",
        {"student": "student1", "source": SOURCE},
        name="Autograder, JSON",
    ),
    request_example("A student submits their own code", {"source": SOURCE}, name="Student, JSON"),
    request_example(
        "A file upload",
        {"student": "student1", "file": "convolutions.py (text/x-python)"},
        name="Autograder, multipart",
        media_type="multipart/form-data",
    ),
    response_example("Queued for grading", QUEUED, status=202),
    response_example(
        "The Idempotency-Key was used before for another request",
        {
            "Idempotency-Key": [
                "this key was used before for a different request (another file, student or "
                "assignment), so this one was not submitted; send a new key for a new submission"
            ]
        },
        status=422,
        name="Key reused",
    ),
]
SUBMISSION_DETAIL = [
    response_example("Graded, as the autograder sees it", SUBMISSION),
    response_example("Still in the queue", QUEUED, name="Queued"),
    response_example(
        "The grader could not grade it (no attempt used)",
        {
            **SUBMISSION,
            "status": "error",
            "gradable": False,
            "score": None,
            "raw_score": None,
            "results": {
                "score": None,
                "max_score": 100.0,
                "output": "Not graded: the grader failed (the sandbox could not start). This "
                "attempt does not count.",
                "gradable": False,
                "tests": [],
            },
        },
        name="Not gradable",
    ),
]
RESULTS_EXAMPLES = [
    response_example("Full results (staff, autograder)", RESULTS),
    response_example(
        "A student before the due date", STUDENT_RESULTS, name="Student before due date"
    ),
    response_example(
        "The grader could not grade it (no attempt used; do not record the 0)",
        {
            "score": 0.0,
            "max_score": 100.0,
            "execution_time": 0.0,
            "output": "Not graded: the grader failed (the sandbox could not start). This "
            "attempt does not count.",
            "stdout_visibility": "visible",
            "visibility": "visible",
            "tests": [],
            "gradable": False,
            "timings": {},
            "extra_data": {"gradable": False, "outcomes": [], "sandboxed": True, "stdout": ""},
        },
        name="Not gradable",
    ),
]
REGRADE = [
    request_example("Grade again where it was queued", {}),
    request_example(
        "Grade on the CPU instead of waiting for a GPU", {"use_gpu": False}, name="CPU"
    ),
    response_example("Queued again", {**QUEUED, "attempt": 2}, status=202),
]
ASSIGNMENT_REGRADE = [
    request_example("Confirmed", {"confirm": True}),
    response_example("Every latest submission queued", {"queued": 12}, status=202),
]
