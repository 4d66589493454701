"""A family of regular expressions run as one, fast enough for every keystroke pause.

Python's ``re`` has a fast path only for patterns that start with a literal: a pattern such as
``\\b(?:major|main|key) (?:issue|problem)`` is tried branch by branch at every character. So
:class:`Lexicon` reads, from each parsed phrase, the literal strings every match must start with
(``major``, ``main``, ``key``), finds them with ``str.find`` (C speed), and tries the phrase
only there, with ``Pattern.match`` at that position (which still sees the text before it, so
``\\b`` and look-behinds behave as in a plain search). A phrase whose start is not literal, or
too short to be selective, is searched the ordinary way. Either way a phrase runs only when the
text contains one of the literals every match must contain (an ``in`` test).
"""

from __future__ import annotations

import importlib
import re
from typing import Any

# The parser behind ``re`` (``re._parser`` on 3.11+). Private, so any surprise degrades to the
# ordinary search of the phrase, never to a wrong answer.
try:
    _parser: Any = importlib.import_module("re._parser")
    _c: Any = importlib.import_module("re._constants")
    _ZERO_WIDTH = frozenset({_c.AT, _c.ASSERT, _c.ASSERT_NOT})
    _REPEATS = frozenset({_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)})
except ImportError:  # pragma: no cover - other interpreters
    _parser = None


class Lexicon:
    """Phrases (regular expressions over lower-cased text) matched together."""

    __slots__ = ("_phrases",)

    def __init__(self, *phrases: str) -> None:
        self._phrases = tuple((re.compile(p), _required(p), _starts(p)) for p in phrases)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``(start, end)`` of the matches of every phrase in ``text``, sorted, without repeats.

        Each phrase reports the leftmost match at every position where one starts and none of
        its earlier matches is still running, exactly as ``Pattern.finditer`` does.
        """
        found: set[tuple[int, int]] = set()
        for pattern, required, starts in self._phrases:
            if required is not None and not any(r in text for r in required):
                continue
            if starts is None:
                found.update(m.span() for m in pattern.finditer(text))
                continue
            positions = sorted({i for s in starts for i in _occurrences(text, s)})
            busy_until = 0
            for i in positions:
                if i < busy_until:
                    continue
                m = pattern.match(text, i)
                if m is not None:
                    found.add(m.span())
                    busy_until = max(m.end(), i + 1)
        return sorted(found)


def _occurrences(text: str, literal: str) -> list[int]:
    positions = []
    i = text.find(literal)
    while i != -1:
        positions.append(i)
        i = text.find(literal, i + 1)
    return positions


def _starts(phrase: str) -> frozenset[str] | None:
    """Literals one of which starts every match of ``phrase``, or None when unknown."""
    if _parser is None:
        return None
    try:
        starts = _prefixes(_parser.parse(phrase))
    except Exception:  # an optimisation only: unknown means "search normally"
        return None
    # Short starts ("is", "a") occur everywhere, inside words too: search those normally.
    return starts if starts and min(map(len, starts)) >= _MIN_START else None


_MIN_START = 3


def _required(phrase: str) -> frozenset[str] | None:
    """Literals one of which every match of ``phrase`` contains, or None when unknown."""
    if _parser is None:
        return None
    try:
        required = _factors(_parser.parse(phrase))
    except Exception:  # an optimisation only: unknown means "always try"
        return None
    return required if required and all(required) else None


def _factors(items: Any) -> frozenset[str] | None:
    """The most selective set of literals one of which a match of ``items`` contains."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if op in _ZERO_WIDTH:
            continue
        if run:
            candidates.append(frozenset({"".join(run)}))
            run = []
        found: frozenset[str] | None = None
        if op is _c.SUBPATTERN:
            found = _factors(av[-1])
        elif op is _c.BRANCH:
            branches = [_factors(b) for b in av[1]]
            if all(b is not None for b in branches):
                found = frozenset().union(*(b for b in branches if b is not None))
        elif op in _REPEATS and av[0] >= 1:
            found = _factors(av[2])
        if found:
            candidates.append(found)
    if run:
        candidates.append(frozenset({"".join(run)}))
    if not candidates:
        return None
    return max(candidates, key=lambda c: min(len(s) for s in c))


def _prefixes(items: Any) -> frozenset[str] | None:
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            break
        if op in _ZERO_WIDTH:
            continue
        if op is _c.SUBPATTERN:
            return _prefixes(av[-1])
        if op is _c.BRANCH:
            branches = [_prefixes(b) for b in av[1]]
            if any(b is None for b in branches):
                return None
            return frozenset().union(*(b for b in branches if b is not None))
        if op in _REPEATS and av[0] >= 1:
            return _prefixes(av[2])
        if op is _c.IN and all(o is _c.LITERAL for o, _ in av):
            return frozenset(chr(v) for _, v in av)
        return None
    return frozenset({"".join(run)}) if run else None
