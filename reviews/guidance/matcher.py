"""Families of regular expressions run together, fast enough for every keystroke pause.

Python's ``re`` has a fast path only for patterns that start with a literal: a pattern such as
``\\b(?:major|main|key) (?:issue|problem)`` is tried branch by branch at every character. So
:class:`Scanner` tries each phrase only where a match can start, with ``Pattern.match`` at that
position (which still sees the text before it, so ``\\b`` and look-behinds behave as in a plain
search), and finds those positions for all its phrases in the one pass that also splits the
text into :data:`WORD` tokens:

* From each parsed phrase it reads its *heads*: the literal strings one of which every match
  starts with, and whether a ``\\b`` comes before them (``\\b(?:the )?authors?`` has the heads
  ``\\b"the authors"`` and ``\\b"author"``).
* A head after ``\\b`` that starts with a letter starts a run of word characters, and every
  such run starts a word or follows an apostrophe or hyphen inside one. The head then fixes
  the run: ``could`` asks for a run starting with ``could``; ``i'm``, for the run ``i`` followed
  by ``'m``. Each distinct word is looked up once (and remembered) in tables from runs to the
  phrases they can start, so a phrase is tried only at its trigger words, and only where the
  rest of the head follows (a ``str.startswith`` test).
* Any other head is found with ``str.find`` (C speed); a phrase without known heads is
  searched the ordinary way, and only when the text contains one of the literals every match
  must contain (an ``in`` test).

Either way each phrase reports exactly the matches ``Pattern.finditer`` reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from itertools import accumulate, chain, compress, repeat
from operator import add, eq, not_, sub
from typing import Any

from reviews.guidance import regex_syntax as rx

# Each phrase is read with regex_syntax (plain Python, not ``re``'s private parser); a phrase it
# cannot read is searched the ordinary way, never given a wrong answer.
_ZERO_WIDTH = frozenset({rx.AT, rx.ASSERT, rx.ASSERT_NOT})
_NON_WORD_CATEGORIES = frozenset({rx.SPACE, rx.NOT_WORD})

WORD = re.compile(r"[^\W\d_][\w'’-]*(?<=\w)")
"""A word: a letter, then word characters, apostrophes and hyphens, ending on a word character.

The same matches as ``[^\\W\\d_](?:[\\w'’-]*\\w)?``, found faster.
"""

_SPLIT = re.compile(f"({WORD.pattern})")
_SPLIT_ASCII = re.compile(r"([a-zA-Z][a-zA-Z0-9_'-]*(?<=[a-zA-Z0-9_]))")  # the same, in ASCII

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
        return self._scanner.scan(text).spans[""]


class Scan:
    """What :meth:`Scanner.scan` found in one text."""

    __slots__ = ("spans", "word_starts", "words")

    def __init__(self, spans: dict[str, list[Span]], word_starts: list[int], words: list[str]):
        self.spans = spans
        """Per family, the ``(start, end)`` of its matches: sorted, without repeats."""
        self.word_starts = word_starts
        """Where each :data:`WORD` of the text starts, in order."""
        self.words = words
        """The words themselves."""


class _Phrase:
    """One compiled phrase, the families it belongs to, and how its starts are found."""

    __slots__ = ("families", "finds", "pattern", "required", "runs", "runs_of_one")

    def __init__(self, phrase: str) -> None:
        self.families: list[str] = []
        self.pattern = re.compile(phrase)
        self.required = _required(phrase)
        # A phrase that is one character class (``\\d``) matches at every character it
        # accepts: found faster as runs of such characters.
        self.runs_of_one = re.compile(f"((?:{phrase})+)") if _one_character(phrase) else None
        # ``runs``: (run, exact, rest) per head found through the words: the run of word
        # characters it starts with, whether the run must be exactly that (else: start with
        # it), and the longer literal to test with ``startswith`` (None: the run says it all).
        # ``finds``: literals found with ``str.find``. Both None: searched the ordinary way.
        self.runs: list[tuple[str, bool, str | None]] | None = None
        self.finds: frozenset[str] | None = None
        heads = None if self.pattern.flags & _OTHER_FLAGS else _heads_of(phrase)
        if heads is None:
            return
        runs: list[tuple[str, bool, str | None]] = []
        finds: set[str] = set()
        for boundary, head in heads:
            literal = _MARKERS.split(head, maxsplit=1)[0]
            if not literal:
                return
            if boundary and _LETTER.match(head):
                run = _RUN.match(head)
                assert run is not None
                exact = run.end() < len(head)
                rest = literal[:_MAX_HEAD] if len(literal) > run.end() else None
                runs.append((run.group(), exact, rest))
            else:
                finds.add(literal)
        if len(finds) > _MAX_FINDS:
            finds = {literal[0] for literal in finds}
        self.runs, self.finds = runs, frozenset(finds)


_LETTER = re.compile(r"[^\W\d_]")
_WORD_CHARACTER = re.compile(r"\w")  # what c.isalnum() or c == "_" accepts
_RUN = re.compile(r"\w+")
_BOUNDARY = "\x00"  # a \b inside a head
_NON_WORD = "\x01"  # some character that is not a word character
_MARKERS = re.compile("[\x00\x01]")
_MAX_HEAD = 24
_MAX_FINDS = 8
_OTHER_FLAGS = re.IGNORECASE | re.ASCII | re.LOCALE
_CACHE_LIMIT = 1 << 16
_FEW_WORDS = 8  # distinct trigger words, found a pass each
_MANY_WORDS = 2048  # words in a text: their triggers handled by word, not one by one
_CACHED_WORD = 64  # longer words are looked up afresh, not remembered (a review has few)

Gate = tuple["re.Pattern[str]", dict[str, tuple[int, ...]]]
# Per run of word characters in a word: its offset in the word, the phrases that can start
# wherever the run does, and a gate for those that need a longer literal there: a pattern
# matching the longest such literal, and the phrases each literal lets through.
Trigger = tuple[int, tuple[int, ...], Gate | None]


class Scanner:
    """Several lexicons (families) matched over one text in one pass."""

    __slots__ = (
        "_cache",
        "_exact",
        "_families",
        "_find_literals",
        "_finding",
        "_gates",
        "_longest_prefix",
        "_phrases",
        "_prefix",
        "_runs",
        "_searched",
    )

    def __init__(self, families: Mapping[str, Lexicon]) -> None:
        self._families = tuple(families)
        # A phrase in several families (a quotation is an anchor too) is matched once.
        phrases: dict[str, _Phrase] = {}
        for name, lexicon in families.items():
            for source in lexicon.phrases:
                if source not in phrases:
                    phrases[source] = _Phrase(source)
                if name not in phrases[source].families:
                    phrases[source].families.append(name)
        self._phrases = tuple(phrases.values())
        self._exact: dict[str, list[tuple[int, str | None]]] = {}
        self._prefix: dict[str, list[int]] = {}
        for k, phrase in enumerate(self._phrases):
            for run, exact, rest in phrase.runs or ():
                if exact:
                    self._exact.setdefault(run, []).append((k, rest))
                else:
                    self._prefix.setdefault(run, []).append(k)
        self._longest_prefix = max(map(len, self._prefix), default=0)
        self._finding = tuple(k for k, p in enumerate(self._phrases) if p.finds)
        self._find_literals = tuple(
            sorted({literal for p in self._phrases for literal in p.finds or ()})
        )
        self._searched = tuple(k for k, p in enumerate(self._phrases) if p.runs is None)
        self._cache: dict[str, tuple[Trigger, ...]] = {}
        self._runs: dict[str, tuple[tuple[int, ...], Gate | None] | None] = {}
        self._gates: dict[str, Gate] = {}

    def _triggers(self, word: str) -> tuple[Trigger, ...]:
        """Where in ``word`` a head of which phrase can start (see the module docstring)."""
        found: list[Trigger] = []
        runs = self._runs
        for run in _RUN.finditer(word):
            text = run.group()
            if text in runs:  # a word of many runs ("a-a-a-...") repeats them
                trigger = runs[text]
            else:
                trigger = self._run_trigger(text)
                if len(text) <= _CACHED_WORD:
                    if len(runs) >= _CACHE_LIMIT:
                        runs.clear()
                    runs[text] = trigger
            if trigger is not None:
                found.append((run.start(), *trigger))
        return tuple(found)

    def _run_trigger(self, run: str) -> tuple[tuple[int, ...], Gate | None] | None:
        """The phrases that can start where the run of word characters ``run`` does, and the
        gate of those that need a longer literal there (see :data:`Trigger`); None: none."""
        always: set[int] = set()
        # Only the run's starts as long as a prefix can be one (the run's every start: a copy
        # of each, quadratic in the length of a long word).
        for n in range(1, min(len(run), self._longest_prefix) + 1):
            always.update(self._prefix.get(run[:n], ()))
        rests: dict[int, set[str]] = {}
        for k, rest in self._exact.get(run, ()):
            if rest is None:
                always.add(k)
            else:
                rests.setdefault(k, set()).add(rest)
        for k in always:
            rests.pop(k, None)
        if always or rests:
            return tuple(sorted(always)), self._gate(run, rests)
        return None

    def _gate(self, run: str, rests: dict[int, set[str]]) -> Gate | None:
        """The gate of the phrases ``rests`` after the run ``run`` (see :data:`Trigger`)."""
        if not rests:
            return None
        if run not in self._gates:  # the same for every word with this run
            literals = {r for rs in rests.values() for r in rs}
            table = {
                literal: tuple(
                    sorted(k for k, rs in rests.items() if any(literal.startswith(r) for r in rs))
                )
                for literal in literals
            }
            self._gates[run] = (re.compile(_trie(literals)), table)
        return self._gates[run]

    @staticmethod
    def _trigger_each(
        text: str,
        occurrences: Iterable[tuple[int, tuple[Trigger, ...]]],
        candidates: dict[int, list[int]],
    ) -> None:
        """Add to ``candidates`` where the phrases can start in each word of ``occurrences``:
        ``(start, triggers)``, in text order; a Python step per occurrence and trigger."""
        for start, triggers in occurrences:
            for offset, always, gate in triggers:
                at = start + offset
                if gate is not None and (hit := gate[0].match(text, at)) is not None:
                    triggered = always + gate[1][hit.group()]
                elif always:
                    triggered = always
                else:
                    continue
                # A word can start inside a run of word characters ("3d"): no \b there.
                if not offset and start and ((c := text[start - 1]).isalnum() or c == "_"):
                    continue
                for k in triggered:
                    if k in candidates:
                        candidates[k].append(at)
                    else:
                        candidates[k] = [at]

    def scan(self, text: str) -> Scan:
        """Every family's matches in ``text``, and its words."""
        phrases = self._phrases
        # The words, and where they start, without a Python step per word.
        parts = (_SPLIT_ASCII if text.isascii() else _SPLIT).split(text)
        words: list[str] = parts[1::2]
        word_starts: list[int] = list(accumulate(map(len, parts)))[0:-1:2]
        cache = self._cache
        triggered_words = list(map(cache.get, words))
        if None in triggered_words:  # words not seen before
            if len(cache) + len(words) > _CACHE_LIMIT:
                cache.clear()
            # Long words are not remembered: the cache holds at most _CACHE_LIMIT short ones,
            # however long the texts it has seen.
            long_words: dict[str, tuple[Trigger, ...]] = {}
            for word in words:
                if word not in cache and word not in long_words:
                    if len(word) <= _CACHED_WORD:
                        cache[word] = self._triggers(word)
                    else:
                        long_words[word] = self._triggers(word)
            if long_words:
                triggered_words = [
                    long_words[word] if word in long_words else cache[word] for word in words
                ]
            else:
                triggered_words = list(map(cache.__getitem__, words))
        candidates: dict[int, list[int]] = {}
        # Most words trigger nothing; those that do take a Python step each, unless there are
        # many: then each distinct word takes one, its occurrences handled in passes of ``map``
        # (a step per occurrence was a fifth of the time of 50,000 one-letter words).
        triggered_starts = compress(word_starts, triggered_words)
        triggered = filter(None, triggered_words)
        occurrences: dict[str, list[int]] = {}
        triggers_of: dict[str, tuple[Trigger, ...]] = {}
        if len(words) < _MANY_WORDS:
            self._trigger_each(text, zip(triggered_starts, triggered, strict=True), candidates)
        else:
            occurrences, triggers_of = _by_word(
                list(compress(words, triggered_words)), list(triggered_starts), triggered
            )
        for word, starts in occurrences.items():
            if len(starts) == 1:  # a word of many runs ("a-a-a-...") can have many triggers
                self._trigger_each(text, [(starts[0], triggers_of[word])], candidates)
                continue
            for offset, always, gate in triggers_of[word]:
                at = list(map(add, starts, repeat(offset))) if offset else starts
                # A word can start inside a run of word characters ("3d"): no \b there.
                if always:
                    at_boundary = at if offset else _after_boundaries(text, at)
                    for k in always:
                        if k in candidates:
                            candidates[k].extend(at_boundary)
                        else:
                            candidates[k] = at_boundary.copy()
                if gate is None:
                    continue
                pattern, table = gate
                hits = list(map(pattern.match, repeat(text), at))
                gated = list(compress(at, hits))
                if not offset and gated:
                    kept = set(_after_boundaries(text, gated))
                    hits = [hit if i in kept else None for i, hit in zip(at, hits, strict=True)]
                for i, gate_hit in zip(compress(at, hits), filter(None, hits), strict=True):
                    for k in table[gate_hit.group()]:
                        if k in candidates:
                            candidates[k].append(i)
                        else:
                            candidates[k] = [i]
        if occurrences:  # found by word: back in text order
            for positions in candidates.values():
                positions.sort()
        occurring: dict[str, list[int]] = {}
        for literal in self._find_literals:
            if literal in text:
                occurring[literal] = _occurrences(text, literal)
        if occurring:
            for k in self._finding:
                phrase = phrases[k]
                assert phrase.finds is not None
                extra = [i for literal in phrase.finds for i in occurring.get(literal, ())]
                if not extra:
                    continue
                if phrase.required is not None and not any(map(text.__contains__, phrase.required)):
                    continue
                candidates[k] = sorted({*candidates.get(k, ()), *extra})
        found: dict[str, list[list[Span]]] = {}
        for k, positions in candidates.items():
            phrase = phrases[k]
            pattern = phrase.pattern
            spans: list[Span] = []
            busy_until = 0
            for i in positions:
                if i < busy_until:
                    continue
                hit = pattern.match(text, i)
                if hit is not None:
                    spans.append(hit.span())
                    busy_until = max(hit.end(), i + 1)
            if spans:
                for family in phrase.families:
                    found.setdefault(family, []).append(spans)
        for k in self._searched:
            phrase = phrases[k]
            if phrase.required is not None and not any(map(text.__contains__, phrase.required)):
                continue
            if phrase.runs_of_one is not None:  # every character it matches, by runs
                cuts = [0, *accumulate(map(len, phrase.runs_of_one.split(text)))]
                at = list(chain.from_iterable(map(range, cuts[1:-1:2], cuts[2::2])))
                spans = list(zip(at, map(add, at, repeat(1)), strict=True))
            else:
                spans = [m.span() for m in phrase.pattern.finditer(text)]
            if spans:
                for family in phrase.families:
                    found.setdefault(family, []).append(spans)
        return Scan(
            {name: _merged(found[name]) if name in found else [] for name in self._families},
            word_starts,
            words,
        )


def _by_word(
    words: list[str], starts: list[int], triggers: Iterable[tuple[Trigger, ...]]
) -> tuple[dict[str, list[int]], dict[str, tuple[Trigger, ...]]]:
    """Where each of ``words`` starts (``starts``, in order), by word, and its triggers."""
    triggers_of = dict(zip(words, triggers, strict=True))
    occurrences: dict[str, list[int]] = {}
    if len(triggers_of) <= _FEW_WORDS:  # a pass over the occurrences per word
        for word in triggers_of:
            occurrences[word] = list(compress(starts, map(eq, words, repeat(word))))
    else:
        for word, start in zip(words, starts, strict=True):
            if word in occurrences:
                occurrences[word].append(start)
            else:
                occurrences[word] = [start]
    return occurrences, triggers_of


def _merged(lists: list[list[Span]]) -> list[Span]:
    """The spans of ``lists`` sorted, without repeats. Each list is already (a phrase's
    matches, in text order, each once), so one list is returned as it is."""
    if len(lists) == 1:
        return lists[0]
    return sorted({span for spans in lists for span in spans})


def _after_boundaries(text: str, starts: list[int]) -> list[int]:
    """The word starts of ``starts`` (in order) that come after no word character."""
    kept = starts[:1] if starts and starts[0] == 0 else []
    later = starts[1:] if kept else starts
    after_word = map(_WORD_CHARACTER.match, repeat(text), map(sub, later, repeat(1)))
    kept.extend(compress(later, map(not_, after_word)))
    return kept


def _one_character(phrase: str) -> bool:
    """True when ``phrase`` is a single character class, matching one character wherever."""
    try:
        items = rx.parse(phrase)
    except rx.Unreadable:  # an optimisation only
        return False
    return len(items) == 1 and items[0][0] in (rx.IN, rx.LITERAL, rx.NOT_LITERAL)


def _is_word(char: str) -> bool:
    """True for a character ``\\w`` matches."""
    return char.isalnum() or char == "_"


def _trie(literals: set[str]) -> str:
    """A regular expression matching the longest of ``literals`` that starts where it is tried."""
    root: dict[str, Any] = {}
    for literal in literals:
        node = root
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [re.escape(c) + pattern(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
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
_EXPANSIONS = 256


def _heads_of(phrase: str) -> frozenset[Head] | None:
    """The heads of ``phrase``: ``(after \\b, head)`` pairs, or None when unknown.

    Every match of ``phrase`` starts with one of the heads and, where the pair says so, at a
    word boundary. In a head, :data:`_BOUNDARY` stands for a ``\\b`` and :data:`_NON_WORD` for
    a character that is not a word character (white space, say), after which the head stops.
    """
    if _BOUNDARY in phrase or _NON_WORD in phrase:
        return None
    try:
        expansions = _sequence(rx.parse(phrase))
    except rx.Unreadable:  # an optimisation only: unknown means "search normally"
        return None
    heads = set()
    for text, _ in expansions:
        body = text.lstrip(_BOUNDARY)
        heads.add((len(body) < len(text), body))
    return frozenset(heads)


Expansion = tuple[str, bool]  # a literal start of a match, and whether it is the whole match


def _sequence(items: list[rx.Item]) -> list[Expansion]:
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


def _item(op: str, av: Any) -> list[Expansion] | None:
    """The literal starts of the matches of one parsed item, or None when there are none."""
    if op == rx.LITERAL:
        return [(av, True)]
    if op == rx.AT:
        return [(_BOUNDARY if av == rx.BOUNDARY else "", True)]
    if op in _ZERO_WIDTH:
        return [("", True)]
    if op == rx.SUBPATTERN:
        return _sequence(av)
    if op == rx.BRANCH:
        return [e for branch in av for e in _sequence(branch)]
    if op == rx.REPEAT:
        low, high, body = av
        inner = _sequence(body)
        if high == 1:
            return [("", True), *inner] if low == 0 else inner
        if low == 0:
            return [("", False)]
        return [(text, False) for text, _ in inner]
    if op == rx.IN:
        if all(o == rx.LITERAL for o, _ in av):
            return [(v, True) for _, v in av]
        if all(
            (o == rx.LITERAL and not _is_word(v))
            or (o == rx.CATEGORY and v in _NON_WORD_CATEGORIES)
            for o, v in av
        ):
            return [(_NON_WORD, False)]
    return None


def _required(phrase: str) -> frozenset[str] | None:
    """Literals one of which every match of ``phrase`` contains, or None when unknown."""
    try:
        required = _factors(rx.parse(phrase))
    except rx.Unreadable:  # an optimisation only: unknown means "always try"
        return None
    return required if required and all(required) else None


def _factors(items: list[rx.Item]) -> frozenset[str] | None:
    """The most selective set of literals one of which a match of ``items`` contains."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op == rx.LITERAL:
            run.append(av)
            continue
        if op in _ZERO_WIDTH:
            continue
        if run:
            candidates.append(frozenset({"".join(run)}))
            run = []
        found: frozenset[str] | None = None
        if op == rx.SUBPATTERN:
            found = _factors(av)
        elif op == rx.BRANCH:
            branches = [_factors(b) for b in av]
            if all(b is not None for b in branches):
                found = frozenset().union(*(b for b in branches if b is not None))
        elif op == rx.REPEAT and av[0] >= 1:
            found = _factors(av[2])
        if found:
            candidates.append(found)
    if run:
        candidates.append(frozenset({"".join(run)}))
    if not candidates:
        return None
    return max(candidates, key=lambda c: min(len(s) for s in c))
