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
from collections.abc import Iterable, Mapping
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

_WORD_CHAR = re.compile(r"\w")

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

    __slots__ = ("family", "finds", "pattern", "required", "triggers")

    def __init__(self, family: str, phrase: str) -> None:
        self.family = family
        self.pattern = re.compile(phrase)
        self.required = _required(phrase)
        # ``triggers``: heads found at token starts by the scanner's trie; ``finds``: literals
        # found with ``str.find``. Both None: the phrase is searched the ordinary way.
        self.triggers: frozenset[str] | None = None
        self.finds: frozenset[str] | None = None
        heads = None if self.pattern.flags & _OTHER_FLAGS else _heads_of(phrase)
        if heads is None or not all(literal for _, literal in heads):
            return
        self.triggers = frozenset(
            literal[:_MAX_HEAD] for boundary, literal in heads if boundary and _word(literal)
        )
        finds = {literal for boundary, literal in heads if not (boundary and _word(literal))}
        if len(finds) > _MAX_FINDS:
            finds = {literal[0] for literal in finds}
        self.finds = frozenset(finds)


_MAX_HEAD = 16
_OTHER_FLAGS = re.IGNORECASE | re.ASCII | re.LOCALE | re.VERBOSE
_MAX_FINDS = 8


def _word(literal: str) -> bool:
    return _WORD_CHAR.match(literal) is not None


class Scanner:
    """Several lexicons (families) matched over one text in one pass."""

    __slots__ = ("_families", "_finding", "_phrases", "_searched", "_table", "_trie")

    def __init__(self, families: Mapping[str, Lexicon]) -> None:
        self._families = tuple(families)
        self._phrases = tuple(
            _Phrase(name, phrase)
            for name, lexicon in families.items()
            for phrase in lexicon.phrases
        )
        by_head: dict[str, set[int]] = {}
        for k, phrase in enumerate(self._phrases):
            for head in phrase.triggers or ():
                by_head.setdefault(head, set()).add(k)
        # The trie reports the longest head at a token start: every head that is a prefix of
        # it starts there too.
        self._table = {
            head: tuple(
                sorted(set().union(*(by_head.get(head[:n], ()) for n in range(1, len(head) + 1))))
            )
            for head in by_head
        }
        trie = _trie(by_head)
        # Token by token, in C: skip white space and punctuation, then either a token at which
        # no head starts, or stop and capture the longest head starting here (then skip the
        # token). Every match ends at the end of a token or of the text, so the next one starts
        # at a token start: heads are only tried where ``\b`` holds before a word character.
        self._trie = re.compile(
            rf"(?:\W*+(?!{trie})\w++)*+\W*+(?:(?=({trie}))\w*+)?" if trie else r"(?!)"
        )
        self._finding = tuple(k for k, p in enumerate(self._phrases) if p.finds)
        self._searched = tuple(k for k, p in enumerate(self._phrases) if p.triggers is None)

    def scan(self, text: str) -> dict[str, list[Span]]:
        """Every family's matches in ``text``: sorted ``(start, end)`` spans without repeats."""
        phrases = self._phrases
        table = self._table
        candidates: dict[int, list[int]] = {}
        for m in self._trie.finditer(text):
            head = m.group(1)
            if head is None:
                continue
            at = m.start(1)
            for k in table[head]:
                if k in candidates:
                    candidates[k].append(at)
                else:
                    candidates[k] = [at]
        for k in self._finding:
            phrase = phrases[k]
            if phrase.required is not None and not any(r in text for r in phrase.required):
                continue
            assert phrase.finds is not None
            extra = [i for literal in phrase.finds for i in _occurrences(text, literal)]
            if extra:
                candidates[k] = sorted({*candidates.get(k, ()), *extra})
        found: dict[str, set[Span]] = {name: set() for name in self._families}
        for k, positions in candidates.items():
            pattern = phrases[k].pattern
            spans = found[phrases[k].family]
            busy_until = 0
            for i in positions:
                if i < busy_until:
                    continue
                hit = pattern.match(text, i)
                if hit is not None:
                    spans.add(hit.span())
                    busy_until = max(hit.end(), i + 1)
        for k in self._searched:
            phrase = phrases[k]
            if phrase.required is not None and not any(r in text for r in phrase.required):
                continue
            found[phrase.family].update(m.span() for m in phrase.pattern.finditer(text))
        return {name: sorted(spans) for name, spans in found.items()}


def _trie(words: Iterable[str]) -> str:
    """A regular expression matching the longest of ``words`` that starts where it is tried."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        alternatives = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
        return f"(?:{body}|)" if "" in node else body

    return pattern(root)


def _occurrences(text: str, literal: str) -> list[int]:
    positions = []
    i = text.find(literal)
    while i != -1:
        positions.append(i)
        i = text.find(literal, i + 1)
    return positions


Head = tuple[bool, str]
_BOUNDARY = "\x00"
_EXPANSIONS = 256


def _heads_of(phrase: str) -> frozenset[Head] | None:
    """The heads of ``phrase``: ``(after \\b, literal)`` pairs, or None when unknown.

    Every match of ``phrase`` starts with one of the literals and, where the pair says so,
    at a word boundary.
    """
    if _parser is None or _BOUNDARY in phrase:
        return None
    try:
        expansions = _sequence(list(_parser.parse(phrase)))
    except Exception:  # an optimisation only: unknown means "search normally"
        return None
    heads = set()
    for text, _ in expansions:
        boundary = text.startswith(_BOUNDARY)
        heads.add((boundary, text.replace(_BOUNDARY, "")))
    return frozenset(heads)


Expansion = tuple[str, bool]  # a literal start of a match, and whether it is the whole match


def _sequence(items: list[Any]) -> list[Expansion]:
    """The literal starts of the matches of the sequence ``items`` (see :func:`_heads_of`)."""
    found: list[Expansion] = [("", True)]
    for op, av in items:
        if not any(whole for _, whole in found):
            break
        step = _item(op, av)
        if step is None:
            return [(text, False) for text, _ in found]
        longer: dict[Expansion, None] = {}
        for text, whole in found:
            if not whole:
                longer[text, False] = None
                continue
            for more, more_whole in step:
                longer[text + more, more_whole] = None
        if len(longer) > _EXPANSIONS:
            return [(text, False) for text, _ in found]
        found = list(longer)
    return found


def _item(op: Any, av: Any) -> list[Expansion] | None:
    """The literal starts of the matches of one parsed item, or None when there are none."""
    if op is _c.LITERAL:
        return [(chr(av), True)]
    if op is _c.AT:
        return [(_BOUNDARY if av is _c.AT_BOUNDARY else "", True)]
    if op in _ZERO_WIDTH:
        return [("", True)]
    if op is _c.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op is _c.BRANCH:
        return [e for branch in av[1] for e in _sequence(list(branch))]
    if op in _REPEATS:
        low, high, body = av
        inner = _sequence(list(body))
        if high == 1:
            return [("", True), *inner] if low == 0 else inner
        if low == 0:
            return [("", False)]
        return [(text, False) for text, _ in inner]
    if op is _c.IN and all(o is _c.LITERAL for o, _ in av):
        return [(chr(v), True) for _, v in av]
    return None


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
