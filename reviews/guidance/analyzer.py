"""Read a review sentence by sentence with the learned models, then word the findings.

* **Vague negatives**: a sentence the models find to be a negative claim that nothing backs (no
  reason, example, number, reference or citation in it or next to it). Learned from
  SubstanReview (see :mod:`reviews.guidance.model`); shown as a question, with its probability.
* **Snobbery and virtue signaling**: the hand-checked rules of :mod:`reviews.guidance.tone`.
* **Missing positives**: the review names no strength (no sentence the positive-claim model
  finds positive).

How insistently a finding is worded follows how often the checker is right about that kind of
finding on real reviews: only a category whose measured precision is at least
:data:`ERROR_PRECISION` is an error; below it the finding is a suggestion, worded as a question.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache

from reviews.guidance import tone
from reviews.guidance.features import read_text
from reviews.guidance.model import Model, Scores, load
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

FIELDS = ("summary", "strengths", "weaknesses", "questions")
"""The review form's text fields, in the order the form shows them."""

MIN_SENTENCES_FOR_BALANCE = 3
""":func:`analyze` judges missing positives only on texts this long: a whole review, not a line."""

ERROR_PRECISION = 0.9
"""A category is shown as an error only when at least this share of its findings on real
reviews is right; otherwise as a suggestion (a question) or a warning."""

WARNING_PRECISION = 0.5

_STRENGTH_WORDS = 5

_FIELD_SECTION = {
    "summary": "summary",
    "strengths": "strengths",
    "weaknesses": "weaknesses",
    "questions": "questions",
}


def analyze(text: str) -> Analysis:
    """Analyse one free text (a whole review or a single field) and return its findings.

    Never raises on any ``str``; findings come in text order and every offset satisfies
    ``0 <= start <= end <= len(text)``. Headings in the text ("Weaknesses:") tell the models
    which part of a review a sentence is in. Missing positives is judged only when the text has
    at least :data:`MIN_SENTENCES_FOR_BALANCE` sentences and some negative judgement.
    """
    sentences, findings, summary = _analyze(text, "text", None)
    if (
        summary.sentences >= MIN_SENTENCES_FOR_BALANCE
        and summary.negative_judgements
        and not summary.real_strengths
    ):
        findings.append(_missing_positives("text", len(text)))
    return Analysis(text, tuple(findings), sentences, summary)


def analyze_review(
    *, summary: str = "", strengths: str = "", weaknesses: str = "", questions: str = ""
) -> ReviewAnalysis:
    """Analyse the review form field by field.

    Each field is analysed on its own (offsets index that field) and read as the part of a review
    it is. ``missing_positives`` is judged on ``strengths`` alone: it is reported, spanning the
    whole strengths field (empty span when empty), when the strengths field names no strength
    and the form is not entirely blank.
    """
    texts = {
        "summary": summary,
        "strengths": strengths,
        "weaknesses": weaknesses,
        "questions": questions,
    }
    fields: dict[str, Analysis] = {}
    all_findings: list[Finding] = []
    summaries: list[Summary] = []
    for name in FIELDS:
        text = texts[name]
        sentences, findings, field_summary = _analyze(text, name, _FIELD_SECTION[name])
        if (
            name == "strengths"
            and not field_summary.real_strengths
            and any(t.strip() for t in texts.values())
        ):
            findings.append(_missing_positives(name, len(text)))
        fields[name] = Analysis(text, tuple(findings), sentences, field_summary)
        all_findings.extend(findings)
        summaries.append(field_summary)
    return ReviewAnalysis(fields, tuple(all_findings), Summary.total(summaries))


_NO_SUMMARY = Summary.count(0, 0, 0, 0, 0)


def _analyze(
    text: str, field: str, section: str | None
) -> tuple[tuple[Sentence, ...], list[Finding], Summary]:
    """The sentences, findings and summary of one text."""
    if not text or text.isspace():
        return (), [], _NO_SUMMARY
    model = load()
    read = read_text(text, section)
    if not read.starts:
        return (), [], _NO_SUMMARY
    scores = model.score(read)
    sentences = []
    findings: list[Finding] = []
    for j, (start, end) in enumerate(zip(read.starts, read.ends, strict=True)):
        s = scores[j]
        question = read.lowers[j].rstrip().endswith("?")
        heading = read.headings[j]
        vague = not heading and not question and s.vague >= model.vague_threshold
        negative = vague or (
            not heading and not question and s.negative >= model.negative_threshold
        )
        positive = not heading and (
            s.positive >= model.positive_threshold
            # In the form's strengths field the student has said it is a strength: a statement
            # of some length that is not a criticism counts ("Good paper." does not).
            or (section == "strengths" and not negative and len(read.words[j]) >= _STRENGTH_WORDS)
        )
        sentences.append(
            Sentence(start, end, negative, positive, not vague, positive and not question, question)
        )
        if vague:
            findings.append(_vague(field, start, end, text, s))
    findings.extend(_tone(field, text, read.starts, read.ends))
    findings.sort(key=_order)
    result = tuple(sentences)
    return result, findings, Summary.of(result)


def _order(f: Finding) -> tuple[int, int, str]:
    return (f.start, f.end, f.category.value)


def _severity(precision: float) -> Severity:
    if precision >= ERROR_PRECISION:
        return Severity.ERROR
    if precision >= WARNING_PRECISION:
        return Severity.WARNING
    return Severity.INFO


def _vague(field: str, start: int, end: int, text: str, s: Scores) -> Finding:
    claim = text[start:end]
    shown = claim if len(claim) <= 90 else claim[:87].rstrip() + "…"
    return Finding(
        Category.VAGUE_NEGATIVE,
        start,
        end,
        _severity(_precision("vague_negative")),
        "Could you say why? This criticism reads as having nothing behind it: no reason, "
        "example, number or reference in it or next to it.",
        f"Which part of the paper shows it (a section, table, experiment), and what would make "
        f"it better? For instance, instead of '{shown}', say what you saw and where.",
        NoteLine.VAGUE_NEGATIVES,
        "a negative claim with nothing backing it",
        field,
        round(s.vague, 2),
    )


def _missing_positives(field: str, length: int) -> Finding:
    return Finding(
        Category.MISSING_POSITIVES,
        0,
        length,
        _severity(_precision("missing_positives")),
        "What does the paper do well? The checker found no strength named; a public review says "
        "the good as well as the bad.",
        "Name at least one concrete strength and why it works, e.g. 'The ablation in Table 4 "
        "isolates the effect of the learned upsampling kernel.'",
        NoteLine.PUBLIC,
        "a statement of what works in the paper",
        field,
        round(_precision("missing_positives"), 2),
    )


_TONE_TEXT = {
    "snobbery": (
        Category.SNOBBERY,
        NoteLine.GOOD_INTENT,
        "Dismissive or contemptuous wording: assume good intent, a grad student like you "
        "wrote this.",
        "Replace '{evidence}' with the technical point behind it: what exactly is wrong, and "
        "how could the authors fix it?",
    ),
    "virtue_signaling": (
        Category.VIRTUE_SIGNALING,
        NoteLine.VIRTUE_SIGNALING,
        "This is about you, not the paper: the authors cannot act on it.",
        "Drop '{evidence}' and state the problem in the paper that prompted it: which claim, "
        "which experiment, which number.",
    ),
}


def _tone(field: str, text: str, starts: list[int], ends: list[int]) -> Iterable[Finding]:
    """Tone findings, one per sentence and category, spanning the sentence of the wording."""
    seen: set[tuple[int, str]] = set()
    for hit in tone.find_tone(text):
        j = bisect_right(starts, hit.start) - 1
        if j >= 0 and hit.start < ends[j]:
            start, end = starts[j], max(ends[j], hit.end)
        else:
            start, end = hit.start, hit.end
        if (start, hit.category) in seen:
            continue
        seen.add((start, hit.category))
        category, note, message, suggestion = _TONE_TEXT[hit.category]
        precision = _precision(hit.category)
        yield Finding(
            category,
            start,
            end,
            _severity(precision),
            message,
            suggestion.format(evidence=hit.evidence),
            note,
            hit.evidence,
            field,
            round(precision, 2),
        )


def _precision(category: str) -> float:
    return _precisions().get(category, 0.0)


@lru_cache(maxsize=1)
def _precisions() -> dict[str, float]:
    """Measured precision per category: cross-validated (the model's metadata) for the learned
    ones, hand-read verdicts on the training reviews for the tone rules."""
    model: Model = load()
    cv = model.metadata.get("cross_validation", {})
    out = {
        "vague_negative": float(cv.get("vague_negative", {}).get("precision", 0.0)),
        "missing_positives": float(cv.get("missing_positives", {}).get("precision", 0.0)),
    }
    out.update(_verdict_precisions())
    return out


def _verdict_precisions() -> dict[str, float]:
    """Per tone category, the share of its flags on the training reviews judged right by hand
    (none for a category without flags, or a checkout without verdicts)."""
    right: dict[str, int] = {}
    total: dict[str, int] = {}
    for v in tone.load_verdicts().values():
        total[v.category] = total.get(v.category, 0) + 1
        right[v.category] = right.get(v.category, 0) + (v.verdict == "right")
    return {c: right[c] / total[c] for c in total}
