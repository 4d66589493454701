"""Review-writing guidance: learned models and hand-checked rules over peer-review prose.

Pure Python (no Django, no network): the reviews app, the REST API and the staff dashboards call
:func:`analyze` on free text and :func:`analyze_review` on the review form. Vague negatives and
missing positives come from logistic regressions trained on real annotated reviews
(SubstanReview; :mod:`.train`, :mod:`.model`), snobbery and virtue signaling from rules whose
every flag on those reviews was read by hand (:mod:`.tone`). Each finding says what is wrong,
how to rewrite it, which line of the course's "Note on reviews" it comes from, and how likely it
is to be right (``confidence``). ``python -m reviews.guidance.evaluate`` measures it all.
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
