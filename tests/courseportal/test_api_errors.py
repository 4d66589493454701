"""Every failure under /api/ answers JSON naming the problem, and JSON nesting is bounded
(issue #14, finding 13): a body nested 1,000 deep answered 500, one over 2.5 MB Django's HTML
400 page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from convlab import selectors
from courses.services import api_token_create
from tests.convlab.service.conftest import lab, submit_url

pytestmark = pytest.mark.django_db
__all__ = ["lab"]

TOKENS = "/api/v1/tokens/"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def is_json(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body: dict[str, Any] = json.loads(response.content)
    return body


@pytest.fixture
def student(alice: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(alice)
    return client


# --- JSON depth ------------------------------------------------------------------------------


def test_it_refuses_json_nested_1000_deep_with_a_400_naming_the_problem(student):
    body = '{"name": ' + nested(1000) + "}"
    response = student.post(TOKENS, body, content_type="application/json")
    assert response.status_code == 400
    assert is_json(response) == {
        "detail": "JSON parse error - nested 1001 levels deep; at most 64 are accepted"
    }


def test_it_parses_json_up_to_64_levels(student):
    body = '{"name": ' + nested(63) + "}"
    response = student.post(TOKENS, body, content_type="application/json")
    assert response.status_code == 400  # the serializer's answer: a name is text
    assert "name" in is_json(response)


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "]]", "\\"[[["]', 1),  # brackets inside strings, escaped quotes
        ('{"a": "\\\\"}', 1),  # an escaped backslash ends the string
    ],
)
def test_it_counts_depth_outside_strings(text: str, depth: int) -> None:
    from courseportal.parsers import json_depth

    assert json_depth(text) == depth


def test_it_refuses_a_body_that_is_not_utf8(student):
    response = student.post(TOKENS, b'{"name": "\xff"}', content_type="application/json")
    assert response.status_code == 400
    assert "not utf-8" in is_json(response)["detail"]


def test_the_upload_endpoints_use_the_bounded_parser_too(student, lab):
    body = '{"source": ' + nested(1000) + "}"
    response = student.post(submit_url(lab), body, content_type="application/json")
    assert response.status_code == 400
    assert "nested 1001 levels deep" in is_json(response)["detail"]


# --- every failure is JSON -------------------------------------------------------------------


def test_a_json_body_over_the_limit_answers_413_json_before_it_is_read(student):
    body = '{"name": "' + "a" * 2_700_000 + '"}'
    response = student.post(TOKENS, body, content_type="application/json")
    assert response.status_code == 413
    assert is_json(response) == {
        "detail": "Request body too large: the request body is larger than 2.5 MiB."
    }


def test_a_form_with_too_many_fields_answers_400_json(alice):
    client = Client()
    client.force_login(alice)
    form = "&".join(f"f{i}=1" for i in range(1200))
    response = client.post(TOKENS, form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" in is_json(response)["detail"]


def test_a_bad_host_header_answers_400_json_under_the_api(client: Client) -> None:
    response = client.get("/api/v1/courses/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert is_json(response) == {
        "detail": "Bad request: the request was refused as malformed or unsafe"
    }
    assert client.get("/accounts/login/", HTTP_HOST="evil.example").status_code == 400


def test_an_unknown_api_url_answers_404_json(student):
    response = student.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert is_json(response) == {"detail": "No API endpoint at /api/v1/nothing-here/."}


def test_a_wrong_method_answers_405_json(student, lab):
    response = student.delete(submit_url(lab))
    assert response.status_code == 405
    assert is_json(response) == {"detail": 'Method "DELETE" not allowed.'}


def test_malformed_json_answers_400_json(student):
    response = student.post(TOKENS, '{"name": ', content_type="application/json")
    assert response.status_code == 400
    assert is_json(response)["detail"].startswith("JSON parse error")


def test_no_credentials_401_and_the_wrong_role_403_answer_json(client, alice, lab):
    assert is_json(client.get("/api/v1/courses/"))["detail"]
    key = api_token_create(user=alice, name="laptop")[1]
    regrade = f"/api/v1/courses/{lab.course_id}/assignments/{lab.slug}/regrade/"
    response = client.post(regrade, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 403
    assert is_json(response)["detail"]


def test_the_daily_submission_limit_answers_429_json(student, lab):
    for _ in range(lab.max_submissions_per_day):
        assert student.post(submit_url(lab), {"source": "x = 1\n"}, format="json").status_code == (
            202
        )
    response = student.post(submit_url(lab), {"source": "x = 1\n"}, format="json")
    assert response.status_code == 429
    assert response["Retry-After"]
    assert is_json(response)["detail"]


def test_a_crash_answers_500_json(alice, lab, monkeypatch):
    def crash(**kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "assignment_list", crash)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(alice)
    response = client.get(f"/api/v1/courses/{lab.course_id}/assignments/")
    assert response.status_code == 500
    assert is_json(response) == {"detail": "Server error; it has been logged."}
