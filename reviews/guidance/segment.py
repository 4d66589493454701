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
from operator import add, and_, eq, gt, itemgetter, not_, sub
from re import Match

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
# lies in one line as a match of ``_END`` in that line does; group 1 is its white space.
_ENDS = re.compile(r"[.!?](?<![.!?]{2})[.!?]*+[\"'”’)\]]*+([^\S\n\r]++)")
# The same, without the ends before an ASCII lower-case letter (not ends): for ASCII text.
_ENDS_ASCII = re.compile(r"[.!?](?<![.!?]{2})[.!?]*+[\"'”’)\]]*+([^\S\n\r]++)(?![a-z])")
_BULLET = re.compile(r"\s*(?:[-*•·–>]+|\(?\d{1,2}[.)]|\(?[a-zA-Z]\)|\[\d{1,2}\])?\s*")
# What a line that starts with a bullet or white space starts with (and more).
_MAYBE_BULLET = re.compile(r"[-*•·–>(\[\d\s]|[a-zA-Z]\)")
_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences of ``text``, in order.

    Spans never overlap, never include surrounding white space, and are never empty;
    ``0 <= start < end <= len(text)``.
    """
    starts, ends = sentence_bounds(text)
    return list(zip(starts, ends, strict=True))


def sentence_bounds(text: str) -> tuple[list[int], list[int]]:
    """The starts and the ends of :func:`sentence_spans`, as two lists."""
    if len(text) < _SHORT_TEXT:
        return _bounds_by_line(text)
    return _bounds_at_once(text)


_SHORT_TEXT = 4096  # characters: a line at a time is faster below (fewer passes to set up)


def _bounds_by_line(text: str) -> tuple[list[int], list[int]]:
    """:func:`sentence_bounds` a line at a time, and a sentence end at a time in each line."""
    starts: list[int] = []
    ends: list[int] = []
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
                starts.append(start)
                ends.append(stop)
            cursor = next_start
        start, stop = cursor, line_end
        if start == line_start:
            start = _after_bullet(text, start, stop)
        while start < stop and text[start].isspace():
            start += 1
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        if stop > start:
            starts.append(start)
            ends.append(stop)
    return starts, ends


def _after_bullet(text: str, start: int, stop: int) -> int:
    """Where the sentence starting a line at ``start`` begins once its bullet is left out."""
    bullet = _BULLET.match(text, start, stop)
    return bullet.end() if bullet is not None else start


def _bounds_at_once(text: str) -> tuple[list[int], list[int]]:
    """:func:`sentence_bounds` for a long text, the same bounds as :func:`_bounds_by_line`.

    All lines and all sentence ends are found in a few passes over the text (``str.split``,
    ``re.finditer``, ``map``), not a Python step each: a step per line cost about a
    microsecond, the whole budget of a text of 50,000 one-word lines. Only lines that may start
    with a bullet or white space, lines that end in white space and full stops after a letter
    take a step of their own.
    """
    # The lines, ``[^\n\r]+``: the parts between breaks, with ``str`` methods (``re`` reads
    # about ten times slower). Only those with something other than white space hold a sentence.
    lines = (text.replace("\r", "\n") if "\r" in text else text).split("\n")
    bounds = [0, *accumulate(map(add, map(len, lines), repeat(1)))]
    kept = list(map(and_, map(bool, lines), map(not_, map(str.isspace, lines))))
    starts = list(compress(bounds, kept))
    ends = list(map(sub, compress(bounds[1:], kept), repeat(1)))
    lines = list(compress(lines, kept))
    line_starts, line_ends = starts, ends
    # The sentence ends inside lines.
    ascii_text = text.isascii()
    found = list((_ENDS_ASCII if ascii_text else _ENDS).finditer(text))
    if found:
        stops = list(map(Match.start, found))
        after_punctuation = list(map(Match.start, found, repeat(1)))
        next_starts = list(map(Match.end, found))
        # Not an end when the next word starts in lower case (``_ENDS_ASCII`` leaves those out)
        # or the full stop ends a reference abbreviation ("Fig. 3"): ``no_end`` is True there.
        padded = text + "\n"  # padded[i] for i <= len(text): the end reads as a line break
        no_end: list[bool] | None = None
        if not ascii_text:
            no_end = list(map(str.islower, map(padded.__getitem__, next_starts)))
        full_stops = map(eq, map(text.__getitem__, stops), repeat("."))
        after_letter = map(
            _ASCII_LETTERS.__contains__, map(padded.__getitem__, map(sub, stops, repeat(1)))
        )
        at_dots = list(compress(range(len(stops)), map(and_, full_stops, after_letter)))
        if at_dots:
            backwards = map(sub, repeat(len(text)), map(stops.__getitem__, at_dots))
            reversed_text = text[::-1]
            words = map(_REVERSED_ABBREVIATION.match, repeat(reversed_text), backwards)
            for k in compress(at_dots, words):
                if no_end is None:
                    no_end = [False] * len(next_starts)
                no_end[k] = True
        if no_end is not None and any(no_end):
            kept = list(map(not_, no_end))
            next_starts = list(compress(next_starts, kept))
            after_punctuation = list(compress(after_punctuation, kept))
        starts = sorted([*line_starts, *next_starts])
        ends = sorted([*line_ends, *after_punctuation])
    # A sentence that starts a line starts after its bullet and white space (one that starts
    # after an end, after the end's white space); one that ends a line ends before its white
    # space (one that ends at an end, after the punctuation).
    changed = False
    for line_start in compress(line_starts, map(_MAYBE_BULLET.match, lines)):
        k = bisect_left(starts, line_start)
        stop = ends[k]
        bullet = _BULLET.match(text, line_start, stop)
        start = bullet.end() if bullet is not None else line_start
        while start < stop and text[start].isspace():
            start += 1
        starts[k] = start
        changed = True
    last = map(str.isspace, map(itemgetter(-1), lines))
    for line_end in compress(line_ends, last):
        k = bisect_left(ends, line_end)
        start, stop = starts[k], line_end
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        ends[k] = stop
        changed = True
    if changed:
        kept = list(map(gt, ends, starts))
        if not all(kept):
            starts = list(compress(starts, kept))
            ends = list(compress(ends, kept))
    return starts, ends


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
