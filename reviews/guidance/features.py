"""What the learned models see of a sentence: words, cues and its neighbours, as feature names.

The same function feeds training (``reviews.guidance.train``) and the analyzer at run time, so
a model never sees features at run time that it was not trained on. Every feature is binary and
named by a string (``"w:weak"``, ``"b:not_clear"``, ``"c:num"``, ``"n:ref"``); a model is a
dict from those names to weights.

* Words and word pairs of the sentence, lower case, digits folded into ``<num>``. Quoted text
  is the paper's wording, not the reviewer's: it becomes one ``<quote>`` token.
* Cues that a claim is backed: a number, a reference to a section, table, figure, equation or
  line, a citation, "because"/"since", "e.g."/"for example", a question, a colon at the end
  (a list follows). The same cues of the next and the previous sentence (``n:``, ``p:``) and
  the first words of the next one: evidence often follows the claim.
* Sentiment: how many words of the sentence are negative or positive in VADER's lexicon
  (``sentiment_words.tsv``; a word after "not", "no", "lacks"... counts the other way), and
  whether it negates at all (``lx:``).
* Where the sentence is: the section of the review (from the form field, or from a heading such
  as "Weaknesses:" in a free text), first or last in its section, after a bullet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from reviews.guidance.segment import sentence_bounds

SECTIONS = ("summary", "strengths", "weaknesses", "questions", "none")
"""The sections a sentence can lie in: the form's fields, or ``none`` when unknown."""

# A heading line of a review written as one text (the forms of ARR, OpenReview, our own).
_HEADING = re.compile(
    r"[ \t>#*_-]*(?P<name>paper[ _]summary"
    r"|summary[ _]of[ _](?:the[ _])?(?:paper|strengths|weaknesses)"
    r"|comments,?[ _]suggestions[ _]and[ _]typos|summary|strengths?|weaknesses|weak[ _]points"
    r"|strong[ _]points|pros|cons|questions(?:[ _]for[ _](?:the[ _])?authors)?"
    r"|(?:additional[ _]|other[ _]|minor[ _])?comments|general[ _]discussion|limitations"
    r"|typos|suggestions)[ \t*_]*:?[ \t*_]*",
    re.IGNORECASE,
)
_SECTION_OF_HEADING = {
    "summary": "summary",
    "paper summary": "summary",
    "summary of paper": "summary",
    "summary of the paper": "summary",
    "summary of strengths": "strengths",
    "summary of the strengths": "strengths",
    "strength": "strengths",
    "strengths": "strengths",
    "strong points": "strengths",
    "pros": "strengths",
    "summary of weaknesses": "weaknesses",
    "summary of the weaknesses": "weaknesses",
    "weaknesses": "weaknesses",
    "weak points": "weaknesses",
    "cons": "weaknesses",
    "limitations": "weaknesses",
}

_WORD = re.compile(r"[a-z][a-z'’-]*[a-z]|[a-z]|\d+(?:[.,]\d+)*%?")
# Quoted passages (the paper's words). Neither kind of quote mark is allowed inside, so that a
# run of opening quotes costs a step each, not a scan to the end of the line each.
_QUOTED = re.compile(r"\"[^\"“”\n]{2,}\"|“[^\"“”\n]{2,}”")
_NUMBER = re.compile(r"\d")
_REFERENCE = re.compile(
    r"\b(?:tables?|tab|figures?|figs?|sections?|sec|secs|§|eqs?|eqn|equations?|lines?|l|ll"
    r"|appendix|appendices|algorithm|alg|theorem|lemma|page|pp?|footnote)\b\.?\s*\(?[\dA-Z]"
    r"|\b(?:in|see) (?:the )?(?:appendix|supplementary)",
)
_CITATION = re.compile(r"\bet al\b|\[\d{1,3}(?:[,–-]\s*\d{1,3})*\]|\b(?:19|20)\d\d\b|arxiv|https?:")
# The cues named by words, in one pattern: one pass over a sentence finds them all.
_WORD_CUES = re.compile(
    r"\b(?:(?P<because>because|since|due to|as a result|therefore|thus|hence|given that)"
    r"|(?P<eg>e\.g|for example|for instance|such as|i\.e|namely|specifically)"
    r"|(?P<hedge>seems?|seemed|might|may|perhaps|possibly|somewhat|a bit|rather|unclear|not sure"
    r"|i think|i feel|i believe|in my opinion))\b"
)
# A word each phrase of _WORD_CUES needs (among the sentence's words outside quotes): a
# sentence with none of them is not searched.
_CUE_WORDS = frozenset(
    [
        "because",
        "since",
        "due",
        "result",
        "therefore",
        "thus",
        "hence",
        "given",
        "g",
        "e",
        "example",
        "instance",
        "such",
        "namely",
        "specifically",
        "seem",
        "seems",
        "seemed",
        "might",
        "may",
        "perhaps",
        "possibly",
        "somewhat",
        "bit",
        "rather",
        "unclear",
        "sure",
        "think",
        "feel",
        "believe",
        "opinion",
    ]
)
CUES = ("num", "ref", "cite", "because", "eg", "hedge", "quote", "question", "colon")
"""Every cue :func:`cues` can name, in the order it names them."""
_BULLET = re.compile(r"[ \t]*(?:[-*•·–>]+|\(?\d{1,2}[.)]|\(?[a-z]\)|\[\d{1,2}\])[ \t]")

Cues = tuple[str, ...]

SENTIMENT_WORDS = Path(__file__).with_name("sentiment_words.tsv")

NEGATION_WINDOW = 3
"""How many words before a sentiment word a negator turns its polarity."""

# Words that turn the polarity of the three words after them ("not convincing", "lacks clear").
NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "without",
        "lack",
        "lacks",
        "lacking",
        "missing",
        "hardly",
        "nor",
        "n't",
        "don't",
        "doesn't",
        "isn't",
        "aren't",
        "cannot",
        "can't",
        "didn't",
        "wasn't",
    ]
)


_NEGATIVE_COUNTS = ("", "lx:neg1", "lx:neg2", "lx:neg3")
_POSITIVE_COUNTS = ("", "lx:pos1", "lx:pos2", "lx:pos3")


@lru_cache(maxsize=1)
def polarities() -> dict[str, int]:
    """The sign (-1 or +1) of every word of the sentiment lexicon, read once."""
    signs = {}
    for line in SENTIMENT_WORDS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, valence = line.split("\t")
            signs[word] = 1 if float(valence) > 0 else -1
    return signs


def sentiment_features(ws: Sequence[str]) -> list[str]:
    """The ``lx:`` features of a sentence's words: counts of negative and positive words."""
    return sentiment_names(*sentiment_counts(ws))


def sentiment_counts(ws: Sequence[str]) -> tuple[int, int, bool]:
    """How many negative and positive words the sentence has (a word after a negator counts
    the other way), and whether it has a negator."""
    negators = NEGATORS
    neg = pos = 0
    for i, sign in enumerate(map(polarities().get, ws)):
        if sign is None:
            continue
        if i and not negators.isdisjoint(ws[max(0, i - NEGATION_WINDOW) : i]):
            sign = -sign
        if sign < 0:
            neg += 1
        else:
            pos += 1
    return neg, pos, not negators.isdisjoint(ws)


def sentiment_names(negative: int, positive: int, negates: bool) -> list[str]:
    """The ``lx:`` feature names of a sentence with those counts (3 or more read as 3)."""
    feats: list[str] = []
    if negative:
        feats += ("lx:neg", _NEGATIVE_COUNTS[min(negative, 3)])
    if positive:
        feats += ("lx:pos", _POSITIVE_COUNTS[min(positive, 3)])
    if negative and not positive:
        feats.append("lx:onlyneg")
    if negates:
        feats.append("lx:negator")
    return feats


def quote_free(lower: str) -> str:
    """``lower`` with every quoted passage replaced by `` <quote> `` (the paper's words)."""
    if '"' not in lower and "“" not in lower:
        return lower
    return _QUOTED.sub(" qquote ", lower)


def cues(lower: str, ws: Sequence[str] | None = None, digit: bool | None = None) -> Cues:
    """The names of the substantiation cues in one lower-case sentence, in a fixed order.

    ``ws`` is its :func:`words` and ``digit`` whether it has a digit, when already known.
    """
    found = []
    if digit is None:
        digit = _NUMBER.search(lower) is not None
    if digit:
        found.append("num")
    # A reference names a number or the appendix; a citation a number, "et al", arXiv or a link:
    # the cheap test first.
    if (digit or "appendix" in lower or "supplementary" in lower) and _REFERENCE.search(lower):
        found.append("ref")
    if (digit or "et al" in lower or "arxiv" in lower or "http" in lower) and _CITATION.search(
        lower
    ):
        found.append("cite")
    if not _CUE_WORDS.isdisjoint(words(lower) if ws is None else ws):
        named = {m.lastgroup for m in _WORD_CUES.finditer(lower)}
        found += [name for name in ("because", "eg", "hedge") if name in named]
    if '"' in lower or "“" in lower:
        found.append("quote")
    stripped = lower.rstrip()
    if stripped.endswith("?"):
        found.append("question")
    elif stripped.endswith(":"):
        found.append("colon")
    return tuple(found)


def words(lower: str, digit: bool | None = None) -> list[str]:
    """The words of a lower-case sentence, numbers folded into ``<num>``, quotes into one.

    ``digit``: whether it has a digit, when already known.
    """
    tokens = _WORD.findall(quote_free(lower))
    if not (_NUMBER.search(lower) is not None if digit is None else digit):
        return tokens
    return ["<num>" if t[0].isdigit() else t for t in tokens]


def heading_section(line: str) -> str | None:
    """The section a heading line opens ("Weaknesses:" -> ``weaknesses``), or None."""
    if len(line) > 60:
        return None
    m = _HEADING.fullmatch(line)
    if m is None:
        return None
    name = m.group("name").lower().replace("_", " ")
    if (
        name.startswith("comments")
        or name.startswith("questions")
        or name
        in {
            "general discussion",
            "typos",
            "suggestions",
            "additional comments",
            "other comments",
            "minor comments",
        }
    ):
        return "questions"
    return _SECTION_OF_HEADING.get(name, "none")


def has_next(sections: Sequence[str], j: int) -> bool:
    """True when sentence ``j`` is followed by another of the same section (its context)."""
    return j + 1 < len(sections) and sections[j + 1] == sections[j]


def sentence_features(
    lowers: Sequence[str],
    sections: Sequence[str],
    bullets: Sequence[bool],
    eols: Sequence[bool],
    j: int,
    sentence_words: Sequence[list[str]],
    sentence_cues: Sequence[Cues],
) -> list[str]:
    """The feature names of sentence ``j`` of a text, given all its sentences' words and cues.

    A model reads them as a set: a name present twice counts once.
    """
    ws = sentence_words[j]
    feats = context_features(lowers, sections, bullets, eols, j, sentence_words, sentence_cues)
    feats += sentiment_features(ws)
    feats += ["w:" + w for w in ws]
    feats += ["b:" + a + "_" + b for a, b in pairwise(ws)]
    if has_next(sections, j):
        feats += ["nw:" + w for w in sentence_words[j + 1]]
    return feats


def context_features(
    lowers: Sequence[str],
    sections: Sequence[str],
    bullets: Sequence[bool],
    eols: Sequence[bool],
    j: int,
    sentence_words: Sequence[list[str]],
    sentence_cues: Sequence[Cues],
) -> list[str]:
    """The features of sentence ``j`` other than its words (``w:``), word pairs (``b:``), the
    next sentence's words (``nw:``) and its sentiment (``lx:``), which
    :class:`reviews.guidance.model.Model` reckons by word, not by name."""
    ws = sentence_words[j]
    section = sections[j]
    feats = ["bias"]
    feats += _own_cue_names(section, sentence_cues[j])
    if ws:
        feats.append("f:" + ws[0])
        if len(ws) > 1:
            feats.append("f2:" + ws[0] + "_" + ws[1])
    feats.append(_LENGTHS[_bucket(len(ws))])
    if bullets[j]:
        feats.append("bullet")
    if eols[j]:
        feats.append("eol")
    if j == 0 or eols[j - 1]:
        feats.append("bol")
    last = len(lowers) - 1
    if j == 0 or sections[j - 1] != section:
        feats.append("first")
    else:
        feats += _cue_names("p:", sentence_cues[j - 1])
    if not has_next(sections, j):
        feats.append("last")
    else:
        after = sentence_cues[j + 1]
        feats += _cue_names("n:", after) if after else ("n:none",)
        nxt = sentence_words[j + 1]
        if nxt:
            feats.append("nf:" + nxt[0])
            if len(nxt) > 1 and nxt[1] != nxt[0]:  # a name once: a model reads a set
                feats.append("nf:" + nxt[1])
        feats.append(_NEXT_LENGTHS[min(_bucket(len(nxt)), 3)])
        if eols[j] and not bullets[j + 1]:
            feats.append("n:para")
        if j + 1 < last and sections[j + 2] == section and not eols[j + 1]:
            feats += _cue_names("nn:", sentence_cues[j + 2])
    return feats


_LENGTHS = ("len:1", "len:2", "len:3", "len:4", "len:5")
_NEXT_LENGTHS = ("nlen:1", "nlen:2", "nlen:3", "nlen:4")


def _bucket(n: int) -> int:
    """The length class of a sentence of ``n`` words: <5, <10, <20, <40, more."""
    return 0 if n < 5 else 1 if n < 10 else 2 if n < 20 else 3 if n < 40 else 4


# Feature names made once, not a sentence at a time: a name made anew costs its hashing at
# every lookup.
_CUE_NAMES: dict[tuple[str, Cues], tuple[str, ...]] = {}
_OWN_CUE_NAMES: dict[tuple[str, Cues], tuple[str, ...]] = {}


def _cue_names(prefix: str, found: Cues) -> tuple[str, ...]:
    """``prefix`` + each cue name (``n:num``, ``n:ref``...), made once."""
    key = (prefix, found)
    names = _CUE_NAMES.get(key)
    if names is None:
        names = _CUE_NAMES[key] = tuple(prefix + c for c in found)
    return names


def _own_cue_names(section: str, found: Cues) -> tuple[str, ...]:
    """The section and cue features of a sentence: ``s:``, ``c:`` (or ``c:none``), ``sc:``."""
    key = (section, found)
    names = _OWN_CUE_NAMES.get(key)
    if names is None:
        own = [f"c:{c}" for c in found] + [f"sc:{section}_{c}" for c in found]
        names = _OWN_CUE_NAMES[key] = ("s:" + section, *(own or ["c:none"]))
    return names


def bullet_at(text: str, line_start: int, start: int) -> bool:
    """True when the sentence starting at ``start`` is the first of a bulleted line."""
    return start > line_start and _BULLET.match(text, line_start, start + 1) is not None


# A line break inside a paragraph that was typed to wrap a long line: the line before ends
# without a sentence end (white space or .!?:;) and the next line goes on in lower case. It reads
# as a space. The character before is checked in Python: a pattern that opens with a look-behind
# is tried at every position of the text, this one only at line ends.
_WRAP = re.compile(r"[ \t]*\n(?=[ \t]*[a-z(][^\n_]*\s)")
_ENDS_LINE = frozenset(".!?:;")


def unwrap(text: str) -> str:
    """``text`` with hard-wrapped line breaks read as spaces; same length, same offsets."""
    if "\n" not in text:
        return text

    def spaces(m: re.Match[str]) -> str:
        start = m.start()
        before = text[start - 1] if start else " "
        if before in _ENDS_LINE or before.isspace():
            return m.group()
        return " " * (m.end() - start)

    return _WRAP.sub(spaces, text)


class Read:
    """A text read into sentences: their spans, sections, and what the models need of them."""

    __slots__ = (
        "bullets",
        "cues",
        "ends",
        "eols",
        "headings",
        "lowers",
        "sections",
        "starts",
        "words",
    )

    def __init__(
        self,
        starts: list[int],
        ends: list[int],
        lowers: list[str],
        sections: list[str],
        bullets: list[bool],
        eols: list[bool],
        headings: list[bool],
    ) -> None:
        self.starts = starts
        self.ends = ends
        self.lowers = lowers
        self.sections = sections
        self.bullets = bullets
        self.eols = eols
        self.headings = headings
        digits = [_NUMBER.search(s) is not None for s in lowers]
        self.words = list(map(words, lowers, digits))
        self.cues = list(map(cues, lowers, self.words, digits))

    def features(self, j: int) -> list[str]:
        """The feature names of sentence ``j``."""
        return sentence_features(
            self.lowers, self.sections, self.bullets, self.eols, j, self.words, self.cues
        )

    def context(self, j: int) -> list[str]:
        """The features of sentence ``j`` but its words, word pairs and next words."""
        return context_features(
            self.lowers, self.sections, self.bullets, self.eols, j, self.words, self.cues
        )


def read_text(text: str, section: str | None = None) -> Read:
    """Split ``text`` into sentences and read them.

    ``section`` is the form field the text comes from; without it (a whole review in one text)
    each heading line ("Weaknesses:", ``summary_of_weaknesses``) opens the section it names.
    Heading lines are kept as sentences with ``headings[j]`` True; models skip them.
    """
    starts, ends = sentence_bounds(unwrap(text))
    current = section or "none"
    lowers: list[str] = []
    sections: list[str] = []
    bullets: list[bool] = []
    headings: list[bool] = []
    eols: list[bool] = []
    for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
        following = starts[k + 1] if k + 1 < len(starts) else len(text)
        eols.append(following == len(text) or "\n" in text[end:following])
        line_start = text.rfind("\n", 0, start) + 1
        heading = None
        if end - start <= 60:
            heading = heading_section(text[start:end])
        if heading is not None and section is None:
            current = heading
        lowers.append(text[start:end].lower())
        sections.append(current)
        bullets.append(bullet_at(text, line_start, start))
        headings.append(heading is not None)
    return Read(starts, ends, lowers, sections, bullets, eols, headings)
