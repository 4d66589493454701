"""A plain reading of regular-expression syntax, for the tests of the tone rules.

:func:`parse` returns a pattern as a list of ``(op, arg)`` items shaped as Python's own parser
shapes them: an alternation's common start is moved out of it, an alternation of single
characters becomes a set, and a non-capturing group is spliced into the sequence around it.
So the literals the matcher reads from it (those a match starts with, or must contain) are
the ones ``re`` itself sees.

It reads the syntax the lexicon uses: literals and escapes, ``.``, ``^``, ``$``, sets, groups
(capturing, named, non-capturing), look-arounds, comments, alternation and repeats. Anything
else (inline flags, back references, conditionals, atomic groups, ``\\N{...}`` and octal
escapes) raises :class:`Unreadable`, and the matcher then searches that phrase the ordinary
way: slower, never wrong.

The items::

    (LITERAL, char)  (NOT_LITERAL, char)  (ANY, None)  (AT, BOUNDARY | NON_BOUNDARY | ...)
    (IN, [(LITERAL, char) | (RANGE, (low, high)) | (CATEGORY, WORD | SPACE | ...)]),
        led by (NEGATE, None) when negated
    (SUBPATTERN, items)  a capturing group
    (BRANCH, [items, ...])
    (REPEAT, (min, max or None when unbounded, items))  greedy, lazy or possessive alike
    (ASSERT, (direction, items))  (ASSERT_NOT, (direction, items))  1: ahead, -1: behind
"""

from __future__ import annotations

from typing import Any

Item = tuple[str, Any]

LITERAL = "literal"
NOT_LITERAL = "not_literal"
ANY = "any"
AT = "at"
IN = "in"
RANGE = "range"
CATEGORY = "category"
NEGATE = "negate"
SUBPATTERN = "subpattern"
BRANCH = "branch"
REPEAT = "repeat"
ASSERT = "assert"
ASSERT_NOT = "assert_not"
_GROUP = "group"  # a non-capturing group while its sequence is read; spliced in after

# Arguments of AT and CATEGORY.
BOUNDARY = "boundary"
NON_BOUNDARY = "non_boundary"
BEGINNING = "beginning"
END = "end"
BEGINNING_STRING = "beginning_string"
END_STRING = "end_string"
DIGIT = "digit"
NOT_DIGIT = "not_digit"
SPACE = "space"
NOT_SPACE = "not_space"
WORD = "word"
NOT_WORD = "not_word"

_CATEGORIES: dict[str, Item] = {
    r"\A": (AT, BEGINNING_STRING),
    r"\b": (AT, BOUNDARY),
    r"\B": (AT, NON_BOUNDARY),
    r"\d": (IN, [(CATEGORY, DIGIT)]),
    r"\D": (IN, [(CATEGORY, NOT_DIGIT)]),
    r"\s": (IN, [(CATEGORY, SPACE)]),
    r"\S": (IN, [(CATEGORY, NOT_SPACE)]),
    r"\w": (IN, [(CATEGORY, WORD)]),
    r"\W": (IN, [(CATEGORY, NOT_WORD)]),
    r"\Z": (AT, END_STRING),
}
_ESCAPES: dict[str, Item] = {
    r"\a": (LITERAL, "\a"),
    r"\b": (LITERAL, "\b"),
    r"\f": (LITERAL, "\f"),
    r"\n": (LITERAL, "\n"),
    r"\r": (LITERAL, "\r"),
    r"\t": (LITERAL, "\t"),
    r"\v": (LITERAL, "\v"),
    "\\\\": (LITERAL, "\\"),
}
_HEX_LENGTHS = {"x": 2, "u": 4, "U": 8}
_DIGITS = frozenset("0123456789")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SPECIAL = frozenset(".\\[{()*+?^$|")
# Items equal by value; any other two items are different (as Python's parser compares them,
# by identity), so an alternation's common start is never a group, a repeat or a branch.
_BY_VALUE = frozenset({LITERAL, NOT_LITERAL, ANY, AT, IN})


class Unreadable(ValueError):
    """A pattern outside the syntax read here, or not a valid pattern."""


class _Source:
    """The pattern in parts: one character, or a backslash and the character after it."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.index = 0
        self.next: str | None = None
        self._advance()

    def _advance(self) -> None:
        index = self.index
        if index >= len(self.pattern):
            self.next = None
            return
        part = self.pattern[index]
        if part == "\\":
            index += 1
            if index >= len(self.pattern):
                raise Unreadable("bad escape (end of pattern)")
            part += self.pattern[index]
        self.index = index + 1
        self.next = part

    def tell(self) -> int:
        return self.index - len(self.next or "")

    def seek(self, index: int) -> None:
        self.index = index
        self._advance()

    def match(self, part: str) -> bool:
        if part == self.next:
            self._advance()
            return True
        return False

    def get(self) -> str | None:
        part = self.next
        self._advance()
        return part

    def get_while(self, n: int, allowed: frozenset[str]) -> str:
        result = ""
        for _ in range(n):
            part = self.next
            if part is None or part not in allowed:
                break
            result += part
            self._advance()
        return result


def parse(pattern: str) -> list[Item]:
    """The items of ``pattern`` (see the module docstring); raises :class:`Unreadable`."""
    source = _Source(pattern)
    items = _alternation(source)
    if source.next is not None:
        raise Unreadable("unbalanced parenthesis")
    return items


def _alternation(source: _Source) -> list[Item]:
    branches = [_sequence(source)]
    while source.match("|"):
        branches.append(_sequence(source))
    if len(branches) == 1:
        return branches[0]
    items: list[Item] = []
    # The start every branch shares, moved out in front of the branch.
    while all(branches) and all(_same(b[0], branches[0][0]) for b in branches[1:]):
        items.append(branches[0][0])
        for branch in branches:
            del branch[0]
    # Branches of one character each: a set.
    chars: list[Item] = []
    for branch in branches:
        if len(branch) != 1:
            break
        op, arg = branch[0]
        if op == LITERAL:
            chars.append(branch[0])
        elif op == IN and arg[0][0] != NEGATE:
            chars.extend(arg)
        else:
            break
    else:
        items.append((IN, _unique(chars)))
        return items
    items.append((BRANCH, branches))
    return items


def _same(a: Item, b: Item) -> bool:
    return a[0] in _BY_VALUE and a == b


def _unique(items: list[Item]) -> list[Item]:
    return list(dict.fromkeys(items))


def _sequence(source: _Source) -> list[Item]:
    items: list[Item] = []
    while True:
        part = source.next
        if part is None or part in "|)":
            break
        source.get()
        if part[0] == "\\":
            items.append(_escape(source, part))
        elif part not in _SPECIAL:
            items.append((LITERAL, part))
        elif part == "[":
            items.append(_set(source))
        elif part in "*+?{":
            _repeat(source, part, items)
        elif part == ".":
            items.append((ANY, None))
        elif part == "(":
            group = _group(source)
            if group is not None:
                items.append(group)
        elif part == "^":
            items.append((AT, BEGINNING))
        else:  # "$"
            items.append((AT, END))
    spliced: list[Item] = []
    for op, arg in items:
        if op == _GROUP:
            spliced.extend(arg)
        else:
            spliced.append((op, arg))
    return spliced


def _repeat(source: _Source, part: str, items: list[Item]) -> None:
    """Turn the last of ``items`` into a repeat, or add ``{`` when it does not start one."""
    here = source.tell()
    low: int
    high: int | None
    if part == "?":
        low, high = 0, 1
    elif part == "*":
        low, high = 0, None
    elif part == "+":
        low, high = 1, None
    else:
        if source.next == "}":
            items.append((LITERAL, part))
            return
        low_digits = source.get_while(len(source.pattern), _DIGITS)
        high_digits = low_digits
        if source.match(","):
            high_digits = source.get_while(len(source.pattern), _DIGITS)
        if not source.match("}"):
            items.append((LITERAL, part))
            source.seek(here)
            return
        low = int(low_digits) if low_digits else 0
        high = int(high_digits) if high_digits else None
        if high is not None and high < low:
            raise Unreadable("min repeat greater than max repeat")
    if not items or items[-1][0] == AT:
        raise Unreadable("nothing to repeat")
    if items[-1][0] == REPEAT:
        raise Unreadable("multiple repeat")
    op, arg = items[-1]
    body = arg if op == _GROUP else [items[-1]]
    if not source.match("?"):  # lazy: "?"; possessive: "+"; their matches start alike
        source.match("+")
    items[-1] = (REPEAT, (low, high, body))


def _group(source: _Source) -> Item | None:
    """The group after ``(``; None for a comment."""
    kind = _GROUP
    if source.match("?"):
        char = source.get()
        if char == "P" and source.match("<"):
            name = ""
            while (c := source.get()) != ">":
                if c is None:
                    raise Unreadable("missing >, unterminated name")
                name += c
            if not name.isidentifier():
                raise Unreadable(f"bad character in group name {name!r}")
            kind = SUBPATTERN
        elif char == ":":
            pass
        elif char == "#":
            while (c := source.get()) != ")":
                if c is None:
                    raise Unreadable("missing ), unterminated comment")
            return None
        elif char in ("=", "!", "<"):
            direction = 1
            if char == "<":
                char = source.get()
                if char not in ("=", "!"):
                    raise Unreadable(f"unknown extension ?<{char}")
                direction = -1
            inner = _alternation(source)
            if not source.match(")"):
                raise Unreadable("missing ), unterminated subpattern")
            return (ASSERT if char == "=" else ASSERT_NOT, (direction, inner))
        else:  # flags, back references, conditionals, atomic groups
            raise Unreadable(f"not read here: (?{char or ''}")
    else:
        kind = SUBPATTERN
    inner = _alternation(source)
    if not source.match(")"):
        raise Unreadable("missing ), unterminated subpattern")
    return (kind, inner)


def _escape(source: _Source, escape: str) -> Item:
    """An escape outside a set."""
    if escape in _CATEGORIES:
        return _CATEGORIES[escape]
    if escape in _ESCAPES:
        return _ESCAPES[escape]
    return _character_escape(source, escape)


def _set_escape(source: _Source, escape: str) -> Item:
    """An escape inside a set: ``\\b`` is a backspace there, and ``\\A`` or ``\\Z`` an error."""
    if escape in _ESCAPES:
        return _ESCAPES[escape]
    category = _CATEGORIES.get(escape)
    if category is not None and category[0] == IN:
        return category
    return _character_escape(source, escape)


def _character_escape(source: _Source, escape: str) -> Item:
    char = escape[1]
    if char in _HEX_LENGTHS:
        digits = source.get_while(_HEX_LENGTHS[char], _HEX_DIGITS)
        if len(digits) != _HEX_LENGTHS[char]:
            raise Unreadable(f"incomplete escape {escape}{digits}")
        try:
            return (LITERAL, chr(int(digits, 16)))
        except (ValueError, OverflowError):
            raise Unreadable(f"bad escape {escape}{digits}") from None
    if char in _DIGITS or char in _ASCII_LETTERS:
        # Octal escapes, back references and \N{...} are not read here; other letters are
        # not escapes at all.
        raise Unreadable(f"not read here: {escape}")
    return (LITERAL, char)


def _set(source: _Source) -> Item:
    """The set after ``[``: one literal on its own is a (NOT_)LITERAL, as in Python's parser."""
    negate = source.match("^")
    members: list[Item] = []
    while True:
        part = source.get()
        if part is None:
            raise Unreadable("unterminated character set")
        if part == "]" and members:
            break
        first: Item = _set_escape(source, part) if part[0] == "\\" else (LITERAL, part)
        single = first[1][0] if first[0] == IN else first  # \w alone: its category
        if source.match("-"):
            last_part = source.get()
            if last_part is None:
                raise Unreadable("unterminated character set")
            if last_part == "]":
                members.append(single)
                members.append((LITERAL, "-"))
                break
            last: Item = (
                _set_escape(source, last_part) if last_part[0] == "\\" else (LITERAL, last_part)
            )
            if first[0] != LITERAL or last[0] != LITERAL or last[1] < first[1]:
                raise Unreadable(f"bad character range {part}-{last_part}")
            members.append((RANGE, (first[1], last[1])))
        else:
            members.append(single)
    members = _unique(members)
    if len(members) == 1 and members[0][0] == LITERAL:
        return (NOT_LITERAL, members[0][1]) if negate else members[0]
    if negate:
        members.insert(0, (NEGATE, None))
    return (IN, members)
