from __future__ import annotations

import pytest

from reviews.models import Review, ReviewRating
from tests.reviews.conftest import write_review

pytestmark = pytest.mark.django_db


def rating_url(review: Review) -> str:
    return f"/api/v1/courses/{review.paper.course_id}/reviews/{review.pk}/rating/"


def test_it_records_a_helpfulness_rating_after_release(api, alice, carol, released_paper):
    review = write_review(released_paper, alice)
    api.force_authenticate(carol)
    response = api.put(rating_url(review), {"helpful": False, "tags": ["too_vague"]}, format="json")
    assert response.status_code == 200, response.json()
    again = api.put(rating_url(review), {"helpful": True, "tags": []}, format="json")
    assert again.status_code == 200
    rating = ReviewRating.objects.get()
    assert (rating.helpful, rating.tags) == (True, [])
    listed = api.get(f"/api/v1/courses/{review.paper.course_id}/reviews/{review.pk}/").json()
    assert (listed["helpful_count"], listed["rating_count"]) == (1, 1)


def test_it_refuses_ratings_before_release_of_own_reviews_and_with_unknown_tags(
    api, alice, carol, open_paper, released_paper
):
    hidden = write_review(open_paper, alice)
    public = write_review(released_paper, alice)
    api.force_authenticate(carol)
    assert api.put(rating_url(hidden), {"helpful": True}, format="json").status_code == 404
    bad = api.put(rating_url(public), {"helpful": True, "tags": ["rude"]}, format="json")
    assert bad.status_code == 400
    assert "tags" in bad.json()
    assert "helpful" in api.put(rating_url(public), {}, format="json").json()
    api.force_authenticate(alice)
    own = api.put(rating_url(public), {"helpful": True}, format="json")
    assert own.status_code == 400
    assert "own review" in own.json()["review"][0]
    assert not ReviewRating.objects.exists()


def test_it_hides_ratings_from_other_courses(api, alice, bob, released_paper):
    review = write_review(released_paper, alice)
    api.force_authenticate(bob)
    assert api.put(rating_url(review), {"helpful": True}, format="json").status_code == 404
    assert not ReviewRating.objects.exists()
