from __future__ import annotations

import datetime as dt

import pytest

from reviews.models import Paper, Review, ReviewVersion
from reviews.services import paper_create
from tests.factories import make_course, make_member
from tests.reviews.conftest import GOOD_REVIEW, VAGUE, write_review

pytestmark = pytest.mark.django_db


def reviews_url(paper: Paper) -> str:
    return f"/api/v1/courses/{paper.course_id}/papers/{paper.pk}/reviews/"


def review_url(review: Review) -> str:
    return f"/api/v1/courses/{review.paper.course_id}/reviews/{review.pk}/"


def test_it_stores_a_students_review_with_its_analysis(api, alice, open_paper):
    api.force_authenticate(alice)
    response = api.post(
        reviews_url(open_paper), {**GOOD_REVIEW, "weaknesses": VAGUE}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["author"] == {"id": alice.pk, "name": f"Member #{alice.pk}"}
    assert body["is_late"] is False
    assert body["finding_counts"].get("vague_negative", 0) >= 1
    version = ReviewVersion.objects.get()
    assert version.number == 1
    assert any(f["field"] == "weaknesses" for f in version.analysis["findings"])


def test_it_shows_a_student_only_their_own_review_before_the_deadline(
    api, alice, carol, tara, open_paper
):
    own = write_review(open_paper, alice)
    other = write_review(open_paper, carol)
    api.force_authenticate(alice)
    assert [r["author"]["id"] for r in api.get(reviews_url(open_paper)).json()] == [alice.pk]
    assert api.get(review_url(own)).status_code == 200
    assert api.get(review_url(other)).status_code == 404
    api.force_authenticate(tara)
    assert len(api.get(reviews_url(open_paper)).json()) == 2


def test_it_shows_every_member_every_review_with_names_after_the_deadline(
    api, alice, carol, released_paper
):
    write_review(released_paper, alice)
    other = write_review(released_paper, carol)
    api.force_authenticate(alice)
    names = sorted(r["author"]["name"] for r in api.get(reviews_url(released_paper)).json())
    assert names == sorted([f"Member #{alice.pk}", f"Member #{carol.pk}"])  # nobody named
    assert api.get(review_url(other)).json()["summary"] == GOOD_REVIEW["summary"]


def test_it_hides_reviews_from_members_of_other_courses(api, alice, bob, released_paper):
    review = write_review(released_paper, alice)
    api.force_authenticate(bob)
    assert api.get(reviews_url(released_paper)).status_code == 404
    assert api.get(review_url(review)).status_code == 404
    api.force_authenticate(None)
    assert api.get(reviews_url(released_paper)).status_code == 401


def test_it_accepts_a_late_review_and_marks_it(api, alice, released_paper):
    api.force_authenticate(alice)
    response = api.post(reviews_url(released_paper), GOOD_REVIEW, format="json")
    assert response.status_code == 201
    assert response.json()["is_late"] is True


def test_it_keeps_every_version_and_marks_edits_after_release(api, alice, released_paper):
    review = write_review(released_paper, alice)
    api.force_authenticate(alice)
    response = api.patch(review_url(review), {"rating": 2}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["edited_after_release"] is True
    versions = api.get(review_url(review) + "versions/").json()
    assert [(v["number"], v["rating"], v["after_release"]) for v in versions] == [
        (1, 4, False),
        (2, 2, True),
    ]


def test_it_lets_only_the_author_edit_a_review(api, alice, carol, tara, released_paper):
    review = write_review(released_paper, alice)
    for user in (carol, tara):
        api.force_authenticate(user)
        assert api.patch(review_url(review), {"rating": 1}, format="json").status_code == 403
    assert api.get(review_url(review) + "versions/").status_code == 200  # staff read history
    api.force_authenticate(carol)
    assert api.get(review_url(review) + "versions/").status_code == 403
    assert Review.objects.get().rating == 4


def test_it_refuses_reviews_from_staff(api, tara, open_paper):
    api.force_authenticate(tara)
    assert api.post(reviews_url(open_paper), GOOD_REVIEW, format="json").status_code == 403
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"summary": ""}, "summary"),
        ({"strengths": "   "}, "strengths"),
        ({"weaknesses": "x" * 5_001}, "weaknesses"),
        ({"rating": 6}, "rating"),
        ({"rating": 0}, "rating"),
        ({"confidence": "very"}, "confidence"),
        ({"rating": None}, "rating"),
    ],
)
def test_it_rejects_bad_reviews_naming_the_field(api, alice, open_paper, changes, field):
    api.force_authenticate(alice)
    response = api.post(reviews_url(open_paper), {**GOOD_REVIEW, **changes}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Review.objects.exists()
    assert not ReviewVersion.objects.exists()


def test_it_refuses_a_second_review_of_the_same_paper(api, alice, open_paper):
    write_review(open_paper, alice)
    api.force_authenticate(alice)
    response = api.post(reviews_url(open_paper), GOOD_REVIEW, format="json")
    assert response.status_code == 400
    assert "already reviewed" in response.json()["paper"][0]
    assert Review.objects.count() == 1
    assert ReviewVersion.objects.count() == 1


def test_it_refuses_to_review_a_paper_of_another_course_through_this_one(api, alice, course):
    other = make_course(
        code="CS 4803", term="Spring 2018", first_day="2018-01-09", last_day="2018-04-26"
    )
    make_member(other, "olga", "instructor")
    foreign = paper_create(course=other, session_date=dt.date(2018, 1, 11), title="Other")
    api.force_authenticate(alice)
    url = f"/api/v1/courses/{course.pk}/papers/{foreign.pk}/reviews/"
    assert api.post(url, GOOD_REVIEW, format="json").status_code == 404
    assert not Review.objects.exists()


def test_it_never_blocks_on_guidance_unless_the_course_asks_for_acknowledgement(
    api, course, alice, carol, open_paper
):
    api.force_authenticate(alice)
    vague = {**GOOD_REVIEW, "weaknesses": VAGUE}
    assert api.post(reviews_url(open_paper), vague, format="json").status_code == 201
    course.reviews_require_acknowledgement = True
    course.save()
    api.force_authenticate(carol)
    refused = api.post(reviews_url(open_paper), vague, format="json")
    assert refused.status_code == 400
    assert "acknowledged" in refused.json()
    assert Review.objects.count() == 1
    accepted = api.post(reviews_url(open_paper), {**vague, "acknowledged": True}, format="json")
    assert accepted.status_code == 201
