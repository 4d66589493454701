"""Schemathesis fuzzes every operation of /api/schema/, as each role, through the WSGI app.

No answer may be a 5xx or break the schema, and every 4xx body is JSON naming the problem: a
field of the request, or "detail". Path parameters point at the world's real objects, so that
the generated bodies and query strings reach the code behind the permission checks; each
example runs in a savepoint that is rolled back, so every one starts from the same world.

Bounded for CI: FUZZ_EXAMPLES examples per operation and role (derandomized, no deadline),
about a minute of CPU. FUZZ_COVERAGE=1 adds schemathesis's coverage phase (boundary values,
unexpected methods), about five times as long: run it by hand after changing the API.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from courseportal.wsgi import application
from tests.security.world import World, build_world

FUZZ_EXAMPLES = 8
# Every role but the other course's members, whose calls all end at the course's 404.
FUZZ_ROLES = ("anonymous", "student", "ta", "instructor", "autograder")

# The world's object for each path parameter of the schema.
PATH_OBJECTS = {
    "course_id": lambda w: w.course.pk,
    "exception_id": lambda w: w.exception.pk,
    "announcement_id": lambda w: w.announcement.pk,
    "paper_id": lambda w: w.released_paper.pk,
    "review_id": lambda w: w.carol_review.pk,
    "group_id": lambda w: w.group.pk,
    "schedule_id": lambda w: w.draft.pk,
    "swap_id": lambda w: w.swap_to_student.pk,
    "slug": lambda w: w.assignment.slug,
    "submission_id": lambda w: w.submission.pk,
    "token_id": lambda w: w.spare_token.pk,
}


def error_body_names_the_problem(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 4xx answers JSON that says what is wrong: "detail", or the fields at fault."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(
            f"{response.status_code} body is not JSON: {response.content[:200]!r}"
        ) from None
    if not isinstance(body, dict) or not body:
        raise AssertionError(f"{response.status_code} body names no problem: {body!r}")
    for key, value in body.items():
        if not isinstance(key, str) or not key or value in (None, "", [], {}):
            raise AssertionError(f"{response.status_code} body has an empty entry: {body!r}")
    return True


def documents_errors(case: Any) -> bool:
    """Whether the operation lists any 4xx status, so that status codes can be checked."""
    return any(str(code).startswith("4") for code in case.operation.definition.raw["responses"])


@pytest.fixture
def world(db: None, settings: Any) -> Iterator[World]:
    # The WSGI transport calls the site as "localhost".
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # Like Django's test client: a request must not close the connection that holds the test's
    # transaction (the WSGI handler does so at the end of every request).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield build_world()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(params=FUZZ_ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


CONFIG = schemathesis.Config.from_dict(
    {"phases": {"coverage": {"enabled": os.environ.get("FUZZ_COVERAGE") == "1"}}}
)


def load_schema() -> Any:
    """The schema as /api/schema/ serves it (no database is needed to serve it)."""
    with override_settings(ALLOWED_HOSTS=["localhost"]):
        return schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)


schema = load_schema()


@schema.parametrize()
@hypothesis.settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_it_never_fails_on_generated_requests(case: Any, role: str, world: World) -> None:
    for name in case.path_parameters or {}:
        if name in PATH_OBJECTS:
            case.path_parameters[name] = PATH_OBJECTS[name](world)
    headers = {"Authorization": f"Bearer {world.keys[role]}"} if role in world.keys else {}
    checks = [not_a_server_error, response_schema_conformance, error_body_names_the_problem]
    if documents_errors(case):
        checks.append(status_code_conformance)
    with transaction.atomic():
        case.call_and_validate(headers=headers, checks=checks)
        transaction.set_rollback(True)


@dataclass
class _Answer:
    status_code: int
    content: bytes


@pytest.mark.parametrize(
    ("answer", "passes"),
    [
        (_Answer(400, b'{"title": ["This field is required."]}'), True),
        (_Answer(404, b'{"detail": "No such course."}'), True),
        (_Answer(200, b"<html></html>"), True),
        (_Answer(404, b"<h1>Not Found</h1>"), False),
        (_Answer(400, b"{}"), False),
        (_Answer(403, b'{"detail": ""}'), False),
        (_Answer(400, b'["no field named"]'), False),
    ],
)
def test_its_error_body_check_fails_on_bodies_that_name_nothing(
    answer: _Answer, passes: bool
) -> None:
    if passes:
        error_body_names_the_problem(None, answer, None)
    else:
        with pytest.raises(AssertionError):
            error_body_names_the_problem(None, answer, None)
