"""Reads of the reviews app, with the visibility rules of the course's note on reviews.

Reviews are public: after a paper's review deadline every member of the course reads every
review of it, with the reviewer's name. Before the deadline a student sees only their own.
Staff see everything, always.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from courses.models import Course, Membership, Role
from reviews.guidance_adapter import CATEGORIES
from reviews.models import Paper, RatingTag, Review, ReviewRating


def paper_list(*, course: Course) -> QuerySet[Paper]:
    return Paper.objects.filter(course=course).annotate(review_count=Count("reviews"))


def paper_get(*, course: Course, paper_id: int) -> Paper:
    paper = paper_list(course=course).filter(pk=paper_id).first()
    if paper is None:
        raise Http404("No such paper.")
    return paper


def paper_is_released(*, paper: Paper, now: dt.datetime) -> bool:
    return now >= paper.review_deadline


def _visible(membership: Membership, now: dt.datetime) -> Q:
    if membership.is_staff_role:
        return Q()
    return Q(author_id=membership.user_id) | Q(paper__review_deadline__lte=now)


def review_list_visible(
    *, membership: Membership, now: dt.datetime, paper: Paper | None = None
) -> QuerySet[Review]:
    """The reviews of the membership's course that its holder may read now."""
    reviews = Review.objects.filter(paper__course_id=membership.course_id)
    if paper is not None:
        reviews = reviews.filter(paper=paper)
    return (
        reviews.filter(_visible(membership, now))
        .select_related("author", "paper")
        .annotate(
            helpful_count=Count("ratings", filter=Q(ratings__helpful=True)),
            rating_count=Count("ratings"),
        )
    )


def review_get_visible(*, membership: Membership, now: dt.datetime, review_id: int) -> Review:
    review = review_list_visible(membership=membership, now=now).filter(pk=review_id).first()
    if review is None:
        raise Http404("No such review.")
    return review


def review_get_own(*, membership: Membership, paper: Paper) -> Review | None:
    return Review.objects.filter(paper=paper, author_id=membership.user_id).first()


def review_scores_by_paper(*, course: Course) -> list[tuple[Paper, list[int], list[int]]]:
    """Every paper of the course with its reviews' ratings and confidences, for staff (who
    read every review whether or not it is released). Two queries whatever the paper count."""
    scores: dict[int, tuple[list[int], list[int]]] = {}
    for paper_id, rating, confidence in Review.objects.filter(paper__course=course).values_list(
        "paper_id", "rating", "confidence"
    ):
        ratings, confidences = scores.setdefault(paper_id, ([], []))
        ratings.append(rating)
        confidences.append(confidence)
    return [(paper, *scores.get(paper.pk, ([], []))) for paper in paper_list(course=course)]


def tag_counts(*, review_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per review, how many raters gave each rating tag: counts only, never who."""
    counts = {pk: dict.fromkeys(RatingTag.values, 0) for pk in review_ids}
    for review_id, tags in ReviewRating.objects.filter(review_id__in=review_ids).values_list(
        "review_id", "tags"
    ):
        for tag in tags:
            if tag in counts[review_id]:
                counts[review_id][tag] += 1
    return counts


def tag_counts_visible(
    *, membership: Membership, review: Review, now: dt.datetime
) -> dict[str, int] | None:
    """The tag counts a member may see on a review: staff always; its author once the paper is
    released (the review deadline, when reviews become public and can be rated); nobody else.
    None where hidden."""
    if membership.is_staff_role:
        return tag_counts(review_ids=[review.pk])[review.pk]
    if review.author_id == membership.user_id and paper_is_released(paper=review.paper, now=now):
        return tag_counts(review_ids=[review.pk])[review.pk]
    return None


def review_quality_by_student(*, course: Course) -> list[dict[str, Any]]:
    """Per active student: reviews written, late, helpfulness received, findings by category."""
    students = (
        Membership.objects.filter(course=course, role=Role.STUDENT, is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__username")
    )
    rows: dict[int, dict[str, Any]] = {
        m.user_id: {
            "id": m.user_id,
            "username": m.user.username,
            "name": m.user.get_full_name(),
            "email": m.user.email,
            "reviews": 0,
            "late": 0,
            "helpful": 0,
            "ratings": 0,
            "findings": dict.fromkeys(CATEGORIES, 0),
            # Peer rating tags received, summed over the student's reviews.
            "tags": dict.fromkeys(RatingTag.values, 0),
            "needs_revision": 0,
            "revised": 0,
            # Findings per category on each review, in session order: the trend over the term.
            "timeline": [],
        }
        for m in students
    }
    reviews = (
        Review.objects.filter(paper__course=course, author_id__in=rows)
        .select_related("paper")
        .order_by("paper__session_date", "pk")
        .annotate(
            helpful_count=Count("ratings", filter=Q(ratings__helpful=True)),
            rating_count=Count("ratings"),
        )
    )
    listed = list(reviews)
    tags = tag_counts(review_ids=[review.pk for review in listed])
    for review in listed:
        row = rows[review.author_id]
        for tag, count in tags[review.pk].items():
            row["tags"][tag] += count
        row["needs_revision"] += int(review.revision_status == "needs_revision")
        row["revised"] += int(review.revision_status == "revised")
        row["reviews"] += 1
        row["late"] += int(review.is_late)
        row["helpful"] += review.helpful_count
        row["ratings"] += review.rating_count
        for category, count in review.finding_counts.items():
            if category in row["findings"]:
                row["findings"][category] += count
        row["timeline"].append(
            {
                "date": review.paper.session_date,
                "findings": {c: review.finding_counts.get(c, 0) for c in CATEGORIES},
                "total": sum(review.finding_counts.get(c, 0) for c in CATEGORIES),
            }
        )
    return list(rows.values())
