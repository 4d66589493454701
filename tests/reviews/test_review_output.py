"""ReviewOutput builds its dict directly (for speed): it must equal DRF's generic path."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework import serializers

from reviews import selectors
from reviews.models import Review
from reviews.serializers import ReviewOutput
from reviews.services import review_update
from tests.reviews.conftest import write_review

pytestmark = pytest.mark.django_db


def generic(review: Review) -> dict:
    return dict(serializers.ModelSerializer.to_representation(ReviewOutput(), review))


def test_it_matches_the_generic_serializer_with_and_without_counts(
    alice, carol, tara, released_paper
):
    alice.first_name, alice.last_name = "Ada", "Lovelace"
    alice.save()
    write_review(released_paper, alice, questions="")
    late = write_review(released_paper, carol, weaknesses="It is <b>bad</b>.")
    review_update(review=late, now=timezone.now(), summary="Edited after the release.")
    membership = tara.memberships.get()
    listed = list(
        selectors.review_list_visible(
            membership=membership, now=timezone.now(), paper=released_paper
        )
    )
    assert len(listed) == 2
    assert all(hasattr(r, "helpful_count") for r in listed)  # the list's annotated counts
    plain = [type(r).objects.get(pk=r.pk) for r in listed]  # no annotations: counts are None
    for review in [*listed, *plain]:
        fast = ReviewOutput(review).data
        assert fast == generic(review)
        assert list(fast) == ReviewOutput.Meta.fields
    assert any(r.edited_after_release for r in plain)


def test_a_field_missing_from_the_fast_path_is_caught(alice, released_paper, monkeypatch):
    review = write_review(released_paper, alice)
    monkeypatch.setattr(ReviewOutput.Meta, "fields", [*ReviewOutput.Meta.fields, "author_id"])
    assert ReviewOutput(review).data != generic(review)


def test_times_are_written_in_the_course_time_zone_like_drf(alice, released_paper, settings):
    review = write_review(released_paper, alice)
    review.submitted_at = dt.datetime(2017, 10, 11, 23, 59, tzinfo=dt.UTC)
    assert ReviewOutput(review).data["submitted_at"] == generic(review)["submitted_at"]
