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
* Where the sentence is: the section of the review (from the form field, or from a heading such
  as "Weaknesses:" in a free text), first or last in its section, after a bullet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

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
_BECAUSE = re.compile(r"\b(?:because|since|due to|as a result|therefore|thus|hence|given that)\b")
_EXAMPLE = re.compile(r"\b(?:e\.g|for example|for instance|such as|i\.e|namely|specifically)\b")
_HEDGE = re.compile(
    r"\b(?:seems?|seemed|might|may|perhaps|possibly|somewhat|a bit|rather|unclear|not sure"
    r"|i think|i feel|i believe|in my opinion)\b"
)
_CUE_PATTERNS = (
    ("num", _NUMBER),
    ("ref", _REFERENCE),
    ("cite", _CITATION),
    ("because", _BECAUSE),
    ("eg", _EXAMPLE),
    ("hedge", _HEDGE),
)
_BULLET = re.compile(r"[ \t]*(?:[-*•·–>]+|\(?\d{1,2}[.)]|\(?[a-z]\)|\[\d{1,2}\])[ \t]")

Cues = tuple[str, ...]


def quote_free(lower: str) -> str:
    """``lower`` with every quoted passage replaced by `` <quote> `` (the paper's words)."""
    if '"' not in lower and "“" not in lower:
        return lower
    return _QUOTED.sub(" qquote ", lower)


def cues(lower: str) -> Cues:
    """The names of the substantiation cues in one lower-case sentence, in a fixed order."""
    found = [name for name, pattern in _CUE_PATTERNS if pattern.search(lower)]
    if '"' in lower or "“" in lower:
        found.append("quote")
    stripped = lower.rstrip()
    if stripped.endswith("?"):
        found.append("question")
    elif stripped.endswith(":"):
        found.append("colon")
    return tuple(found)


def words(lower: str) -> list[str]:
    """The words of a lower-case sentence, numbers folded into ``<num>``, quotes into one."""
    tokens = _WORD.findall(quote_free(lower))
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


def sentence_features(
    lowers: Sequence[str],
    sections: Sequence[str],
    bullets: Sequence[bool],
    eols: Sequence[bool],
    j: int,
    sentence_words: Sequence[list[str]],
    sentence_cues: Sequence[Cues],
) -> list[str]:
    """The feature names of sentence ``j`` of a text, given all its sentences' words and cues."""
    ws = sentence_words[j]
    section = sections[j]
    feats = ["bias", "s:" + section]
    feats += ["w:" + w for w in ws]
    feats += ["b:" + a + "_" + b for a, b in pairwise(ws)]
    if ws:
        feats.append("f:" + ws[0])
        if len(ws) > 1:
            feats.append("f2:" + ws[0] + "_" + ws[1])
    n = len(ws)
    feats.append(
        "len:" + ("1" if n < 5 else "2" if n < 10 else "3" if n < 20 else "4" if n < 40 else "5")
    )
    own = sentence_cues[j]
    feats += ["c:" + c for c in own]
    feats += ["sc:" + section + "_" + c for c in own]
    if not own:
        feats.append("c:none")
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
        feats += ["p:" + c for c in sentence_cues[j - 1]]
    if j == last or sections[j + 1] != section:
        feats.append("last")
    else:
        after = sentence_cues[j + 1]
        feats += ["n:" + c for c in after]
        if not after:
            feats.append("n:none")
        nxt = sentence_words[j + 1]
        feats += ["nf:" + w for w in nxt[:2]]
        feats += ["nw:" + w for w in nxt]
        m = len(nxt)
        feats.append("nlen:" + ("1" if m < 5 else "2" if m < 10 else "3" if m < 20 else "4"))
        if eols[j] and not bullets[j + 1]:
            feats.append("n:para")
        if j + 1 < last and sections[j + 2] == section and not eols[j + 1]:
            feats += ["nn:" + c for c in sentence_cues[j + 2]]
    return feats


def bullet_at(text: str, line_start: int, start: int) -> bool:
    """True when the sentence starting at ``start`` is the first of a bulleted line."""
    return start > line_start and _BULLET.match(text, line_start, start + 1) is not None


# A line break inside a paragraph that was typed to wrap a long line: the line before ends
# without a sentence end and the next line goes on in lower case. It reads as a space.
_WRAP = re.compile(r"(?<=[^\s.!?:;])[ \t]*\n(?=[ \t]*[a-z(][^\n_]*\s)")


def unwrap(text: str) -> str:
    """``text`` with hard-wrapped line breaks read as spaces; same length, same offsets."""
    if "\n" not in text:
        return text
    return _WRAP.sub(_spaces, text)


def _spaces(m: re.Match[str]) -> str:
    return " " * (m.end() - m.start())


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
        self.words = [words(s) for s in lowers]
        self.cues = [cues(s) for s in lowers]

    def features(self, j: int) -> list[str]:
        """The feature names of sentence ``j``."""
        return sentence_features(
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
