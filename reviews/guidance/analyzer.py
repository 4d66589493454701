"""The rules: read each sentence, then judge it with its neighbours.

A sentence is *negative* when it judges the paper unfavourably (a lexicon of review criticism,
plus negated praise), unless it is a question. A negative is *specific* when its clause (the part
around the criticism, not the praise before "but") names something checkable: a numbered
reference, a number, a quotation, a citation, a counted thing ("only two datasets"), or any
content word left once review boilerplate, judgement words and stop words are taken away
("the bilinear-upsampling baseline"). A vague negative becomes specific through its context: a
specific next sentence that is not pure praise, or, for "This is unconvincing.", a specific
previous sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from reviews.guidance import lexicon as lx
from reviews.guidance.segment import sentence_spans
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

_CLAUSE = re.compile(
    r"(?:,|;|\s[-–—]+)\s*(?=(?:but|however|although|though|while|whereas|yet|except|apart)\b)"
    r"|;\s*|\s(?=but\b)|(?<=^)(?=(?:although|though|while|whereas)\b)"
)
_ANAPHOR = re.compile(r"(?:this|these|that|those|it|they|such|the (?:latter|former))\b")
_PRECEDING_WORDS = re.compile(r"[\w'’]+")


@dataclass(frozen=True, slots=True)
class _Read:
    """What the analyzer reads in one sentence before looking at its neighbours."""

    start: int
    end: int
    question: bool
    negative: bool
    positive: bool
    scope: tuple[int, int]
    scope_specific: bool
    own_specific: bool
    strength_like: bool
    anaphoric: bool
    cue: str
    contempt: str
    sweeping: str
    virtue: str
    advice: str


def analyze(text: str) -> Analysis:
    """Analyse one free text (a whole review or a single field) and return its findings.

    Never raises on any ``str``; findings come in text order and every offset satisfies
    ``0 <= start <= end <= len(text)``. Missing positives is judged only when the text has at
    least :data:`MIN_SENTENCES_FOR_BALANCE` sentences and some negative judgement; use
    :func:`analyze_review` to judge it on the strengths field of the form.
    """
    sentences, findings = _analyze(text, "text", strengths_field=False)
    summary = Summary.of(sentences)
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

    Each field is analysed on its own (offsets index that field; context does not cross fields).
    ``missing_positives`` is judged on ``strengths`` alone: it is reported, spanning the whole
    strengths field (empty span when the field is empty), when the strengths field names no
    real strength and the form is not entirely blank. A real strength is a non-negative
    statement that names something (bare "Good paper." is not one).
    """
    texts = {
        "summary": summary,
        "strengths": strengths,
        "weaknesses": weaknesses,
        "questions": questions,
    }
    fields: dict[str, Analysis] = {}
    all_findings: list[Finding] = []
    all_sentences: list[Sentence] = []
    for name in FIELDS:
        text = texts[name]
        sentences, findings = _analyze(text, name, strengths_field=name == "strengths")
        field_summary = Summary.of(sentences)
        if (
            name == "strengths"
            and not field_summary.real_strengths
            and any(t.strip() for t in texts.values())
        ):
            findings.append(_missing_positives(name, len(text)))
        fields[name] = Analysis(text, tuple(findings), sentences, field_summary)
        all_findings.extend(findings)
        all_sentences.extend(sentences)
    return ReviewAnalysis(fields, tuple(all_findings), Summary.of(tuple(all_sentences)))


def _analyze(
    text: str, field: str, *, strengths_field: bool
) -> tuple[tuple[Sentence, ...], list[Finding]]:
    lower = text.lower()
    index = _Index(lower)
    reads = [_read(text, lower, start, end, index) for start, end in sentence_spans(text)]
    sentences: list[Sentence] = []
    findings: list[Finding] = []
    for i, r in enumerate(reads):
        specific = r.scope_specific or _justified_by_context(reads, i)
        real_strength = (
            r.strength_like and not r.question and not (r.negative and not r.positive)
            if not strengths_field
            else not r.question
            and not (r.negative and not r.positive)
            and (r.strength_like or r.own_specific)
        )
        sentences.append(
            Sentence(r.start, r.end, r.negative, r.positive, specific, real_strength, r.question)
        )
        findings.extend(_findings(r, specific, field))
    return tuple(sentences), findings


def _findings(r: _Read, specific: bool, field: str) -> list[Finding]:
    found: list[Finding] = []
    if r.virtue:
        found.append(
            Finding(
                Category.VIRTUE_SIGNALING,
                r.start,
                r.end,
                Severity.WARNING,
                "This is about you, not the paper: the authors cannot act on it.",
                "Drop the claim about your standards or experience and state the problem in the "
                "paper that prompted it: which claim, which experiment, which number.",
                NoteLine.VIRTUE_SIGNALING,
                r.virtue,
                field,
            )
        )
    if r.contempt:
        found.append(
            Finding(
                Category.SNOBBERY,
                r.start,
                r.end,
                Severity.ERROR,
                "Dismissive wording: assume good intent, a grad student like you wrote this.",
                f"Replace '{r.contempt}' with the technical point behind it, e.g. 'The method is "
                "the construction of [12] applied to upsampling; what does it add beyond it?'",
                NoteLine.GOOD_INTENT,
                r.contempt,
                field,
            )
        )
    elif r.sweeping and not specific:
        found.append(
            Finding(
                Category.SNOBBERY,
                r.start,
                r.end,
                Severity.WARNING,
                "Sweeping dismissal without evidence: snobbery has to be earned.",
                "Back the verdict with evidence (a citation, a number, a failing case) or narrow "
                "it to what you can show, e.g. 'The idea appears in [7], Sec. 3.'",
                NoteLine.SNOBBERY_EARNED,
                r.sweeping,
                field,
            )
        )
    if r.negative and not specific and not found:
        start, end = r.scope
        found.append(
            Finding(
                Category.VAGUE_NEGATIVE,
                start,
                end,
                Severity.WARNING,
                "Negative judgement with nothing specific: the authors cannot tell what to fix.",
                r.advice,
                NoteLine.VAGUE_NEGATIVES,
                r.cue,
                field,
            )
        )
    return found


def _missing_positives(field: str, length: int) -> Finding:
    return Finding(
        Category.MISSING_POSITIVES,
        0,
        length,
        Severity.WARNING,
        "No real strength named: a public review says the good as well as the bad.",
        "Name at least one concrete strength and why it works, e.g. 'The ablation in Table 4 "
        "isolates the effect of the learned upsampling kernel.'",
        NoteLine.PUBLIC,
        "a statement of what works in the paper",
        field,
    )


def _justified_by_context(reads: list[_Read], i: int) -> bool:
    """A vague negative is made specific by its neighbours (see the module docstring)."""
    r = reads[i]
    if not r.negative:
        return False
    if i + 1 < len(reads):
        nxt = reads[i + 1]
        if nxt.own_specific and (nxt.negative or not nxt.positive or nxt.question):
            return True
    return r.anaphoric and i > 0 and reads[i - 1].own_specific


class _Index:
    """Every lexicon's matches over the whole lower-cased text, looked up per sentence."""

    __slots__ = ("_spans", "_starts")

    def __init__(self, lower: str) -> None:
        families = {
            "negative": lx.NEGATIVE,
            "positive": lx.POSITIVE,
            "contempt": lx.CONTEMPT,
            "sweeping": lx.SWEEPING,
            "virtue": lx.VIRTUE,
            "expertise": lx.EXPERTISE,
            "anchors": lx.ANCHORS,
            "quote": lx.QUOTE,
        }
        self._spans = {name: lexicon.spans(lower) for name, lexicon in families.items()}
        self._spans["word"] = [m.span() for m in lx.WORD.finditer(lower)]
        self._starts = {name: [a for a, _ in spans] for name, spans in self._spans.items()}

    def within(self, name: str, start: int, end: int) -> list[tuple[int, int]]:
        """Matches of ``name`` lying inside ``[start, end)``, relative to ``start``."""
        spans = self._spans[name]
        first = bisect_left(self._starts[name], start)
        last = bisect_left(self._starts[name], end, first)
        return [(a - start, b - start) for a, b in spans[first:last] if b <= end]


def _read(text: str, lower: str, start: int, end: int, index: _Index) -> _Read:
    """Read the sentence ``text[start:end]`` (``lower`` is ``text.lower()``)."""
    s = lower[start:end]
    question = s.endswith("?")
    quoted = index.within("quote", start, end)
    negatives = [n for n in index.within("negative", start, end) if not _inside(n[0], quoted)]
    positives: list[tuple[int, int]] = []
    for p in index.within("positive", start, end):
        if _inside(p[0], quoted):
            continue
        if _negated(s, p[0]):
            negatives.append(p)
        else:
            positives.append(p)
    contempt = index.within("contempt", start, end)
    sweeping = index.within("sweeping", start, end)
    virtue = index.within("virtue", start, end)
    negative = (bool(negatives) and not question) or bool(contempt or sweeping)
    positive = bool(positives) and not question
    if negative and not virtue:
        virtue = index.within("expertise", start, end)
    cues = negatives + positives + contempt + sweeping
    anchors = index.within("anchors", start, end)
    words = index.within("word", start, end)
    scope = (0, len(s))
    if negative and positive:
        scope = _negative_scope(s, negatives)
    own_specific = _specific(s, cues, anchors, words, (0, len(s)))
    scope_specific = (
        own_specific if scope == (0, len(s)) else _specific(s, cues, anchors, words, scope)
    )
    strength_like = positive and (own_specific or _mentions_aspect(s, words))
    first_negative = min(negatives, key=_earliest_longest) if negatives else (0, 0)
    return _Read(
        start=start,
        end=end,
        question=question,
        negative=negative,
        positive=positive,
        scope=(start + scope[0], start + scope[1]),
        scope_specific=scope_specific,
        own_specific=own_specific,
        strength_like=strength_like,
        anaphoric=_ANAPHOR.match(s) is not None,
        cue=_text(text, start, [first_negative]),
        contempt=_text(text, start, contempt),
        sweeping=_text(text, start, sweeping),
        virtue=_text(text, start, virtue),
        advice=_advice(s, words, scope),
    )


def _inside(at: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= at < b for a, b in spans)


def _text(text: str, start: int, spans: list[tuple[int, int]]) -> str:
    """The original wording of the first of ``spans`` (sentence-relative), or ""."""
    if not spans:
        return ""
    a, b = min(spans, key=_earliest_longest)
    return text[start + a : start + b]


def _earliest_longest(span: tuple[int, int]) -> tuple[int, int]:
    return (span[0], -span[1])


def _negated(s: str, at: int) -> bool:
    """True when one of the three words before ``at`` negates it ("not novel", "lacks clarity")."""
    before = _PRECEDING_WORDS.findall(s, max(0, at - 40), at)[-3:]
    for k, word in enumerate(before):
        if word in lx.NEGATORS or word.endswith(("n't", "n’t")):
            following = before[k + 1] if k + 1 < len(before) else s[at : at + 4]
            if not following.startswith("only"):
                return True
    return False


def _negative_scope(s: str, negatives: list[tuple[int, int]]) -> tuple[int, int]:
    """The clauses of ``s`` holding its negative cues (praise before "but" left out)."""
    bounds = [0, *(m.start() for m in _CLAUSE.finditer(s) if m.start() > 0), len(s)]
    starts: list[int] = []
    ends: list[int] = []
    for a, b in pairwise(bounds):
        if any(a <= n < b for n, _ in negatives):
            starts.append(a)
            ends.append(b)
    if not starts:
        return (0, len(s))
    first = starts[0]
    while first < ends[-1] and not s[first].isalnum():
        first += 1
    return (first, ends[-1])


def _specific(
    s: str,
    cues: list[tuple[int, int]],
    anchors: list[tuple[int, int]],
    words: list[tuple[int, int]],
    scope: tuple[int, int],
) -> bool:
    """True when ``s[scope]`` names something checkable (see the module docstring)."""
    lo, hi = scope
    if any(lo <= a < hi for a, _ in anchors):
        return True
    return any(lo <= a < hi and not _inside(a, cues) and _content_word(s[a:b]) for a, b in words)


@lru_cache(maxsize=1 << 16)
def _content_word(word: str) -> bool:
    """A word that says something about this paper in particular (``word`` is lower-case)."""
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    if "-" in word:
        return word not in lx.BOILERPLATE and any(
            _content_word(part) for part in word.split("-") if part
        )
    if len(word) < 3 or word in lx.BOILERPLATE or word in lx.GENERIC_ACRONYMS:
        return False
    if word.endswith("ly"):
        return False
    for suffix, replacements in _SUFFIXES:
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            if any(stem + r in lx.BOILERPLATE for r in replacements):
                return False
    return True


_SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ies", ("y",)),
    ("es", ("", "e")),
    ("s", ("",)),
    ("ing", ("", "e")),
    ("ed", ("", "e")),
    ("er", ("", "e")),
)


def _mentions_aspect(s: str, words: list[tuple[int, int]]) -> bool:
    return any(s[a:b] in lx.ASPECTS for a, b in words)


def _advice(s: str, words: list[tuple[int, int]], scope: tuple[int, int]) -> str:
    found = {s[a:b] for a, b in words if scope[0] <= a < scope[1]}
    for subjects, advice in lx.ADVICE:
        if found & subjects:
            return advice
    return lx.DEFAULT_ADVICE
