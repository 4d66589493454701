from __future__ import annotations

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        from courseportal import caching
        from reviews.models import Paper, Review, ReviewRating

        # What the kept reviews lists show (courseportal/caching.py): papers, reviews, ratings.
        # A row whose parent is already gone (deleted with its course) names no scope: the
        # course's own deletion retires it.
        def review_scope(review: Review) -> str | None:
            try:
                return caching.course_scope(review.paper.course_id)
            except Paper.DoesNotExist:
                return None

        def rating_scope(rating: ReviewRating) -> str | None:
            try:
                return review_scope(rating.review)
            except Review.DoesNotExist:
                return None

        caching.retire_on_change(Paper, lambda paper: caching.course_scope(paper.course_id))
        caching.retire_on_change(Review, review_scope)
        caching.retire_on_change(ReviewRating, rating_scope)
