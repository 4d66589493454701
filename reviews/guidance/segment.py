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
# A sentence end: a run of ``.!?``, closing quotes or brackets, white space. It is tried only
# where a run of ``.!?`` starts (the look-behind) and never gives back what it took (possessive),
# so that the text is read once: tried at every full stop of "....." it read the rest of the run
# from each one, quadratic in the run's length. It finds what ``[.!?]+`` with the same tail
# finds: a match starting inside a run would start at the run's first character too (the
# search starts at a line's start or after white space, never inside a run), and the possessive
# repeats give back nothing that could have matched: a character given back would be a ``.!?``
# or a closing quote, which what follows it (closing quotes, white space) does not match.
_END = re.compile(r"[.!?](?<![.!?]{2})[.!?]*+[\"'”’)\]]*+\s+")
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
            if (
                text[stop] == "."
                and text[stop - 1] in _RUN_SET  # else no word before it
                and _abbreviation_before(text, cursor, stop)
            ):
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
_RUN_SET = frozenset(_RUN_CHARS)
_WINDOW = 16


def _abbreviation_before(text: str, cursor: int, dot: int) -> bool:
    """True when the word before the full stop at ``dot`` is a reference abbreviation.

    The word is the last run of ASCII letters and full stops in ``text[cursor:dot]``, from its
    first letter, whatever its case ("Fig", "e.g", "w.r.t"). It is read from ``dot`` back, in
    windows that double until one holds the whole run: the cost is the run's length, not the
    sentence's (a line of "Fig. Fig. Fig. ..." copied its whole length at every full stop).
    """
    width = _WINDOW
    while True:
        low = max(cursor, dot - width)
        before = text[low:dot]
        rest = before.rstrip(_RUN_CHARS)
        if rest or low == cursor:
            break
        width *= 2
    word = before[len(rest) :].lstrip(".")
    return word.lower().rstrip(".") in _ABBREVIATIONS
