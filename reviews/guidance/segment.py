"""Sentence segmentation with character offsets, tuned for the prose of peer reviews.

Reviews are written as paragraphs and bullet lists. A line break always ends a sentence; inside a
line a sentence ends at ``.``, ``!`` or ``?`` followed by white space, unless the word before the
full stop is a reference abbreviation ("Fig. 3", "Sec. 4", "Eq. (2)", "et al.", "e.g.") or the
next word starts in lower case. Bullet markers and leading white space are left out of the span.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "etc",
        "al",
        "cf",
        "vs",
        "fig",
        "figs",
        "sec",
        "secs",
        "eq",
        "eqs",
        "eqn",
        "tab",
        "tabs",
        "app",
        "alg",
        "thm",
        "lem",
        "prop",
        "def",
        "cor",
        "no",
        "nos",
        "approx",
        "resp",
        "ref",
        "refs",
        "ch",
        "p",
        "pp",
        "dr",
        "prof",
        "mr",
        "ms",
        "st",
        "vol",
        "ca",
        "esp",
        "incl",
        "viz",
        "w.r.t",
        "wrt",
    ]
)

_LINE = re.compile(r"[^\n\r]+")
_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+")
_BULLET = re.compile(r"\s*(?:[-*•·–>]+|\(?\d{1,2}[.)]|\(?[a-zA-Z]\)|\[\d{1,2}\])?\s*")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences of ``text``, in order.

    Spans never overlap, never include surrounding white space, and are never empty;
    ``0 <= start < end <= len(text)``.
    """
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        line_start, line_end = line.start(), line.end()
        cursor = line_start
        for end in _END.finditer(text, line_start, line_end):
            stop = end.start() + len(end.group().rstrip())
            if _continues(text, cursor, end.start() + 1, end.end(), line_end):
                continue
            _append(text, cursor, stop, spans, at_line_start=cursor == line_start)
            cursor = end.end()
        _append(text, cursor, line_end, spans, at_line_start=cursor == line_start)
    return spans


def _continues(text: str, cursor: int, after_dot: int, next_start: int, line_end: int) -> bool:
    """True when the full stop before ``after_dot`` does not end the sentence."""
    if next_start < line_end and text[next_start].islower():
        return True
    if text[after_dot - 1] != ".":
        return False
    word = _LAST_WORD.search(text, cursor, after_dot)
    return word is not None and word.group(1).lower().rstrip(".") in _ABBREVIATIONS


def _append(
    text: str, start: int, end: int, spans: list[tuple[int, int]], *, at_line_start: bool
) -> None:
    if at_line_start:
        bullet = _BULLET.match(text, start, end)
        if bullet is not None:
            start = bullet.end()
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
