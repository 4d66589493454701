"""Review-writing guidance: a rule-and-lexicon analyzer of peer-review prose.

Pure Python (no Django, no network, no models): the reviews app, the REST API and the staff
dashboards call :func:`analyze` on free text and :func:`analyze_review` on the review form. Each
finding says what is wrong, how to rewrite it, which line of the course's "Note on reviews" it
comes from, and which words triggered it.

>>> [f.category.value for f in analyze("The experiments could have been done better.").findings]
['vague_negative']
"""

from __future__ import annotations

from reviews.guidance.analyzer import FIELDS, MIN_SENTENCES_FOR_BALANCE, analyze, analyze_review
from reviews.guidance.types import (
    Analysis,
    Category,
    Finding,
    NoteLine,
    ReviewAnalysis,
    Sentence,
    Severity,
    Summary,
)

__all__ = [
    "FIELDS",
    "MIN_SENTENCES_FOR_BALANCE",
    "Analysis",
    "Category",
    "Finding",
    "NoteLine",
    "ReviewAnalysis",
    "Sentence",
    "Severity",
    "Summary",
    "analyze",
    "analyze_review",
]
