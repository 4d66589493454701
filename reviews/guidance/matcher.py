"""Families of regular expressions run together, fast enough for every keystroke pause.

Python's ``re`` has a fast path only for patterns that start with a literal: a pattern such as
``\\b(?:major|main|key) (?:issue|problem)`` is tried branch by branch at every character. So
each phrase is tried only where a match can start, with ``Pattern.match`` at that position
(which still sees the text before it, so ``\\b`` and look-behinds behave as in a plain search),
and :class:`Scanner` finds those positions for all its phrases at once:

* From each parsed phrase it reads its *heads*: the literal strings one of which every match
  starts with, and whether a ``\\b`` comes before them (``\\b(?:the )?authors?`` has the heads
  ``\\b"the "`` and ``\\b"author"``).
* A head after ``\\b`` that starts with a word character can only start at the first character
  of a run of word characters (a *token*), and then fixes that token: ``"could"`` asks for a
  token starting with ``could``, ``"i'm"`` for the token ``i``. The text is split into tokens
  once; each distinct token is looked up once (and cached) in a table from trigger words to
  the phrases they can start, so a phrase is tried only at its trigger words.
* Any other head is found with ``str.find`` (C speed); a phrase without known heads is
  searched the ordinary way, and only when the text contains one of the literals every match
  must contain (an ``in`` test).

Either way each phrase reports exactly the matches ``Pattern.finditer`` reports.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
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

_TOKEN = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
_CACHE_LIMIT = 1 << 16

Span = tuple[int, int]


class Lexicon:
    """Phrases (regular expressions over lower-cased text) matched together."""

    __slots__ = ("_scanner", "phrases")

    def __init__(self, *phrases: str) -> None:
        self.phrases = phrases
        self._scanner: Scanner | None = None

    def spans(self, text: str) -> list[Span]:
        """``(start, end)`` of the matches of every phrase in ``text``, sorted, without repeats.

        Each phrase reports the leftmost match at every position where one starts and none of
        its earlier matches is still running, exactly as ``Pattern.finditer`` does.
        """
        if self._scanner is None:
            self._scanner = Scanner({"": self})
        return self._scanner.scan(text)[""]


class _Phrase:
    """One compiled phrase, the family it belongs to, and how its starts are found."""

    __slots__ = ("family", "finds", "pattern", "required", "tokens")

    def __init__(self, family: str, phrase: str) -> None:
        self.family = family
        self.pattern = re.compile(phrase)
        self.required = _required(phrase)
        heads = _heads_of(phrase)
        # Token triggers: (word, exact) - the token at the start must equal ``word`` (exact)
        # or start with it. ``finds``: literals located with ``str.find``. Both None: search.
        self.tokens: list[tuple[str, bool]] | None = None
        self.finds: list[str] | None = None
        if heads is None:
            return
        tokens: list[tuple[str, bool]] = []
        finds: list[str] = []
        for boundary, literal in heads:
            if boundary and _WORD_CHAR.match(literal):
                word = _TOKEN.match(literal)
                assert word is not None
                tokens.append((word.group(), word.end() < len(literal)))
            else:
                finds.append(literal)
        self.tokens, self.finds = tokens, finds


class Scanner:
    """Several lexicons (families) matched over one text in one pass."""

    __slots__ = ("_cache", "_exact", "_families", "_phrases", "_prefix", "_searched")

    def __init__(self, families: Mapping[str, Lexicon]) -> None:
        self._families = tuple(families)
        self._phrases = tuple(
            _Phrase(name, phrase) for name, lexicon in families.items() for phrase in lexicon.phrases
        )
        self._exact: dict[str, set[int]] = {}
        self._prefix: dict[str, set[int]] = {}
        for k, phrase in enumerate(self._phrases):
            for word, exact in phrase.tokens or ():
                (self._exact if exact else self._prefix).setdefault(word, set()).add(k)
        self._searched = tuple(k for k, p in enumerate(self._phrases) if p.tokens is None)
        self._cache: dict[str, tuple[int, ...]] = {}

    def _triggered(self, token: str) -> tuple[int, ...]:
        """The phrases (indices) a match of which can start with ``token``; cached."""
        found = set(self._exact.get(token, ()))
        prefix = self._prefix
        for k in range(1, len(token) + 1):
            hit = prefix.get(token[:k])
            if hit:
                found.update(hit)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        result = self._cache[token] = tuple(sorted(found))
        return result

    def scan(self, text: str) -> dict[str, list[Span]]:
        """Every family's matches in ``text``: sorted ``(start, end)`` spans without repeats."""
        phrases = self._phrases
        candidates: dict[int, list[int]] = {}
        cache = self._cache
        for m in _TOKEN.finditer(text):
            token = m.group()
            triggered = cache.get(token)
            if triggered is None:
                triggered = self._triggered(token)
            if triggered:
                at = m.start()
                for k in triggered:
                    if k in candidates:
                        candidates[k].append(at)
                    else:
                        candidates[k] = [at]
        found: dict[str, set[Span]] = {name: set() for name in self._families}
        for k, phrase in enumerate(phrases):
            finds = phrase.finds
            if finds is None:
                continue
            if finds and (phrase.required is None or any(r in text for r in phrase.required)):
                extra = [i for literal in finds for i in _occurrences(text, literal)]
                if extra:
                    candidates[k] = sorted({*candidates.get(k, ()), *extra})
        for k, positions in candidates.items():
            pattern = phrases[k].pattern
            spans = found[phrases[k].family]
            busy_until = 0
            for i in positions:
                if i < busy_until:
                    continue
                m = pattern.match(text, i)
                if m is not None:
                    spans.add(m.span())
                    busy_until = max(m.end(), i + 1)
        for k in self._searched:
            phrase = phrases[k]
            if phrase.required is not None and not any(r in text for r in phrase.required):
                continue
            found[phrase.family].update(m.span() for m in phrase.pattern.finditer(text))
        return {name: sorted(spans) for name, spans in found.items()}


def _occurrences(text: str, literal: str) -> list[int]:
    positions = []
    i = text.find(literal)
    while i != -1:
        positions.append(i)
        i = text.find(literal, i + 1)
    return positions


Head = tuple[bool, str]


def _heads_of(phrase: str) -> frozenset[Head] | None:
    """The heads of ``phrase`` (see the module docstring), or None when unknown."""
    if _parser is None:
        return None
    try:
        return _heads(list(_parser.parse(phrase)), False)
    except Exception:  # an optimisation only: unknown means "search normally"
        return None


def _heads(items: list[Any], boundary: bool) -> frozenset[Head] | None:
    """Heads of the sequence ``items``, ``boundary`` when a ``\\b`` precedes it."""
    run: list[str] = []
    for n, (op, av) in enumerate(items):
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            break
        rest = items[n + 1 :]
        if op is _c.AT and av is _c.AT_BOUNDARY:
            boundary = True
            continue
        if op in _ZERO_WIDTH:
            continue
        if op is _c.SUBPATTERN:
            return _heads([*av[-1], *rest], boundary)
        if op is _c.BRANCH:
            return _union([_heads([*b, *rest], boundary) for b in av[1]])
        if op in _REPEATS:
            lo, hi, body = av
            first = _heads([*body, *rest] if hi == 1 else list(body), boundary)
            return first if lo >= 1 else _union([first, _heads(rest, boundary)])
        if op is _c.IN and all(o is _c.LITERAL for o, _ in av):
            return frozenset((boundary, chr(v)) for _, v in av)
        return None
    return frozenset({(boundary, "".join(run))}) if run else None


def _union(heads: list[frozenset[Head] | None]) -> frozenset[Head] | None:
    if any(h is None for h in heads):
        return None
    return frozenset().union(*(h for h in heads if h is not None))


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
