from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courseportal.fields import LongTextField
from courseportal.openapi import json_output
from courses.people import display_name
from reviews.models import (
    FIELD_MAX_CHARS,
    Paper,
    RatingTag,
    Review,
    ReviewVersion,
    RevisionStatus,
)
from reviews.schema import AnalysisOutput, AuthorOutput, FindingCountsOutput

ANALYZE_MAX_CHARS = 20_000


class PaperOutput(serializers.ModelSerializer):
    # Counted by the list and detail queries; null on the answer to a create.
    review_count = serializers.IntegerField(read_only=True, allow_null=True, default=None)
    released = serializers.SerializerMethodField()

    class Meta:
        model = Paper
        fields = [
            "id",
            "session_date",
            "title",
            "authors",
            "link",
            "review_deadline",
            "released",
            "review_count",
        ]

    def get_released(self, paper: Paper) -> bool:
        return bool(self.context["now"] >= paper.review_deadline)


class PaperInput(serializers.Serializer):
    session_date = serializers.DateField()
    title = serializers.CharField(max_length=300)
    authors = serializers.CharField(max_length=500, required=False, allow_blank=True)
    link = serializers.URLField(max_length=500, required=False, allow_blank=True)
    review_deadline = serializers.DateTimeField(required=False)


class ReviewOutput(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    paper = serializers.IntegerField(source="paper_id")
    finding_counts = json_output(FindingCountsOutput)
    # Counted by the reading queries; null on the answer to a create or an edit.
    helpful_count = serializers.IntegerField(read_only=True, allow_null=True, default=None)
    rating_count = serializers.IntegerField(read_only=True, allow_null=True, default=None)

    class Meta:
        model = Review
        fields = [
            "id",
            "paper",
            "author",
            "summary",
            "strengths",
            "weaknesses",
            "questions",
            "rating",
            "confidence",
            "submitted_at",
            "updated_at",
            "is_late",
            "edited_after_release",
            "finding_counts",
            "helpful_count",
            "rating_count",
        ]

    @extend_schema_field(AuthorOutput)
    def get_author(self, review: Review) -> dict[str, Any]:
        # Reviews are public to the course: classmates see a display name, never the username
        # (the e-mail address of a roster-imported account).
        return {"id": review.author_id, "name": display_name(review.author)}

    def to_representation(self, instance: Review) -> dict[str, Any]:
        """What the generic ModelSerializer path gives (tests compare the two), built directly:
        lists of long public reviews are among the most read answers, and DRF's per-field
        machinery was about half of their cost. A field added to `Meta.fields` must be added
        here too (the comparison test fails until it is)."""
        when = self.fields["submitted_at"].to_representation
        return {
            "id": instance.pk,
            "paper": instance.paper_id,
            "author": self.get_author(instance),
            "summary": instance.summary,
            "strengths": instance.strengths,
            "weaknesses": instance.weaknesses,
            "questions": instance.questions,
            "rating": instance.rating,
            "confidence": instance.confidence,
            "submitted_at": when(instance.submitted_at),
            "updated_at": when(instance.updated_at),
            "is_late": instance.is_late,
            "edited_after_release": instance.edited_after_release,
            "finding_counts": instance.finding_counts,
            "helpful_count": getattr(instance, "helpful_count", None),
            "rating_count": getattr(instance, "rating_count", None),
        }


class ReviewVersionOutput(serializers.ModelSerializer):
    analysis = json_output(AnalysisOutput)

    class Meta:
        model = ReviewVersion
        fields = [
            "number",
            "summary",
            "strengths",
            "weaknesses",
            "questions",
            "rating",
            "confidence",
            "analysis",
            "after_release",
            "created_at",
        ]


class ReviewInput(serializers.Serializer):
    summary = LongTextField(max_length=FIELD_MAX_CHARS)
    strengths = LongTextField(max_length=FIELD_MAX_CHARS)
    weaknesses = LongTextField(max_length=FIELD_MAX_CHARS)
    questions = LongTextField(max_length=FIELD_MAX_CHARS, required=False, allow_blank=True)
    rating = serializers.IntegerField(min_value=1, max_value=5)
    confidence = serializers.IntegerField(min_value=1, max_value=5)
    acknowledged = serializers.BooleanField(
        required=False,
        help_text="Submit despite open guidance findings (needed only where the course asks).",
    )


class RatingInput(serializers.Serializer):
    helpful = serializers.BooleanField()
    tags = serializers.ListField(
        child=serializers.ChoiceField(choices=RatingTag.values),
        required=False,
        max_length=len(RatingTag.values),
    )


class RevisionInput(serializers.Serializer):
    """Staff's request that a review be revised: what should change."""

    note = LongTextField(max_length=FIELD_MAX_CHARS)


class RevisionOutput(serializers.Serializer):
    """Whether staff asked for a revision of the review, why, and whether the author revised."""

    review = serializers.IntegerField(source="pk")
    revision_status = serializers.ChoiceField(
        choices=RevisionStatus.values,
        help_text="'' (none asked), 'needs_revision', or 'revised' (a new version was saved)",
    )
    note = serializers.CharField(source="revision_note")
    requested_at = serializers.DateTimeField(source="revision_requested_at", allow_null=True)
    revised_at = serializers.DateTimeField(allow_null=True)


class AnalyzeInput(serializers.Serializer):
    text = LongTextField(max_length=ANALYZE_MAX_CHARS, allow_blank=True, trim_whitespace=False)
