"""What the fuzzer and the permission matrix found, pinned down one by one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client, RequestFactory
from django.utils import timezone
from openapi_schema_validator import OAS30ReadValidator

from courseportal.errors import page_not_found, server_error
from presentations.selectors import schedule_published
from presentations.services.groups import group_create
from reviews.services import paper_create
from tests.factories import make_member
from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def test_it_answers_json_for_an_api_url_that_matches_nothing(client: Client) -> None:
    response = client.get("/api/v1/courses/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "/api/v1/courses/not-a-number/" in response.json()["detail"]


def test_it_keeps_the_html_page_for_other_urls_that_match_nothing(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_it_answers_json_for_a_missing_object_behind_an_api_url() -> None:
    response = page_not_found(RequestFactory().get("/api/v1/x/"), Http404("No such paper."))
    assert response.status_code == 404
    assert b'"No such paper."' in response.content


def test_it_answers_json_when_an_api_view_crashes() -> None:
    response = server_error(RequestFactory().get("/api/v1/courses/"))
    assert response.status_code == 500
    assert b'"detail"' in response.content


def test_it_counts_the_reviews_of_one_paper_too(world: World, client: Client) -> None:
    client.force_login(world.users["student"])
    url = f"/api/v1/courses/{world.course.pk}/papers/{world.released_paper.pk}/"
    assert client.get(url).json()["review_count"] == 2


@pytest.mark.parametrize("method", ["post", "patch"])
def test_it_refuses_a_review_deadline_in_another_era(
    world: World, client: Client, method: str
) -> None:
    client.force_login(world.users["instructor"])
    papers = f"/api/v1/courses/{world.course.pk}/papers/"
    body = {"session_date": world.day(22).isoformat(), "title": "Network in Network",
            "review_deadline": "0533-06-02T22:18:55Z"}  # fmt: skip
    if method == "post":
        response = client.post(papers, body, content_type="application/json")
    else:
        url = f"{papers}{world.open_paper.pk}/"
        response = client.patch(url, {"review_deadline": body["review_deadline"]},
                                content_type="application/json")  # fmt: skip
    assert response.status_code == 400
    assert "between 2000 and 2099" in response.json()["review_deadline"][0]


def test_it_still_takes_a_deadline_of_this_century(world: World) -> None:
    deadline = timezone.now() + dt.timedelta(days=3000)
    paper = paper_create(
        course=world.course, session_date=world.day(22), title="NiN", review_deadline=deadline
    )
    assert paper.review_deadline == deadline


def test_it_describes_meeting_times_as_the_api_writes_them(client: Client, world: World) -> None:
    schema = yaml.safe_load(client.get("/api/schema/").content)
    field = schema["components"]["schemas"]["CourseOutput"]["properties"]["meeting_start"]
    assert "format" not in field  # OpenAPI's "time" wants a UTC offset; a meeting time has none
    client.force_login(world.users["student"])
    course = client.get(f"/api/v1/courses/{world.course.pk}/").json()
    assert course["meeting_start"] == "16:30:00"


def test_it_describes_the_token_list_as_a_list(client: Client, world: World) -> None:
    schema = yaml.safe_load(client.get("/api/schema/").content)
    answer = schema["paths"]["/api/v1/tokens/"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["type"] == "array"
    client.force_login(world.users["student"])
    tokens = client.get("/api/v1/tokens/").json()
    assert {t["name"] for t in tokens} == {"matrix", "spare"}
    assert set(tokens[0]) == {"id", "name", "prefix", "created_at", "last_used_at"}


def test_it_keeps_an_autograder_account_from_rating_reviews(client: Client, world: World) -> None:
    client.force_login(world.users["autograder"])
    url = f"/api/v1/courses/{world.course.pk}/reviews/{world.carol_review.pk}/rating/"
    response = client.put(url, {"helpful": True}, content_type="application/json")
    assert response.status_code == 403
    assert "autograder" in response.json()["detail"]
    assert not world.carol_review.ratings.exists()


def test_it_approves_a_swap_while_a_newer_group_waits_for_a_date(
    client: Client, world: World
) -> None:
    """Found building the matrix: a group formed after publishing blocked every swap."""
    erin = make_member(world.course, "erin", "student")
    group_create(course=world.course, name="Deconvnets", members=[erin])
    swap = world.swap_accepted
    client.force_login(world.users["ta"])
    url = f"/api/v1/courses/{world.course.pk}/swaps/{swap.pk}/approve/"
    response = client.post(url)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    published = schedule_published(course=world.course)
    assert published is not None
    slots = {s.group_id: s.date for s in published.slots.all()}
    assert slots[swap.from_group_id] == world.day(31)
    assert slots[swap.to_group_id] == world.day(30)


def documented_errors(client: Client, path: str, method: str, response: Any) -> list[str]:
    """What in an answer the served schema does not document: its status, or its JSON body
    checked against that status's schema, as the fuzzer's checks do."""
    return body_errors(client, path, method, response.status_code, response.json())


def body_errors(client: Client, path: str, method: str, status: int, body: Any) -> list[str]:
    schema = yaml.safe_load(client.get("/api/schema/").content)
    answers = schema["paths"][path][method]["responses"]
    code = str(status)
    if code not in answers:
        return [f"{code} is not documented (only {sorted(answers)})"]
    body_schema = answers[code]["content"]["application/json"]["schema"]
    validator = OAS30ReadValidator({**body_schema, "components": schema["components"]})
    return [error.message for error in validator.iter_errors(body)]


def test_it_documents_a_results_test_without_number_or_tags(client: Client, world: World) -> None:
    client.force_login(world.users["student"])
    response = client.get(f"/api/v1/submissions/{world.submission.pk}/")
    assert response.status_code == 200
    check = response.json()["results"]["tests"][0]
    assert "number" not in check  # Gradescope makes both optional
    assert "tags" not in check
    assert not documented_errors(client, "/api/v1/submissions/{submission_id}/", "get", response)


def test_it_documents_an_analysis_with_nothing_negative(client: Client, world: World) -> None:
    client.force_login(world.users["student"])
    response = client.post(
        "/api/v1/reviews/analyze/", {"text": "TRANSPARENT"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["summary"]["specificity"] is None
    assert not documented_errors(client, "/api/v1/reviews/analyze/", "post", response)


def test_it_documents_the_400_of_a_body_that_is_not_json(client: Client, world: World) -> None:
    client.force_login(world.users["student"])
    response = client.post("/api/v1/tokens/", b"\xff", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert not documented_errors(client, "/api/v1/tokens/", "post", response)


def test_it_documents_the_400_of_a_bad_item_in_a_list(client: Client, world: World) -> None:
    client.force_login(world.users["student"])
    path = "/api/v1/courses/{course_id}/groups/{group_id}/"
    url = f"/api/v1/courses/{world.course.pk}/groups/{world.group.pk}/"
    response = client.patch(url, {"unavailable": ["soon"]}, content_type="application/json")
    assert response.status_code == 400
    assert "wrong format" in response.json()["unavailable"]["0"][0]
    assert not documented_errors(client, path, "patch", response)


def test_the_400_check_can_fail(client: Client) -> None:
    path = "/api/v1/courses/{course_id}/groups/{group_id}/"
    assert body_errors(client, path, "patch", 400, {"unavailable": 3})
    assert body_errors(client, path, "patch", 400, {"detail": ["not a sentence"]})
    assert body_errors(client, path, "patch", 418, {})


def test_it_documents_the_refusal_to_delete_a_reviewed_paper(client: Client, world: World) -> None:
    client.force_login(world.users["ta"])
    response = client.delete(f"/api/v1/courses/{world.course.pk}/papers/{world.released_paper.pk}/")
    assert response.status_code == 400
    assert "never deleted" in response.json()["paper"][0]
    path = "/api/v1/courses/{course_id}/papers/{paper_id}/"
    assert not documented_errors(client, path, "delete", response)
    assert world.released_paper.reviews.exists()


@pytest.mark.parametrize("role", ["student", "autograder"])
def test_it_documents_the_403_of_a_staff_only_read(client: Client, world: World, role: str) -> None:
    client.force_login(world.users[role])
    response = client.get(f"/api/v1/courses/{world.course.pk}/jobs/")
    assert response.status_code == 403
    path = "/api/v1/courses/{course_id}/jobs/"
    assert not documented_errors(client, path, "get", response)


def test_it_documents_a_roster_the_import_cannot_read(client: Client, world: World) -> None:
    client.force_login(world.users["ta"])
    upload = SimpleUploadedFile("roster.csv", b"Name\nAnn\n", content_type="text/csv")
    response = client.post(f"/api/v1/courses/{world.course.pk}/roster/apply/", {"file": upload})
    assert response.status_code == 400
    assert set(response.json()) == {"file"}  # no plan: the rows were never read
    path = "/api/v1/courses/{course_id}/roster/apply/"
    assert not documented_errors(client, path, "post", response)


def test_it_documents_the_400_of_a_bad_query_parameter(client: Client, world: World) -> None:
    """Found by the fuzzer's coverage phase (FUZZ_COVERAGE=1): a read can answer 400 too."""
    client.force_login(world.users["student"])
    response = client.get(f"/api/v1/courses/{world.course.pk}/papers/?session_date=soon")
    assert response.status_code == 400
    assert "wrong format" in response.json()["session_date"][0]
    path = "/api/v1/courses/{course_id}/papers/"
    assert not documented_errors(client, path, "get", response)
