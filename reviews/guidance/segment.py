"""Sentence segmentation with character offsets, tuned for the prose of peer reviews.

Reviews are written as paragraphs and bullet lists. A line break always ends a sentence; inside a
line a sentence ends at ``.``, ``!`` or ``?`` followed by white space, unless the word before the
full stop is a reference abbreviation ("Fig. 3", "Sec. 4", "Eq. (2)", "et al.", "e.g.") or the
next word starts in lower case. Bullet markers and leading white space are left out of the span.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import accumulate, compress, repeat
from operator import and_, gt, not_, sub

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
# The same ends over the whole text at once: white space inside a line only, so that a match
# lies in one line as a match of ``_END`` in that line does. Split on, it gives the text before
# each end, the end's punctuation and quotes, and its white space, in turn.
_ENDS = re.compile(r"([.!?](?<![.!?]{2})[.!?]*+[\"'”’)\]]*+)([^\S\n\r]+)")
_BREAKS = re.compile(r"([\n\r]+)")
_BULLET = re.compile(r"\s*(?:[-*•·–>]+|\(?\d{1,2}[.)]|\(?[a-zA-Z]\)|\[\d{1,2}\])?\s*")
# What a line that starts with a bullet or white space starts with (and more).
_MAYBE_BULLET = re.compile(r"[-*•·–>(\[\s\d]|[a-zA-Z]\)")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences of ``text``, in order.

    Spans never overlap, never include surrounding white space, and are never empty;
    ``0 <= start < end <= len(text)``.
    """
    starts, ends = sentence_bounds(text)
    return list(zip(starts, ends, strict=True))


def sentence_bounds(text: str) -> tuple[list[int], list[int]]:
    """The starts and the ends of :func:`sentence_spans`, as two lists.

    All lines and all sentence ends are found in a few passes over the text (``re.split``,
    ``map``), not a Python step each: a step per line cost about a microsecond, the whole
    budget of a text of 50,000 one-word lines. Only lines that may start with a bullet or white
    space, lines that end in white space and full stops after a letter take a step of their own.
    """
    size = len(text)
    padded = text + "\n"  # padded[i] for i <= len(text): the end reads as a line break
    # The lines, ``[^\n\r]+``: split on the breaks, they are every other part.
    bounds = [0, *accumulate(map(len, _BREAKS.split(text)))]
    starts = bounds[0:-1:2]
    ends = bounds[1::2]
    if starts and starts[-1] == ends[-1]:  # the text is empty or ends with a line break
        del starts[-1], ends[-1]
    if starts and starts[0] == ends[0]:  # the text starts with a line break
        del starts[0], ends[0]
    line_starts, line_ends = starts, ends
    # The sentence ends inside lines: split on them, the text is the text before an end, the
    # end's punctuation and quotes, its white space, in turn.
    parts = _ENDS.split(text)
    if len(parts) > 1:
        cuts = list(accumulate(map(len, parts)))
        stops = cuts[0:-1:3]
        after_punctuation = cuts[1::3]
        next_starts = cuts[2::3]
        # Not an end when the next word starts in lower case or the full stop ends a reference
        # abbreviation ("Fig. 3"): ``no_end`` is True there.
        no_end = list(map(str.islower, map(padded.__getitem__, next_starts)))
        after_word = map(_RUN_SET.__contains__, map(padded.__getitem__, map(sub, stops, repeat(1))))
        full_stop = map(str.startswith, parts[1::3], repeat("."))
        dots = list(
            compress(
                range(len(stops)), map(and_, map(and_, full_stop, after_word), map(not_, no_end))
            )
        )
        if dots:
            reversed_text = text[::-1]
            for k in dots:
                if _REVERSED_ABBREVIATION.match(reversed_text, size - stops[k]) is not None:
                    no_end[k] = True
        kept = list(map(not_, no_end))
        starts = sorted([*line_starts, *compress(next_starts, kept)])
        ends = sorted([*line_ends, *compress(after_punctuation, kept)])
    # A sentence that starts a line starts after its bullet and white space (one that starts
    # after an end, after the end's white space); one that ends a line ends before its white
    # space (one that ends at an end, after the punctuation).
    for line_start in compress(line_starts, map(_MAYBE_BULLET.match, repeat(text), line_starts)):
        k = bisect_left(starts, line_start)
        stop = ends[k]
        bullet = _BULLET.match(text, line_start, stop)
        start = bullet.end() if bullet is not None else line_start
        while start < stop and text[start].isspace():
            start += 1
        starts[k] = start
    last = map(padded.__getitem__, map(sub, line_ends, repeat(1)))
    for line_end in compress(line_ends, map(str.isspace, last)):
        k = bisect_left(ends, line_end)
        start, stop = starts[k], line_end
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        ends[k] = stop
    kept = list(map(gt, ends, starts))
    if not all(kept):
        starts = list(compress(starts, kept))
        ends = list(compress(ends, kept))
    return starts, ends


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


# The word before a full stop is an abbreviation when the run of letters and full stops before
# it, without its leading full stops, is one of ``_ABBREVIATIONS`` whatever its case. Read from
# the full stop backwards, in the reversed text, that run is an abbreviation reversed, then full
# stops, then anything but a letter or full stop, or the start of the text.
_REVERSED_ABBREVIATION = re.compile(
    "(?:"
    + "|".join(re.escape(a[::-1]) for a in sorted(_ABBREVIATIONS, key=len, reverse=True))
    + r")\.*(?![A-Za-z.])",
    re.IGNORECASE | re.ASCII,
)
