from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from courses.models import Course

FIELD_MAX_CHARS = 5_000


class Paper(models.Model):
    """A paper read for one class session; its reviews are due before that session."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="papers")
    session_date = models.DateField(help_text="The class session the paper is read for.")
    title = models.CharField(max_length=300)
    authors = models.CharField(max_length=500, blank=True)
    link = models.URLField(max_length=500, blank=True)
    # By default 23:59 course time on the day before the session (services.paper_create).
    review_deadline = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session_date", "title"]
        indexes = [models.Index(fields=["course", "session_date"])]

    def __str__(self) -> str:
        return self.title


class RevisionStatus(models.TextChoices):
    NONE = "", "No revision asked"
    NEEDS_REVISION = "needs_revision", "Needs revision"
    REVISED = "revised", "Revised"


class Review(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    summary = models.TextField(max_length=FIELD_MAX_CHARS)
    strengths = models.TextField(max_length=FIELD_MAX_CHARS)
    weaknesses = models.TextField(max_length=FIELD_MAX_CHARS)
    questions = models.TextField(max_length=FIELD_MAX_CHARS, blank=True)
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    confidence = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    submitted_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    is_late = models.BooleanField(default=False)
    edited_after_release = models.BooleanField(default=False)
    # The analyzer's findings on the latest version, counted by category (for dashboards).
    finding_counts = models.JSONField(default=dict, blank=True)
    # Staff may ask the author for a revision (services.review_request_revision); the author's
    # next saved version marks it revised (services.review_update).
    revision_status = models.CharField(
        max_length=20, choices=RevisionStatus.choices, default=RevisionStatus.NONE, blank=True
    )
    revision_note = models.TextField(max_length=FIELD_MAX_CHARS, blank=True)
    revision_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revision_requested_at = models.DateTimeField(null=True, blank=True)
    revised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["paper", "author__last_name", "author__username"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "author"], name="review_one_per_paper"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__gte=1, confidence__lte=5),
                name="review_confidence_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.paper}"


class ReviewVersion(models.Model):
    """Every saved state of a review, with the analysis it got. Never changed once written."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    summary = models.TextField()
    strengths = models.TextField()
    weaknesses = models.TextField()
    questions = models.TextField(blank=True)
    rating = models.PositiveSmallIntegerField()
    confidence = models.PositiveSmallIntegerField()
    analysis = models.JSONField(default=dict)
    after_release = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="review_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.review} v{self.number}"


class RatingTag(models.TextChoices):
    TOO_VAGUE = "too_vague", "Too vague"
    NOT_CONSTRUCTIVE = "not_constructive", "Not constructive"
    TOO_SHORT = "too_short", "Too short"
    NOT_CORRECT = "not_correct", "Not correct"
    DISRESPECTFUL = "disrespectful", "Disrespectful"
    TOO_NARROW = "too_narrow", "Too narrow"


class ReviewRating(models.Model):
    """A course member's rating of someone else's review, after release (HotCRP's vocabulary)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_ratings"
    )
    helpful = models.BooleanField()
    tags = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "rater"], name="rating_one_per_rater")
        ]

    def __str__(self) -> str:
        return f"{self.rater} rates {self.review}"
