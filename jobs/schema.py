"""OpenAPI examples of the staff jobs endpoints (used by `@extend_schema` in apis.py), from the
seed course (CS 7643 Deep Learning, Fall 2017): a bulk regrade of Lab 2."""

from __future__ import annotations

from typing import Any

from courseportal.openapi import request_example, response_example

QUEUED: dict[str, Any] = {
    "id": 7,
    "url": "/api/v1/courses/1/jobs/7/",
    "kind": "bulk_regrade",
    "status": "queued",
    "done": 0,
    "total": 0,
    "percent": 0,
    "message": "",
    "result": None,
    "created_by": "instructor",
    "created_at": "2017-10-16T09:12:03.417211-04:00",
    "started_at": None,
    "finished_at": None,
}
RUNNING: dict[str, Any] = {
    **QUEUED,
    "status": "running",
    "done": 9,
    "total": 12,
    "percent": 75,
    "message": "Regraded 9 of 12 submissions",
    "started_at": "2017-10-16T09:12:03.652908-04:00",
}
DONE: dict[str, Any] = {
    **RUNNING,
    "status": "done",
    "done": 12,
    "percent": 100,
    "message": "Regraded 12 submissions of Lab 2: transposed convolutions",
    "result": {
        "assignment": "transposed-convolutions",
        "regraded": 12,
        "gradable": 12,
        "not_gradable": 0,
        "skipped_in_progress": [],
        "message": "Regraded 12 submissions of Lab 2: transposed convolutions",
    },
    "finished_at": "2017-10-16T09:13:41.208114-04:00",
}

JOB_LIST = [
    response_example("A finished bulk regrade", {k: v for k, v in DONE.items() if k != "result"})
]
JOB_START = [
    request_example(
        "Regrade every submission of Lab 2",
        {"kind": "bulk_regrade", "assignment": "transposed-convolutions", "confirm": True},
    ),
    response_example("Queued; poll its url", QUEUED, status=202),
]
JOB_DETAIL = [
    response_example("Running", RUNNING),
    response_example("Done, with its result", DONE, name="Done"),
]
