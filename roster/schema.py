"""OpenAPI examples of roster import (used by `@extend_schema` in apis.py), from the seed
course (CS 7643 Deep Learning, Fall 2017): its twelve students exported from Gradescope, plus
one who enrolled late. The bodies are what the API answered for these files."""

from __future__ import annotations

from typing import Any

from courseportal.openapi import request_example, response_example
from jobs.schema import QUEUED

UPLOAD = "multipart/form-data"
COLUMNS = {
    "first_name": "First Name",
    "last_name": "Last Name",
    "sis_id": "SID",
    "email": "Email",
    "role": "Role",
    "section": "Section",
}
# (first name, last name, n) of the seed's studentN, in the export's order (by last name).
SEED_STUDENTS = [
    ("Frances", "Allen", 9), ("Edsger", "Dijkstra", 8), ("Grace", "Hopper", 3),
    ("Katherine", "Johnson", 5), ("Donald", "Knuth", 10), ("Yann", "LeCun", 12),
    ("Barbara", "Liskov", 7), ("Ada", "Lovelace", 1), ("John", "McCarthy", 6),
    ("Radia", "Perlman", 11), ("Claude", "Shannon", 4), ("Alan", "Turing", 2),
]  # fmt: skip
NEW_STUDENT: dict[str, Any] = {
    "email": "ghinton3@gatech.edu",
    "first_name": "Geoffrey",
    "last_name": "Hinton",
    "role": "student",
    "section": "A",
    "sis_id": "903000123",
    "action": "create",
    "changes": [],
    "user_id": None,
    "membership_id": None,
    "match": "new",
    "sis_login_id": "",
    "lms_user_id": "",
    "lms_name": "",
}


def _counts(**nonzero: int) -> dict[str, int]:
    keys = ("create", "add", "update", "reactivate", "unchanged", "deactivate", "errors")
    counts = {key: nonzero.get(key, 0) for key in keys}
    counts["changes"] = nonzero.get("changes", 0)
    return counts


UNCHANGED = [
    {"row": row, "email": f"student{n}@example.edu", "first_name": first, "last_name": last,
     "role": "student", "section": "", "sis_id": "", "action": "unchanged", "changes": [],
     "user_id": n + 2, "membership_id": n + 2, "match": "e-mail", "sis_login_id": "",
     "lms_user_id": "", "lms_name": ""}
    for row, (first, last, n) in enumerate(SEED_STUDENTS, start=2)
]  # fmt: skip
APPLIED = {
    "applied": True,
    "format": "gradescope",
    "columns": COLUMNS,
    "counts": _counts(create=1, unchanged=12, changes=1),
    "errors": [],
    "rows": [*UNCHANGED, {"row": 14, **NEW_STUDENT}],
    "deactivate": [],
    "skipped_rows": [],
    "lms_columns": [],
}
WITH_ERRORS = {
    "applied": False,
    "format": "gradescope",
    "columns": COLUMNS,
    "counts": _counts(create=1, errors=1, changes=1),
    "errors": [{"row": 3, "column": "Email", "message": '"not-an-email" is not an email'}],
    "rows": [{"row": 2, **NEW_STUDENT}],
    "deactivate": [],
    "skipped_rows": [],
    "lms_columns": [],
}
LARGE_FILE = {**QUEUED, "kind": "roster_import", "id": 8, "url": "/api/v1/courses/1/jobs/8/"}

FULL_ROSTER = request_example(
    "The Gradescope roster export", {"file": "roster.csv (text/csv)"}, media_type=UPLOAD
)
AS_JOB = response_example(
    "Over 500 rows: a job; poll its url", LARGE_FILE, status=202, name="Large file"
)
PREVIEW = [
    FULL_ROSTER,
    response_example("A bad email in row 3 (nothing is changed by a preview)", WITH_ERRORS),
    AS_JOB,
]
APPLY = [
    FULL_ROSTER,
    response_example("One student created, twelve unchanged", APPLIED),
    AS_JOB,
    response_example(
        "A bad email in row 3: nothing applied",
        {"file": ["1 rows have errors; nothing was applied"], **WITH_ERRORS},
        status=400,
        name="Rows with errors",
    ),
]
