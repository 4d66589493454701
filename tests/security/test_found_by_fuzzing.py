"""What the fuzzer and the permission matrix found, pinned down one by one."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from courseportal.errors import page_not_found, server_error
from presentations.selectors import schedule_published
from presentations.services import group_create
from reviews.services import paper_create
from tests.factories import make_member
from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def test_it_answers_json_for_an_api_url_that_matches_nothing(client) -> None:
    response = client.get("/api/v1/courses/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "/api/v1/courses/not-a-number/" in response.json()["detail"]


def test_it_keeps_the_html_page_for_other_urls_that_match_nothing(client) -> None:
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


def test_it_counts_the_reviews_of_one_paper_too(world: World, client) -> None:
    client.force_login(world.users["student"])
    url = f"/api/v1/courses/{world.course.pk}/papers/{world.released_paper.pk}/"
    assert client.get(url).json()["review_count"] == 2


@pytest.mark.parametrize("method", ["post", "patch"])
def test_it_refuses_a_review_deadline_in_another_era(world: World, client, method: str) -> None:
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


def test_it_describes_meeting_times_as_the_api_writes_them(client, world: World) -> None:
    schema = yaml.safe_load(client.get("/api/schema/").content)
    field = schema["components"]["schemas"]["CourseOutput"]["properties"]["meeting_start"]
    assert "format" not in field  # OpenAPI's "time" wants a UTC offset; a meeting time has none
    client.force_login(world.users["student"])
    course = client.get(f"/api/v1/courses/{world.course.pk}/").json()
    assert course["meeting_start"] == "16:30:00"


def test_it_describes_the_token_list_as_a_list(client, world: World) -> None:
    schema = yaml.safe_load(client.get("/api/schema/").content)
    answer = schema["paths"]["/api/v1/tokens/"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["type"] == "array"
    client.force_login(world.users["student"])
    tokens = client.get("/api/v1/tokens/").json()
    assert {t["name"] for t in tokens} == {"matrix", "spare"}
    assert set(tokens[0]) == {"id", "name", "prefix", "created_at", "last_used_at"}


def test_it_keeps_an_autograder_account_from_rating_reviews(client, world: World) -> None:
    client.force_login(world.users["autograder"])
    url = f"/api/v1/courses/{world.course.pk}/reviews/{world.carol_review.pk}/rating/"
    response = client.put(url, {"helpful": True}, content_type="application/json")
    assert response.status_code == 403
    assert "autograder" in response.json()["detail"]
    assert not world.carol_review.ratings.exists()


def test_it_approves_a_swap_while_a_newer_group_waits_for_a_date(client, world: World) -> None:
    """Found building the matrix: a group formed after publishing blocked every swap."""
    erin = make_member(world.course, "erin", "student")
    group_create(course=world.course, name="Deconvnets", members=[erin])
    swap = world.swap_accepted
    client.force_login(world.users["ta"])
    url = f"/api/v1/courses/{world.course.pk}/swaps/{swap.pk}/approve/"
    response = client.post(url)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    slots = {s.group_id: s.date for s in schedule_published(course=world.course).slots.all()}
    assert slots[swap.from_group_id] == world.day(31)
    assert slots[swap.to_group_id] == world.day(30)
