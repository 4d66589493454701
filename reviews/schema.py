"""OpenAPI descriptions of the reviews API: the shapes of the analyzer's JSON (which no model
serializer describes) and the examples of each endpoint (used by `@extend_schema` in apis.py).

The examples come from the seed course, CS 7643 Fall 2017: the paper of the 10/12 session and
a student's review of it.
"""

from __future__ import annotations

from rest_framework import serializers

from courseportal.openapi import request_example, response_example
from reviews.guidance_adapter import CATEGORIES
from reviews.models import RatingTag, RevisionStatus


class FindingOutput(serializers.Serializer):
    """One passage the analyzer flags; `start`/`end` index the text (or the named `field`)."""

    category = serializers.ChoiceField(choices=CATEGORIES)
    category_label = serializers.CharField()
    field = serializers.CharField(help_text="`text` for the analyzer; the review field otherwise")
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    severity = serializers.ChoiceField(choices=["info", "warning", "error"])
    message = serializers.CharField()
    suggestion = serializers.CharField()
    note = serializers.CharField(help_text="The line of the course's 'Note on reviews' slide")
    evidence = serializers.CharField()
    confidence = serializers.FloatField(
        help_text="How likely the finding is right, 0-1: the model's probability for a learned "
        "category, the rule's precision measured on real reviews for a rule"
    )


class AnalysisSummaryOutput(serializers.Serializer):
    """Summary figures; a ratio is null when its denominator is zero (guidance.types.Summary)."""

    sentences = serializers.IntegerField()
    negative_judgements = serializers.IntegerField()
    specific_negatives = serializers.IntegerField()
    positive_judgements = serializers.IntegerField()
    real_strengths = serializers.IntegerField()
    balance = serializers.FloatField(
        allow_null=True, help_text="positive / judged sentences; null when none is judged"
    )
    specificity = serializers.FloatField(
        allow_null=True,
        help_text="specific / negative judgements; null when there is no negative judgement",
    )


class AnalysisOutput(serializers.Serializer):
    """The writing guidance of a text: what to reconsider, and summary figures."""

    findings = FindingOutput(many=True)
    summary = AnalysisSummaryOutput()


class AuthorOutput(serializers.Serializer):
    """Who wrote a review, as classmates see them: never the username or e-mail."""

    id = serializers.IntegerField(help_text="the author's user id")
    name = serializers.CharField(help_text="the full name, else 'Member #<id>'")


class FindingCountsOutput(serializers.Serializer):
    """How many findings of each category the review's latest version has (absent: none)."""

    vague_negative = serializers.IntegerField(required=False)
    virtue_signaling = serializers.IntegerField(required=False)
    snobbery = serializers.IntegerField(required=False)
    missing_positives = serializers.IntegerField(required=False)


class RatingOutput(serializers.Serializer):
    review = serializers.IntegerField()
    helpful = serializers.BooleanField()
    tags = serializers.ListField(child=serializers.ChoiceField(choices=RatingTag.values))


class TagCountOutput(serializers.Serializer):
    """How many raters gave a review one rating tag (never who)."""

    tag = serializers.CharField(help_text=f"one of {', '.join(RatingTag.values)}")
    # DRF's metaclass takes declared fields off the class, so this does not replace Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class ReviewTagsOutput(serializers.Serializer):
    """The rating tags a review received, counted: for its author once released, and staff."""

    review = serializers.IntegerField()
    released = serializers.BooleanField(
        help_text="the paper's review deadline has passed: reviews are public and rated"
    )
    rating_count = serializers.IntegerField(help_text="how many members rated the review")
    helpful_count = serializers.IntegerField()
    tags = TagCountOutput(many=True)


class StudentTagsOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="the student's user id")
    username = serializers.CharField()
    name = serializers.CharField()
    reviews = serializers.IntegerField()
    needs_revision = serializers.IntegerField(help_text="reviews still marked 'needs revision'")
    revised = serializers.IntegerField(help_text="reviews revised after staff asked")
    tags = serializers.DictField(child=serializers.IntegerField(), help_text="tag -> count")


class ReviewTagRowOutput(serializers.Serializer):
    review = serializers.IntegerField()
    paper = serializers.IntegerField()
    author = AuthorOutput()
    revision_status = serializers.ChoiceField(choices=RevisionStatus.values)
    tags = serializers.DictField(child=serializers.IntegerField(), help_text="tag -> count")


class CourseTagsOutput(serializers.Serializer):
    """Staff's view of the rating tags: per review and per student."""

    reviews = ReviewTagRowOutput(many=True)
    students = StudentTagsOutput(many=True)


# --- Examples -------------------------------------------------------------------------------

ANALYZE_TEXT = (
    "The paper is interesting. The experimental settings are not reasonable. Details are missing."
)
ANALYSIS = {
    "findings": [
        {
            "category": "vague_negative",
            "category_label": "Vague negative",
            "field": "text",
            "start": 72,
            "end": 92,
            "severity": "info",
            "message": "Could you say why? This criticism reads as having nothing behind it: no "
            "reason, example, number or reference in it or next to it.",
            "suggestion": "Which part of the paper shows it (a section, table, experiment), and "
            "what would make it better? For instance, instead of 'Details are missing.', say what "
            "you saw and where.",
            "note": "Common Problem #1: Vague negatives",
            "evidence": "a negative claim with nothing backing it",
            "confidence": 0.14,
        }
    ],
    "summary": {
        "sentences": 3,
        "negative_judgements": 1,
        "specific_negatives": 0,
        "positive_judgements": 1,
        "real_strengths": 1,
        "balance": 0.5,
        "specificity": 0.0,
    },
}
ANALYZE = [
    request_example("A vague criticism", {"text": ANALYZE_TEXT}),
    response_example("One finding", ANALYSIS),
]

PAPER_INPUT = {
    "session_date": "2017-10-12",
    "title": "Visualizing and Understanding Convolutional Networks",
    "authors": "Matthew D. Zeiler, Rob Fergus",
    "link": "https://arxiv.org/abs/1311.2901",
}
PAPER = {
    "id": 1,
    **PAPER_INPUT,
    "review_deadline": "2017-10-11T23:59:00-04:00",
    "released": False,
    "review_count": 9,
}
PAPER_LIST = [response_example("The 10/12 paper", PAPER)]
PAPER_CREATE = [
    request_example("Assign a paper to a session", PAPER_INPUT),
    response_example("Created", {**PAPER, "review_count": None}, status=201),
]
PAPER_DETAIL = [response_example("A paper", PAPER)]
PAPER_UPDATE = [
    request_example("Move the deadline", {"review_deadline": "2017-10-11T12:00:00-04:00"}),
    response_example("Updated", {**PAPER, "review_deadline": "2017-10-11T12:00:00-04:00"}),
]

REVIEW_INPUT = {
    "summary": "The paper introduces a deconvnet that projects feature activations back to "
    "pixel space.",
    "strengths": "The visualizations explain why the ImageNet model works and guide an "
    "architecture change that improves accuracy.",
    "weaknesses": "The occlusion study covers only three images; a quantitative evaluation over "
    "the validation set would make the claim stronger.",
    "questions": "How do the visualizations change with the unpooling switches taken from "
    "another image?",
    "rating": 4,
    "confidence": 3,
}
REVIEW = {
    "id": 12,
    "paper": 1,
    "author": {"id": 4, "name": "Ada Lovelace"},
    **REVIEW_INPUT,
    "submitted_at": "2017-10-10T21:14:05-04:00",
    "updated_at": "2017-10-10T21:14:05-04:00",
    "is_late": False,
    "edited_after_release": False,
    "finding_counts": {},
    "helpful_count": None,
    "rating_count": None,
}
REVIEW_LIST = [
    response_example("A review after release", {**REVIEW, "helpful_count": 3, "rating_count": 4})
]
REVIEW_CREATE = [
    request_example("A specific, balanced review", REVIEW_INPUT),
    request_example(
        "Submit despite guidance findings",
        {**REVIEW_INPUT, "weaknesses": "The experiments are weak.", "acknowledged": True},
        name="Acknowledged",
    ),
    response_example("Created", REVIEW, status=201),
]
REVIEW_DETAIL = [response_example("A review", REVIEW)]
REVIEW_UPDATE = [
    request_example("Raise the rating", {"rating": 5}),
    response_example("Updated", {**REVIEW, "rating": 5, "updated_at": "2017-10-11T08:02:44-04:00"}),
]
REVIEW_VERSIONS = [
    response_example(
        "The first version",
        {
            "number": 1,
            **{key: REVIEW_INPUT[key] for key in ("summary", "strengths", "weaknesses")},
            "questions": REVIEW_INPUT["questions"],
            "rating": 4,
            "confidence": 3,
            "analysis": {
                "findings": [],
                "summary": {
                    "sentences": 4,
                    "negative_judgements": 1,
                    "specific_negatives": 1,
                    "positive_judgements": 0,
                    "real_strengths": 1,
                    "balance": 0.0,
                    "specificity": 1.0,
                },
            },
            "after_release": False,
            "created_at": "2017-10-10T21:14:05-04:00",
        },
    )
]
REVIEW_RATE = [
    request_example("Helpful", {"helpful": True}),
    request_example(
        "Not helpful, and why", {"helpful": False, "tags": ["too_vague"]}, name="Not helpful"
    ),
    response_example("Rated", {"review": 12, "helpful": True, "tags": []}),
]

TAGS_COUNTED = [{"tag": t, "label": label, "count": 0} for t, label in RatingTag.choices]
TAGS_COUNTED[0]["count"] = 2
REVIEW_TAGS = [
    response_example(
        "Two of three raters found it too vague",
        {"review": 12, "released": True, "rating_count": 3, "helpful_count": 1,
         "tags": TAGS_COUNTED},
    )
]  # fmt: skip
COURSE_TAGS = [
    response_example(
        "One review, one student",
        {
            "reviews": [
                {"review": 12, "paper": 3, "author": {"id": 7, "name": "Ada Lovelace"},
                 "revision_status": "needs_revision",
                 "tags": {**dict.fromkeys(RatingTag.values, 0), "too_vague": 2}},
            ],
            "students": [
                {"id": 7, "username": "ada", "name": "Ada Lovelace", "reviews": 1,
                 "needs_revision": 1, "revised": 0,
                 "tags": {**dict.fromkeys(RatingTag.values, 0), "too_vague": 2}},
            ],
        },
    )
]  # fmt: skip
REVISION = {
    "review": 12,
    "revision_status": "needs_revision",
    "note": "Say which experimental setting is not reasonable, and why.",
    "requested_at": "2017-10-13T10:02:00-04:00",
    "revised_at": None,
}
REVIEW_REVISION = [
    request_example("Ask for a revision", {"note": REVISION["note"]}),
    response_example("Revision asked", REVISION),
]
