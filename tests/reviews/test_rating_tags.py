"""The rating tags a review received: counts for its author once released, and for staff;
never who gave them. The dashboard and its CSV sum them per student."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from reviews.models import RatingTag, Review, ReviewRating
from reviews.services import paper_update, review_rate
from tests.factories import make_member
from tests.reviews.conftest import write_review

pytestmark = pytest.mark.django_db


def tags_url(review: Review) -> str:
    return f"/api/v1/courses/{review.paper.course_id}/reviews/{review.pk}/tags/"


def counted(response: Any) -> dict[str, int]:
    return {row["tag"]: row["count"] for row in response.json()["tags"]}


@pytest.fixture
def dave(course):
    return make_member(course, "dave", "student")


@pytest.fixture
def rated(alice, carol, dave, tara, released_paper):
    """Alice's released review, tagged by carol (too vague, disrespectful) and dave (too vague)."""
    review = write_review(released_paper, alice)
    review_rate(review=review, rater=carol, helpful=False, tags=["too_vague", "disrespectful"])
    review_rate(review=review, rater=dave, helpful=True, tags=["too_vague"])
    return review


def test_the_tag_set_has_disrespectful_and_too_narrow_with_labels():
    assert RatingTag.DISRESPECTFUL.label == "Disrespectful"
    assert RatingTag("too_narrow").label == "Too narrow"


def test_the_author_sees_counts_after_release_never_who(api, alice, rated):
    api.force_authenticate(alice)
    response = api.get(tags_url(rated))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert counted(response)["too_vague"] == 2
    assert counted(response)["disrespectful"] == 1
    assert counted(response)["too_narrow"] == 0
    assert (body["rating_count"], body["helpful_count"], body["released"]) == (2, 1, True)
    assert "carol" not in response.content.decode()
    assert "dave" not in response.content.decode()
    assert {row["label"] for row in body["tags"]} >= {"Too vague", "Too narrow", "Disrespectful"}


def test_the_author_sees_no_counts_before_release(api, alice, carol, rated):
    # Moving the deadline back to the future un-releases the paper: the ratings stay, hidden.
    paper_update(paper=rated.paper, review_deadline=timezone.now() + dt.timedelta(days=1))
    api.force_authenticate(alice)
    response = api.get(tags_url(rated))
    assert response.status_code == 403
    assert "released" in response.json()["detail"]
    api.force_login(alice)
    page = api.get(f"/courses/{rated.paper.course_id}/papers/{rated.paper_id}/")
    assert page.status_code == 200
    assert "Rating tags received" not in page.content.decode()


def test_other_students_and_other_courses_and_autograders_do_not_see_counts(
    api, carol, bob, course, rated
):
    api.force_authenticate(carol)  # a classmate who tagged it
    assert api.get(tags_url(rated)).status_code == 403
    api.force_authenticate(make_member(course, "grader", "autograder"))
    assert api.get(tags_url(rated)).status_code == 403
    api.force_authenticate(bob)
    assert api.get(tags_url(rated)).status_code == 404
    api.force_authenticate(carol)
    assert api.get(f"/api/v1/courses/{course.pk}/review-tags/").status_code == 403


def test_staff_see_counts_per_review_and_per_student(api, tara, alice, rated):
    api.force_authenticate(tara)
    assert counted(api.get(tags_url(rated)))["too_vague"] == 2
    response = api.get(f"/api/v1/courses/{rated.paper.course_id}/review-tags/")
    assert response.status_code == 200
    body = response.json()
    (row,) = body["reviews"]
    assert (row["review"], row["tags"]["too_vague"], row["tags"]["disrespectful"]) == (
        rated.pk,
        2,
        1,
    )
    students = {s["username"]: s for s in body["students"]}
    assert students["alice"]["tags"]["too_vague"] == 2
    assert students["carol"]["tags"]["too_vague"] == 0
    assert "rater" not in response.content.decode()


def test_staff_pages_and_csv_show_counts(client, tara, rated):
    client.force_login(tara)
    course_id = rated.paper.course_id
    page = client.get(f"/courses/{course_id}/papers/{rated.paper_id}/").content.decode()
    assert "Rating tags received" in page
    assert "Too vague: 2" in page
    dashboard = client.get(f"/courses/{course_id}/reviews/dashboard/").content.decode()
    assert "Rating tags received, by student" in dashboard
    assert "Disrespectful" in dashboard
    export = client.get(f"/courses/{course_id}/reviews/export.csv")
    rows = {r["username"]: r for r in csv.DictReader(io.StringIO(export.content.decode()))}
    assert rows["alice"]["tag_too_vague"] == "2"
    assert rows["alice"]["tag_disrespectful"] == "1"
    assert rows["alice"]["tag_too_narrow"] == "0"
    assert rows["carol"]["tag_too_vague"] == "0"


def test_the_author_page_shows_counts_and_classmates_see_none(client, alice, carol, rated):
    client.force_login(alice)
    url = f"/courses/{rated.paper.course_id}/papers/{rated.paper_id}/"
    page = client.get(url).content.decode()
    assert "What classmates said about your review" in page
    assert "Too vague: 2" in page
    assert "Disrespectful: 1" in page
    assert "carol" not in page.lower()
    client.force_login(carol)
    assert "Too vague: 2" not in client.get(url).content.decode()


def test_an_unknown_tag_is_refused_naming_the_field(api, carol, rated):
    api.force_authenticate(carol)
    url = f"/api/v1/courses/{rated.paper.course_id}/reviews/{rated.pk}/rating/"
    response = api.put(url, {"helpful": False, "tags": ["mean"]}, format="json")
    assert response.status_code == 400
    assert "tags" in response.json()
    assert ReviewRating.objects.get(rater=carol).tags == ["disrespectful", "too_vague"]
    every = api.put(url, {"helpful": False, "tags": list(RatingTag.values)}, format="json")
    assert every.status_code == 200, every.json()
    assert set(every.json()["tags"]) == set(RatingTag.values)
