"""Where the app meets the pure analyzer in `reviews.guidance`: JSON-ready results for the API,
the stored review versions and the pages."""

from __future__ import annotations

from typing import Any

from reviews import guidance
from reviews.guidance.types import Category

CATEGORIES = tuple(category.value for category in Category)
# The one place a category key becomes words for people: pages, the CSV, the API's labels.
CATEGORY_LABELS = {
    Category.VAGUE_NEGATIVE.value: "Vague negative",
    Category.VIRTUE_SIGNALING.value: "Virtue signaling",
    Category.SNOBBERY.value: "Snobbery",
    Category.MISSING_POSITIVES.value: "Missing positives",
}


def category_label(category: str) -> str:
    """'vague_negative' → 'Vague negative'; a key without a label reads as words all the same."""
    return CATEGORY_LABELS.get(category) or category.replace("_", " ").capitalize()


def _labelled(result: dict[str, Any]) -> dict[str, Any]:
    for finding in result["findings"]:
        finding["category_label"] = category_label(finding["category"])
    return result


def analyze_text(text: str) -> dict[str, Any]:
    """Findings (category, span, severity, message, suggestion, note line) and summary figures."""
    return _labelled(guidance.analyze(text).to_dict())


def analyze_review_fields(
    *, summary: str, strengths: str, weaknesses: str, questions: str = ""
) -> dict[str, Any]:
    """The same for a review form; each finding names its `field`, and offsets index that field."""
    analysis = guidance.analyze_review(
        summary=summary, strengths=strengths, weaknesses=weaknesses, questions=questions
    )
    return _labelled(analysis.to_dict())
