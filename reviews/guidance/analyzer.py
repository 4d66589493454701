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
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress, pairwise, repeat
from operator import add, and_, eq, gt, is_, le, sub
from typing import Any

from reviews.guidance import lexicon as lx
from reviews.guidance.matcher import Scanner
from reviews.guidance.segment import sentence_bounds
from reviews.guidance.types import (
    Analysis,
    Category,
    Finding,
    NoteLine,
    ReviewAnalysis,
    Sentence,
    Severity,
    Summary,
    new_finding,
    new_sentences,
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


@dataclass(slots=True)
class _Read:
    """What the analyzer reads in one sentence before looking at its neighbours.

    Spans (``negatives``, ``contempt``, ``sweeping``, ``virtue``) are relative to ``start``;
    ``words`` is the range of the sentence's words in the text's word list. What only a
    finding needs (its wording, the advice) is worked out when the finding is made.
    """

    start: int
    end: int
    question: bool
    negative: bool
    positive: bool
    scope: tuple[int, int]
    scope_specific: bool
    own_specific: bool
    strength_like: bool
    negatives: list[tuple[int, int]]
    contempt: list[tuple[int, int]]
    sweeping: list[tuple[int, int]]
    virtue: list[tuple[int, int]]
    words: tuple[int, int]


def analyze(text: str) -> Analysis:
    """Analyse one free text (a whole review or a single field) and return its findings.

    Never raises on any ``str``; findings come in text order and every offset satisfies
    ``0 <= start <= end <= len(text)``. Missing positives is judged only when the text has at
    least :data:`MIN_SENTENCES_FOR_BALANCE` sentences and some negative judgement; use
    :func:`analyze_review` to judge it on the strengths field of the form.
    """
    sentences, findings, summary = _analyze(text, "text", strengths_field=False)
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
    summaries: list[Summary] = []
    for name in FIELDS:
        text = texts[name]
        sentences, findings, field_summary = _analyze(
            text, name, strengths_field=name == "strengths"
        )
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


def _lower_same_length(text: str) -> str:
    """``text.lower()``, except characters whose lower case is longer ("İ" -> "i̇") are kept,
    so that every offset found in the lowered text is an offset into ``text`` too."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(low if len(low := c.lower()) == 1 else c for c in text)


def _analyze(
    text: str, field: str, *, strengths_field: bool
) -> tuple[tuple[Sentence, ...], list[Finding], Summary]:
    """The sentences, findings and summary of one text.

    What holds for every sentence is worked out for all of them at once, in passes of ``map``
    over lists (one Python step per sentence cost about a microsecond: the budget of a text of
    50,000 sentences). Only the sentences with a cue (:func:`_read_cued`) are read one by one.
    """
    if not text or text.isspace():
        return (), [], _NO_SUMMARY
    starts, ends = sentence_bounds(text)
    if not starts:
        return (), [], _NO_SUMMARY
    lower = _lower_same_length(text)
    scan = _SCANNER.scan(lower)
    words = _Words(scan.word_starts, scan.words)
    # A sentence names something of its own when a content word lies in it: each content word
    # marks the last sentence starting at or before it, if it ends inside that sentence.
    texts = words.texts
    content = list(map(_CONTENT.get, texts))
    if None in content:
        for k in compress(range(len(content)), map(is_, content, repeat(None))):
            content[k] = _remember_content(texts[k])
    content_starts = list(compress(words.starts, content))
    content_ends = map(add, content_starts, map(len, compress(texts, content)))
    after = list(map(bisect_right, repeat(starts), content_starts))  # that sentence's index + 1
    inside = map(le, content_ends, map([-1, *ends].__getitem__, after))
    count = len(starts)
    anchored = _anchored(scan.spans["anchors"], starts, ends)
    own_specific = anchored.copy()  # an anchor ("Table 2", "[12]", a number) is specific
    for j in set(compress(after, inside)):
        own_specific[j - 1] = True
    if "?" in text:
        question = list(map(eq, map(text.__getitem__, map(sub, ends, repeat(1))), repeat("?")))
    else:
        question = [False] * count
    negative = [False] * count
    positive = [False] * count
    specific = own_specific.copy()
    # In the strengths field a sentence that names something is a strength, unless a question.
    real_strength = list(map(gt, own_specific, question)) if strengths_field else [False] * count
    reads, keys, moved = _read_cued(
        text, lower, starts, ends, scan.spans, words, question, anchored
    )
    for j, r in reads.items():
        own_specific[j] = r.own_specific
        negative[j] = r.negative
        positive[j] = r.positive
    findings: list[Finding] = []
    made: dict[tuple[_Key, bool], tuple[int, list[Finding]]] = {}  # a sentence read again
    for j, r in reads.items():
        is_specific = r.scope_specific or (
            r.negative
            and _justified_by_context(
                j, starts, ends, own_specific, negative, positive, question, lower
            )
        )
        if r.question or (r.negative and not r.positive):
            strength = False
        elif strengths_field:
            strength = r.strength_like or r.own_specific
        else:
            strength = r.strength_like
        specific[j] = is_specific
        real_strength[j] = strength
        if not (r.negative or r.virtue):
            continue
        key: _Key | None
        if j in moved:
            key, shift, word_shift = moved[j]
        else:
            key, shift, word_shift = keys.get(j), 0, 0
        if key is None:
            findings.extend(_findings(r, is_specific, field, text, words))
            continue
        start = r.start + shift
        same = made.get((key, is_specific))
        if same is None:
            if shift or word_shift:
                r = _moved(r, shift, word_shift)
            found = _findings(r, is_specific, field, text, words)
            made[key, is_specific] = (start, found)
            findings.extend(found)
            continue
        shift = start - same[0]
        for f in same[1]:
            findings.append(
                new_finding(
                    f.category,
                    f.start + shift,
                    f.end + shift,
                    f.severity,
                    f.message,
                    f.suggestion,
                    f.note,
                    f.evidence,
                    f.field,
                )
            )
    sentences = new_sentences(starts, ends, negative, positive, specific, real_strength, question)
    summary = Summary.count(
        count,
        negative.count(True),
        sum(map(and_, negative, specific)),
        positive.count(True),
        real_strength.count(True),
    )
    return sentences, findings, summary


def _findings(r: _Read, specific: bool, field: str, text: str, words: _Words) -> list[Finding]:
    found: list[Finding] = []
    virtue = _text(text, r.start, r.virtue) if r.virtue else ""
    if virtue:
        found.append(
            new_finding(
                Category.VIRTUE_SIGNALING,
                r.start,
                r.end,
                Severity.WARNING,
                "This is about you, not the paper: the authors cannot act on it.",
                "Drop the claim about your standards or experience and state the problem in the "
                "paper that prompted it: which claim, which experiment, which number.",
                NoteLine.VIRTUE_SIGNALING,
                virtue,
                field,
            )
        )
    contempt = _text(text, r.start, r.contempt) if r.contempt else ""
    sweeping = _text(text, r.start, r.sweeping) if r.sweeping else ""
    if contempt:
        found.append(
            new_finding(
                Category.SNOBBERY,
                r.start,
                r.end,
                Severity.ERROR,
                "Dismissive wording: assume good intent, a grad student like you wrote this.",
                f"Replace '{contempt}' with the technical point behind it, e.g. 'The method is "
                "the construction of [12] applied to upsampling; what does it add beyond it?'",
                NoteLine.GOOD_INTENT,
                contempt,
                field,
            )
        )
    elif sweeping and not specific:
        found.append(
            new_finding(
                Category.SNOBBERY,
                r.start,
                r.end,
                Severity.WARNING,
                "Sweeping dismissal without evidence: snobbery has to be earned.",
                "Back the verdict with evidence (a citation, a number, a failing case) or narrow "
                "it to what you can show, e.g. 'The idea appears in [7], Sec. 3.'",
                NoteLine.SNOBBERY_EARNED,
                sweeping,
                field,
            )
        )
    if r.negative and not specific and not found:
        start, end = r.scope
        first_negative = min(r.negatives, key=_earliest_longest) if r.negatives else (0, 0)
        found.append(
            new_finding(
                Category.VAGUE_NEGATIVE,
                start,
                end,
                Severity.WARNING,
                "Negative judgement with nothing specific: the authors cannot tell what to fix.",
                _advice(words, r.words, start, end),
                NoteLine.VAGUE_NEGATIVES,
                _text(text, r.start, [first_negative]),
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


def _justified_by_context(
    j: int,
    starts: list[int],
    ends: list[int],
    own_specific: list[bool],
    negative: list[bool],
    positive: list[bool],
    question: list[bool],
    lower: str,
) -> bool:
    """The vague negative sentence ``j`` is made specific by its neighbours (see the module
    docstring); the lists hold every sentence's reading."""
    k = j + 1
    if (
        k < len(own_specific)
        and own_specific[k]
        and (negative[k] or not positive[k] or question[k])
    ):
        return True
    return j > 0 and own_specific[j - 1] and _ANAPHOR.match(lower[starts[j] : ends[j]]) is not None


def _moved(r: _Read, shift: int, word_shift: int) -> _Read:
    """The read ``r`` of a sentence, for the same sentence ``shift`` characters and
    ``word_shift`` words later."""
    return _Read(
        r.start + shift,
        r.end + shift,
        r.question,
        r.negative,
        r.positive,
        (r.scope[0] + shift, r.scope[1] + shift),
        r.scope_specific,
        r.own_specific,
        r.strength_like,
        r.negatives,
        r.contempt,
        r.sweeping,
        r.virtue,
        (r.words[0] + word_shift, r.words[1] + word_shift),
    )


_SCANNER = Scanner(
    {
        "negative": lx.NEGATIVE,
        "positive": lx.POSITIVE,
        "contempt": lx.CONTEMPT,
        "sweeping": lx.SWEEPING,
        "virtue": lx.VIRTUE,
        "expertise": lx.EXPERTISE,
        "anchors": lx.ANCHORS,
        "quote": lx.QUOTE,
    }
)

_Spans = list[tuple[int, int]]
_NONE: _Spans = []
_Key = tuple[Any, ...]  # a sentence's text, whether anchored, and its cues (see _read_cued)
_Moved = tuple[_Key, int, int]  # the key, how many characters and words after the first one
_NO_SUMMARY = Summary.count(0, 0, 0, 0, 0)


class _Words:
    """The words of the whole lower-cased text (:data:`lexicon.WORD`) and where they start."""

    __slots__ = ("starts", "texts")

    def __init__(self, starts: list[int], texts: list[str]) -> None:
        self.starts = starts
        self.texts = texts

    def within(self, start: int, end: int, first: int) -> tuple[int, int]:
        """The index range of the words lying inside ``[start, end)``, searched from ``first``."""
        starts = self.starts
        lo = bisect_left(starts, start, first)
        hi = bisect_left(starts, end, lo)
        # Words do not overlap: only the last one can run past ``end``.
        if hi > lo and starts[hi - 1] + len(self.texts[hi - 1]) > end:
            hi -= 1
        return lo, hi


def _by_sentence(
    spans: _Spans, starts: list[int], ends: list[int]
) -> dict[int, list[tuple[int, int]]]:
    """``spans`` lying inside a sentence, grouped by sentence and made relative to its start."""
    grouped: dict[int, list[tuple[int, int]]] = {}
    if not spans:
        return grouped
    for a, b in spans:
        j = bisect_left(starts, a + 1) - 1
        if j < 0 or a >= ends[j] or b > ends[j]:
            continue
        s0 = starts[j]
        if j in grouped:
            grouped[j].append((a - s0, b - s0))
        else:
            grouped[j] = [(a - s0, b - s0)]
    return grouped


def _read_cued(
    text: str,
    lower: str,
    starts: list[int],
    ends: list[int],
    found: dict[str, _Spans],
    words: _Words,
    questions: list[bool],
    anchored: list[bool],
) -> tuple[dict[int, _Read], dict[int, _Key], dict[int, _Moved]]:
    """Read the sentences ``text[starts[j]:ends[j]]`` that hold a cue, by their index ``j``.

    A cue is anything that can make a sentence judged or a finding; the sentences without one
    (most of them, in a text of many short sentences) are read by :func:`_analyze`, and so are
    those with only an anchor (``anchored[j]``: specific, nothing else). ``lower`` is
    ``text.lower()``. Also returns the keys of the sentences read first and, for each
    sentence read like an earlier one (``reads[j]`` is that one's read), how it is moved.
    """
    quote = _by_sentence(found["quote"], starts, ends)
    negative_cues = _by_sentence(found["negative"], starts, ends)
    positive_cues = _by_sentence(found["positive"], starts, ends)
    contempt_cues = _by_sentence(found["contempt"], starts, ends)
    sweeping_cues = _by_sentence(found["sweeping"], starts, ends)
    virtue_cues = _by_sentence(found["virtue"], starts, ends)
    expertise_cues = _by_sentence(found["expertise"], starts, ends)
    anchors = found["anchors"]
    anchor_starts = [a for a, _ in anchors]
    texts, word_starts = words.texts, words.starts
    content = _CONTENT
    cued = sorted(
        set().union(negative_cues, positive_cues, contempt_cues, sweeping_cues, virtue_cues)
    )
    families = (
        quote,
        negative_cues,
        positive_cues,
        contempt_cues,
        sweeping_cues,
        virtue_cues,
        expertise_cues,
    )
    cues_of: dict[int, list[tuple[Any, ...]]] = {}  # per sentence: (family, its cues...)
    remember = len(cued) >= _MANY_SENTENCES  # else keys cost more than they save
    for family, grouped in enumerate(families if remember else ()):
        for j, spans in grouped.items():
            if j in cues_of:
                cues_of[j].append((family, *spans))
            else:
                cues_of[j] = [(family, *spans)]
    reads: dict[int, _Read] = {}
    keys: dict[int, _Key] = {}
    moved: dict[int, _Moved] = {}
    # A text that repeats a sentence ("Bad.\nBad.\n...") reads it once: what follows is the
    # same for the same words with the same cues at the same places (the words of a sentence
    # are those of its text alone: no word runs across a sentence's start or end).
    seen: dict[_Key, _Read] = {}
    first_word = 0
    for j in cued:
        start, end = starts[j], ends[j]
        key = (text[start:end], anchored[j], *cues_of[j]) if remember else ()
        same = seen.get(key) if remember else None
        if same is not None:
            lo = bisect_left(word_starts, start, first_word)
            first_word = lo + same.words[1] - same.words[0]
            reads[j] = same  # with the start of the first one: see ``_Moved``
            moved[j] = (key, start - same.start, lo - same.words[0])
            continue
        question = questions[j]
        length = end - start
        quoted = quote.get(j)
        negatives = negative_cues.get(j, _NONE)
        in_quote = _covered_by(quoted) if quoted else None
        if in_quote is not None:
            negatives = [n for n in negatives if not in_quote(n[0])]
        else:
            negatives = list(negatives)
        positives: _Spans = []
        s = ""
        if j in positive_cues:
            s = lower[start:end]
            # No cue is negated in a sentence without a negator ("good good good ...").
            many = len(positive_cues[j]) >= _FEW_SPANS
            may_negate = not many or any(map(s.__contains__, _NEGATOR_PARTS))
            negated: dict[tuple[str, int], bool] | None = {} if many else None
            for p in positive_cues[j]:
                if in_quote is not None and in_quote(p[0]):
                    continue
                if may_negate and _negated(s, p[0], negated):
                    negatives.append(p)
                else:
                    positives.append(p)
        contempt = contempt_cues.get(j, _NONE)
        sweeping = sweeping_cues.get(j, _NONE)
        virtue = virtue_cues.get(j, _NONE)
        negative = (bool(negatives) and not question) or bool(contempt or sweeping)
        positive = bool(positives) and not question
        if negative and not virtue:
            virtue = expertise_cues.get(j, _NONE)
        lo, hi = word_range = words.within(start, end, first_word)
        first_word = hi
        cues = (
            negatives + positives + contempt + sweeping
            if negatives or positives or contempt or sweeping
            else _NONE
        )
        if anchored[j]:
            own_specific = True
        else:
            own_specific = False
            in_cues: Callable[[int], bool] | None = None
            for k in range(lo, hi):
                w = texts[k]
                is_content = content.get(w)
                if is_content is None:
                    is_content = _remember_content(w)
                if is_content:
                    if cues:
                        if in_cues is None:
                            in_cues = _covered_by(cues)
                        if in_cues(word_starts[k] - start):
                            continue
                    own_specific = True
                    break
        scope = (0, length)
        scope_specific = own_specific
        if negative and positive:
            scope = _negative_scope(s or lower[start:end], negatives)
            if scope != (0, length):
                inside = _within(anchors, anchor_starts, start, end)
                scope_specific = _specific(start, scope, inside, cues, words, word_range)
        strength_like = positive and (own_specific or not lx.ASPECTS.isdisjoint(texts[lo:hi]))
        r = reads[j] = _Read(
            start,
            end,
            question,
            negative,
            positive,
            (start + scope[0], start + scope[1]),
            scope_specific,
            own_specific,
            strength_like,
            negatives,
            contempt,
            sweeping,
            virtue,
            word_range,
        )
        if remember and not (negative and positive):  # else its anchors count: not kept
            seen[key] = r
            keys[j] = key
    return reads, keys, moved


def _anchored(anchors: _Spans, starts: list[int], ends: list[int]) -> list[bool]:
    """For each sentence ``[starts[j], ends[j])``, whether one of ``anchors`` lies in it.

    A sentence holds an anchor when, of the anchors starting at or after its start, one ends by
    its end (the least end of those, kept for every first anchor): passes over the lists, for
    texts of 100,000 anchors ("7777...") or 50,000 sentences.
    """
    if not anchors:
        return [False] * len(starts)
    anchor_starts = [a for a, _ in anchors]
    anchor_ends = [b for _, b in anchors]
    if any(map(eq, anchor_starts, anchor_ends)):  # an empty span at a sentence's end is not in it
        grouped = _by_sentence(anchors, starts, ends)
        return [j in grouped for j in range(len(starts))]
    least_end = [*accumulate(reversed(anchor_ends), min)][::-1]
    least_end.append(ends[-1] + 1)  # no anchor after the last
    first = map(bisect_left, repeat(anchor_starts), starts)
    return list(map(le, map(least_end.__getitem__, first), ends))


def _within(anchors: _Spans, anchor_starts: list[int], start: int, end: int) -> _Spans:
    """The ``anchors`` lying in ``[start, end)``, relative to ``start``."""
    lo = bisect_left(anchor_starts, start)
    hi = bisect_left(anchor_starts, end, lo)
    return [(a - start, b - start) for a, b in anchors[lo:hi] if b <= end]


def _inside(at: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= at < b for a, b in spans)


_FEW_SPANS = 8
_MANY_SENTENCES = 256  # sentences with cues: the same ones are read once (see _read_cued)


def _covered_by(spans: _Spans) -> Callable[[int], bool]:
    """``lambda at: _inside(at, spans)``, in time logarithmic in the number of spans.

    A sentence can hold thousands of cues ("trivial trivial ..."), each of its words looked up
    among them: a scan of the list per word was quadratic in the sentence's length.
    """
    if len(spans) <= _FEW_SPANS:
        return lambda at: _inside(at, spans)
    starts: list[int] = []
    ends: list[int] = []
    for a, b in sorted(spans):
        if a >= b:  # an empty span holds nothing
            continue
        if ends and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)

    def inside(at: int) -> bool:
        i = bisect_right(starts, at) - 1
        return i >= 0 and at < ends[i]

    return inside


def _text(text: str, start: int, spans: list[tuple[int, int]]) -> str:
    """The original wording of the first of ``spans`` (sentence-relative), or ""."""
    if not spans:
        return ""
    a, b = min(spans, key=_earliest_longest)
    return text[start + a : start + b]


def _earliest_longest(span: tuple[int, int]) -> tuple[int, int]:
    return (span[0], -span[1])


_NEGATOR_PARTS = tuple(sorted({*lx.NEGATORS, "n't", "n’t"}))  # what a negator contains


def _negated(s: str, at: int, known: dict[tuple[str, int], bool] | None) -> bool:
    """True when one of the three words before ``at`` negates it ("not novel", "lacks clarity").

    What it reads is ``s[at - 40 : at + 4]`` (from 0 at most): with ``known``, the answer for
    what it read before is looked up there ("novel novel novel ...").
    """
    low = max(0, at - 40)
    if known is None:
        return _negated_read(s, low, at)
    read = (s[low : at + 4], at - low)
    if read not in known:
        known[read] = _negated_read(read[0], 0, read[1])
    return known[read]


def _negated_read(s: str, low: int, at: int) -> bool:
    before = _PRECEDING_WORDS.findall(s, low, at)[-3:]
    for k, word in enumerate(before):
        if word in lx.NEGATORS or word.endswith(("n't", "n’t")):
            following = before[k + 1] if k + 1 < len(before) else s[at : at + 4]
            if not following.startswith("only"):
                return True
    return False


def _negative_scope(s: str, negatives: list[tuple[int, int]]) -> tuple[int, int]:
    """The clauses of ``s`` holding its negative cues (praise before "but" left out)."""
    bounds = [0, *(m.start() for m in _CLAUSE.finditer(s) if m.start() > 0), len(s)]
    # Each clause looks for a cue by bisection: a scan of all cues per clause was quadratic.
    cues = sorted(n for n, _ in negatives)
    starts: list[int] = []
    ends: list[int] = []
    for a, b in pairwise(bounds):
        i = bisect_left(cues, a)
        if i < len(cues) and cues[i] < b:
            starts.append(a)
            ends.append(b)
    if not starts:
        return (0, len(s))
    first = starts[0]
    while first < ends[-1] and not s[first].isalnum():
        first += 1
    return (first, ends[-1])


def _specific(
    start: int,
    scope: tuple[int, int],
    anchors: _Spans | None,
    cues: _Spans,
    words: _Words,
    word_range: tuple[int, int],
) -> bool:
    """True when the part ``scope`` of the sentence at ``start`` names something checkable.

    See the module docstring; ``anchors`` and ``cues`` are relative to ``start``.
    """
    lo, hi = scope
    if anchors and any(lo <= a < hi for a, _ in anchors):
        return True
    starts, texts = words.starts, words.texts
    in_cues = _covered_by(cues)
    for k in range(*word_range):
        a = starts[k] - start
        if lo <= a < hi and not in_cues(a) and _content_word(texts[k]):
            return True
    return False


_CONTENT: dict[str, bool] = {}


_REMEMBERED_WORD = 64
"""Longer words are judged afresh each time: remembered, texts made of long words would keep up
to 65,536 of them alive in :data:`_CONTENT` and as many in the cache of :func:`_content_word`
(gigabytes, at 20,000 characters a word)."""


def _remember_content(word: str) -> bool:
    """:func:`_content_word`, remembered in :data:`_CONTENT` (emptied when it grows large)."""
    if len(word) > _REMEMBERED_WORD:
        return _judge_content(word)
    if len(_CONTENT) >= 1 << 16:
        _CONTENT.clear()
    result = _CONTENT[word] = _content_word(word)
    return result


def _content_word(word: str) -> bool:
    """A word that says something about this paper in particular (``word`` is lower-case)."""
    if len(word) > _REMEMBERED_WORD:
        return _judge_content(word)
    return _remembered_content_word(word)


@lru_cache(maxsize=1 << 16)
def _remembered_content_word(word: str) -> bool:
    return _judge_content(word)


def _judge_content(word: str) -> bool:
    """:func:`_content_word`, worked out."""
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


def _advice(words: _Words, word_range: tuple[int, int], start: int, end: int) -> str:
    """Advice on rewriting a vague negative, from the words of its scope ``[start, end)``.

    The first advice in :data:`lexicon.ADVICE` one of whose subjects is among the words.
    """
    starts, texts = words.starts, words.texts
    first = min(
        (
            _ADVICE_INDEX.get(texts[k], _NO_ADVICE)
            for k in range(*word_range)
            if start <= starts[k] < end
        ),
        default=_NO_ADVICE,
    )
    return lx.ADVICE[first][1] if first < _NO_ADVICE else lx.DEFAULT_ADVICE


_NO_ADVICE = len(lx.ADVICE)
_ADVICE_INDEX: dict[str, int] = {}
for _index, (_subjects, _) in reversed(list(enumerate(lx.ADVICE))):
    _ADVICE_INDEX.update(dict.fromkeys(_subjects, _index))
