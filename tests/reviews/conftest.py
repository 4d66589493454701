from __future__ import annotations

import datetime as dt
from typing import TypedDict

import pytest
from django.utils import timezone

from reviews.services import paper_create, review_create
from tests.factories import make_member

VAGUE = "The experiments could have been done better."
SPECIFIC = "Table 2 lacks a comparison with the bilinear-upsampling baseline of Section 4."


class ReviewValues(TypedDict):
    """The fields of a review, as review_create takes them and the API reads them."""

    summary: str
    strengths: str
    weaknesses: str
    questions: str
    rating: int
    confidence: int


GOOD_REVIEW: ReviewValues = {
    "summary": "The paper replaces strided transposed convolutions with resize-convolutions.",
    "strengths": "Figure 3 shows clearly that the checkerboard artifacts disappear.",
    "weaknesses": SPECIFIC,
    "questions": "How does the method behave with kernel size 4 and stride 2?",
    "rating": 4,
    "confidence": 3,
}


@pytest.fixture
def carol(course):
    """Another student of `course`."""
    return make_member(course, "carol", "student")


@pytest.fixture
def open_paper(course):
    """A paper whose review deadline is tomorrow: reviews are not public yet."""
    return paper_create(
        course=course,
        session_date=dt.date(2017, 10, 12),
        title="Deconvolution and Checkerboard Artifacts",
        authors="Odena, Dumoulin, Olah",
        review_deadline=timezone.now() + dt.timedelta(days=1),
    )


@pytest.fixture
def released_paper(course):
    """A paper whose review deadline passed yesterday: its reviews are public."""
    return paper_create(
        course=course,
        session_date=dt.date(2017, 10, 17),
        title="Fully Convolutional Networks for Semantic Segmentation",
        review_deadline=timezone.now() - dt.timedelta(days=1),
    )


def write_review(paper, author, **overrides):
    """A review written while the paper was still open (so it is not late)."""
    now = min(timezone.now(), paper.review_deadline - dt.timedelta(hours=1))
    return review_create(paper=paper, author=author, now=now, **{**GOOD_REVIEW, **overrides})
