"""OpenAPI descriptions for drf-spectacular of what it cannot infer by itself, and the
examples of the course core's endpoints (used by `@extend_schema` in apis.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers

from courseportal.openapi import request_example, response_example


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "courses.authentication.ApiTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token: `Authorization: Bearer cp_...`",
        }


# --- Examples, from the seed course (CS 7643 Deep Learning, Georgia Tech, Fall 2017) ----------

COURSE = {
    "id": 1,
    "code": "CS 7643",
    "title": "Deep Learning",
    "term": "Fall 2017",
    "time_zone": "America/New_York",
    "first_day": "2017-08-22",
    "last_day": "2017-12-07",
    "meeting_days": ["Tue", "Thu"],
    "meeting_start": "16:30:00",
    "meeting_end": "17:45:00",
    "presenters_per_class": 6,
    "reviews_require_acknowledgement": False,
    "slides_due_hours_before": 24,
    "role": "instructor",
}
COURSE_INPUT = {
    key: COURSE[key]
    for key in (
        "code",
        "title",
        "term",
        "time_zone",
        "first_day",
        "last_day",
        "meeting_days",
        "meeting_start",
        "meeting_end",
        "presenters_per_class",
    )
}
COURSE_LIST = [response_example("A student's course", {**COURSE, "role": "student"})]
COURSE_CREATE = [
    request_example("The seed course", COURSE_INPUT),
    response_example("Created", {**COURSE, "role": None}, status=201),
]
COURSE_DETAIL = [response_example("CS 7643, read by its instructor", COURSE)]
COURSE_UPDATE = [
    request_example("Four presenters a class", {"presenters_per_class": 4}),
    response_example("Updated", {**COURSE, "presenters_per_class": 4}),
]

SESSION_LIST = [
    response_example(
        "A regular class",
        {
            "date": "2017-10-12",
            "starts_at": "2017-10-12T16:30:00-04:00",
            "ends_at": "2017-10-12T17:45:00-04:00",
            "number": 14,
            "meets": True,
            "has_papers": True,
            "has_presentations": True,
            "label": "Class — paper reading and student presentations",
            "exception_kind": None,
            "exception_title": None,
        },
    ),
    response_example(
        "The guest lecture",
        {
            "date": "2017-10-05",
            "starts_at": "2017-10-05T16:30:00-04:00",
            "ends_at": "2017-10-05T17:45:00-04:00",
            "number": 13,
            "meets": True,
            "has_papers": False,
            "has_presentations": False,
            "label": "Guest lecture — no papers, no presentations",
            "exception_kind": "guest_lecture",
            "exception_title": "Guest lecture by Dr. Stefan Lee",
        },
        name="Guest lecture",
    ),
    response_example(
        "Fall break",
        {
            "date": "2017-10-10",
            "starts_at": "2017-10-10T16:30:00-04:00",
            "ends_at": "2017-10-10T17:45:00-04:00",
            "number": None,
            "meets": False,
            "has_papers": False,
            "has_presentations": False,
            "label": "No class — Fall break",
            "exception_kind": "no_class",
            "exception_title": "Fall break",
        },
        name="No class",
    ),
]

EXCEPTION = {
    "id": 5,
    "date": "2017-11-21",
    "kind": "no_class",
    "reason": "cancelled",
    "title": "Instructor travel",
    "created_at": "2017-11-01T10:12:03-04:00",
    "updated_at": "2017-11-01T10:12:03-04:00",
}
EXCEPTION_INPUT = {
    "date": "2017-11-21",
    "kind": "no_class",
    "reason": "cancelled",
    "title": "Instructor travel",
}
EXCEPTION_LIST = [
    response_example(
        "Fall break",
        {
            "id": 3,
            "date": "2017-10-10",
            "kind": "no_class",
            "reason": "break",
            "title": "Fall break",
            "created_at": "2017-08-15T09:00:00-04:00",
            "updated_at": "2017-08-15T09:00:00-04:00",
        },
    )
]
EXCEPTION_CREATE = [
    request_example("Cancel a class", EXCEPTION_INPUT),
    request_example(
        "Add a guest lecture",
        {"date": "2017-10-05", "kind": "guest_lecture", "title": "Guest lecture by Dr. Stefan Lee"},
    ),
    response_example("Created", EXCEPTION, status=201),
]
EXCEPTION_DETAIL = [response_example("A cancelled class", EXCEPTION)]
EXCEPTION_REPLACE = [
    request_example("Replace", {**EXCEPTION_INPUT, "title": "Instructor at NIPS"}),
    response_example("Replaced", {**EXCEPTION, "title": "Instructor at NIPS"}),
]
EXCEPTION_UPDATE = [
    request_example("Retitle", {"title": "Instructor at NIPS"}),
    response_example("Updated", {**EXCEPTION, "title": "Instructor at NIPS"}),
]

ANNOUNCEMENT = {
    "id": 6,
    "title": "HW2 + PS2 out",
    "body": "Homework 2 and problem set 2 are out.",
    "pinned": True,
    "author": "Dhruv Batra",
    "created_at": "2017-09-26T09:00:00-04:00",
    "updated_at": "2017-09-26T09:00:00-04:00",
}
ANNOUNCEMENT_LIST = [response_example("The slide's administrativia", ANNOUNCEMENT)]
ANNOUNCEMENT_CREATE = [
    request_example(
        "Announce homework",
        {"title": "HW2 + PS2 out", "body": "Homework 2 and problem set 2 are out.", "pinned": True},
    ),
    response_example("Created", ANNOUNCEMENT, status=201),
]
ANNOUNCEMENT_DETAIL = [response_example("An announcement", ANNOUNCEMENT)]
ANNOUNCEMENT_UPDATE = [
    request_example("Unpin", {"pinned": False}),
    response_example("Updated", {**ANNOUNCEMENT, "pinned": False}),
]


class TokenCreatedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    key = serializers.CharField(help_text="`Authorization: Bearer <key>`; shown only this once")


TOKEN_LIST = [
    response_example(
        "A token",
        {
            "id": 2,
            "name": "gradescope bridge",
            "prefix": "cp_3wJX6rQ",
            "created_at": "2017-09-26T09:30:00-04:00",
            "last_used_at": "2017-10-18T22:41:07-04:00",
        },
    )
]
TOKEN_CREATE = [
    request_example("Name the token", {"name": "gradescope bridge"}),
    response_example(
        "Created (the key is shown once)",
        {
            "id": 2,
            "name": "gradescope bridge",
            "key": "cp_3wJX6rQ6WI1IDI9-yTrnYYB6DhE_JIBQp7nBpWIFImw",
        },
        status=201,
    ),
]


STAFF_MEMBER = {"id": 3, "username": "ta", "name": "Michael Cogswell", "role": "ta"}
STAFF_LIST = [
    response_example("The course's TA", STAFF_MEMBER),
]
STAFF_ADD = [
    request_example("Add a TA", {"who": "ta", "role": "ta"}),
    request_example(
        "Add a co-instructor by e-mail", {"who": "zkira@example.edu", "role": "instructor"}
    ),
    response_example("Added", STAFF_MEMBER, status=201),
]
