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


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences of ``text``, in order.

    Spans never overlap, never include surrounding white space, and are never empty;
    ``0 <= start < end <= len(text)``.
    """
    spans: list[tuple[int, int]] = []
    append = spans.append
    for line in _LINE.finditer(text):
        line_start, line_end = line.span()
        cursor = line_start
        for end in _END.finditer(text, line_start, line_end):
            stop, next_start = end.span()
            # Not the end of a sentence when the next word starts in lower case or the full
            # stop ends a reference abbreviation ("Fig. 3").
            if next_start < line_end and text[next_start].islower():
                continue
            if text[stop] == "." and _abbreviation_before(text, cursor, stop):
                continue
            # The span ends after the punctuation and closing quotes, before the white space.
            stop += len(end.group().rstrip())
            start = cursor
            if start == line_start:
                start = _after_bullet(text, start, stop)
            while start < stop and text[start].isspace():
                start += 1
            if stop > start:
                append((start, stop))
            cursor = next_start
        start, stop = cursor, line_end
        if start == line_start:
            start = _after_bullet(text, start, stop)
        while start < stop and text[start].isspace():
            start += 1
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        if stop > start:
            append((start, stop))
    return spans


def _after_bullet(text: str, start: int, stop: int) -> int:
    """Where the sentence starting a line at ``start`` begins once its bullet is left out."""
    bullet = _BULLET.match(text, start, stop)
    return bullet.end() if bullet is not None else start


_RUN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz."


def _abbreviation_before(text: str, cursor: int, dot: int) -> bool:
    """True when the word before the full stop at ``dot`` is a reference abbreviation.

    The word is the last run of ASCII letters and full stops in ``text[cursor:dot]``, from its
    first letter, whatever its case ("Fig", "e.g", "w.r.t").
    """
    before = text[cursor:dot]
    word = before[len(before.rstrip(_RUN_CHARS)) :].lstrip(".")
    return word.lower().rstrip(".") in _ABBREVIATIONS
