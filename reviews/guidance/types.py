"""The values the analyzer returns: plain, frozen dataclasses that serialise with ``to_dict``, and
:class:`Sentence`, a named tuple (a text can have tens of thousands: a tuple is built in a
fraction of the time of a dataclass instance).

Offsets are Python string indices (code points) into the text that was analysed, half-open:
``text[finding.start:finding.end]`` is the highlighted passage. A browser that counts UTF-16 code
units must convert for characters outside the Basic Multilingual Plane.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple


class Category(StrEnum):
    """What is wrong with a passage. The values are stable: the app stores them."""

    VAGUE_NEGATIVE = "vague_negative"
    VIRTUE_SIGNALING = "virtue_signaling"
    SNOBBERY = "snobbery"
    MISSING_POSITIVES = "missing_positives"


class Severity(StrEnum):
    """How strongly the UI should insist. Guidance never blocks a submission by itself."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class NoteLine(StrEnum):
    """Lines of the course's "Note on reviews" slide, quoted as the slide words them."""

    PUBLIC = "Public: good and bad"
    VAGUE_NEGATIVES = "Common Problem #1: Vague negatives"
    VIRTUE_SIGNALING = "Common Problem #2: Virtue Signaling"
    GOOD_INTENT = (
        "Positive suggestion: Assume good intent. "
        "There's a grad student just like you behind that paper"
    )
    SNOBBERY_EARNED = "Snobbery has to be earned"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one passage.

    ``start``/``end`` index into the text of ``field`` (``"text"`` for :func:`analyze`);
    ``0 <= start <= end <= len(text)``. ``evidence`` is the wording that triggered the rule (or,
    for a missing property, what was looked for), so every finding explains itself. ``confidence``
    is how likely the finding is right: the model's probability for a learned category, the
    measured precision of the rule on real reviews for a rule.
    """

    category: Category
    start: int
    end: int
    severity: Severity
    message: str
    suggestion: str
    note: NoteLine
    evidence: str
    field: str = "text"
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; enum members become their string values."""
        return {
            "category": self.category.value,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "severity": self.severity.value,
            "message": self.message,
            "suggestion": self.suggestion,
            "note": self.note.value,
            "evidence": self.evidence,
            "confidence": self.confidence,
        }


class Sentence(NamedTuple):
    """How the analyzer read one sentence: its span and the judgements found in it.

    ``specific`` is meaningful for negative sentences: True when the sentence (or the next one,
    or the previous one for "This is ...") points at something checkable.
    """

    start: int
    end: int
    negative: bool
    positive: bool
    specific: bool
    real_strength: bool
    question: bool


@dataclass(frozen=True, slots=True)
class Summary:
    """Figures over a whole text or review form.

    ``balance`` is the share of positive among judged sentences, ``positive / (positive +
    negative)``, or ``None`` when nothing is judged. ``specificity`` is ``specific_negatives /
    negative_judgements``, or ``None`` when there is no negative judgement.
    """

    sentences: int
    negative_judgements: int
    specific_negatives: int
    positive_judgements: int
    real_strengths: int
    balance: float | None
    specificity: float | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the figures."""
        return {
            "sentences": self.sentences,
            "negative_judgements": self.negative_judgements,
            "specific_negatives": self.specific_negatives,
            "positive_judgements": self.positive_judgements,
            "real_strengths": self.real_strengths,
            "balance": self.balance,
            "specificity": self.specificity,
        }

    @staticmethod
    def of(sentences: tuple[Sentence, ...]) -> Summary:
        """Count the figures over already-analysed sentences."""
        negative = specific = positive = strengths = 0
        for s in sentences:
            if s.negative:
                negative += 1
                if s.specific:
                    specific += 1
            if s.positive:
                positive += 1
            if s.real_strength:
                strengths += 1
        return Summary.count(len(sentences), negative, specific, positive, strengths)

    @staticmethod
    def count(
        sentences: int, negative: int, specific_negative: int, positive: int, real_strengths: int
    ) -> Summary:
        """The figures of that many sentences, negative judgements, and so on."""
        judged = positive + negative
        return Summary(
            sentences=sentences,
            negative_judgements=negative,
            specific_negatives=specific_negative,
            positive_judgements=positive,
            real_strengths=real_strengths,
            balance=round(positive / judged, 3) if judged else None,
            specificity=round(specific_negative / negative, 3) if negative else None,
        )

    @staticmethod
    def total(summaries: list[Summary]) -> Summary:
        """The figures of the sentences of all ``summaries`` together."""
        return Summary.count(
            sum(s.sentences for s in summaries),
            sum(s.negative_judgements for s in summaries),
            sum(s.specific_negatives for s in summaries),
            sum(s.positive_judgements for s in summaries),
            sum(s.real_strengths for s in summaries),
        )


@dataclass(frozen=True, slots=True)
class Analysis:
    """The analysis of one text: findings in text order, the sentences, and summary figures."""

    text: str
    findings: tuple[Finding, ...]
    sentences: tuple[Sentence, ...]
    summary: Summary

    def categories(self) -> frozenset[Category]:
        """The categories with at least one finding."""
        return frozenset(f.category for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the text itself): findings and summary."""
        return {
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class ReviewAnalysis:
    """The analysis of a review form, field by field.

    ``fields`` maps each form field to the :class:`Analysis` of its own text, so offsets index
    that field. ``findings`` lists them all, in field order, each with ``finding.field`` set.
    """

    fields: dict[str, Analysis]
    findings: tuple[Finding, ...]
    summary: Summary = field(repr=False)

    def categories(self) -> frozenset[Category]:
        """The categories with at least one finding in any field."""
        return frozenset(f.category for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: all findings (with their field) and the combined summary."""
        return {
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary.to_dict(),
        }
