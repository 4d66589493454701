"""The matcher reads its phrases with regex_syntax, not ``re``'s private parser: what it reads is
shaped as Python reads it, what it cannot read it refuses, and either way a phrase finds what a
plain search finds."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.guidance import regex_syntax as rx
from reviews.guidance.matcher import Lexicon

L = rx.LITERAL


def test_it_moves_the_common_start_of_an_alternation_out_of_it() -> None:
    assert rx.parse(r"\b(?:an|a) x") == [
        (rx.AT, rx.BOUNDARY),
        (L, "a"),
        (rx.BRANCH, [[(L, "n")], []]),
        (L, " "),
        (L, "x"),
    ]


def test_it_reads_an_alternation_of_single_characters_as_a_set() -> None:
    assert rx.parse(r"a|b|\d") == [(rx.IN, [(L, "a"), (L, "b"), (rx.CATEGORY, rx.DIGIT)])]


def test_it_repeats_the_contents_of_a_non_capturing_group() -> None:
    assert rx.parse("(?:the )?x{2,}") == [
        (rx.REPEAT, (0, 1, [(L, "t"), (L, "h"), (L, "e"), (L, " ")])),
        (rx.REPEAT, (2, None, [(L, "x")])),
    ]


def test_it_reads_sets_as_python_does() -> None:
    assert rx.parse("[a][^b][- ][]a][\\w'-]") == [
        (L, "a"),
        (rx.NOT_LITERAL, "b"),
        (rx.IN, [(L, "-"), (L, " ")]),
        (rx.IN, [(L, "]"), (L, "a")]),
        (rx.IN, [(rx.CATEGORY, rx.WORD), (L, "'"), (L, "-")]),
    ]


def test_it_keeps_a_brace_that_starts_no_repeat() -> None:
    assert rx.parse("a{b}{}") == [(L, "a"), (L, "{"), (L, "b"), (L, "}"), (L, "{"), (L, "}")]


@pytest.mark.parametrize(
    "pattern",
    [r"(?i)a", r"(a)\1", r"(?P<x>a)(?P=x)", r"(a)?(?(1)b|c)", r"(?>a)", r"\N{EM DASH}", r"\0"],
)
def test_it_refuses_what_it_does_not_read(pattern: str) -> None:
    with pytest.raises(rx.Unreadable):
        rx.parse(pattern)
    text = "a aa ab ac — A b"
    expected = sorted({m.span() for m in re.finditer(pattern, text)})
    assert Lexicon(pattern).spans(text) == expected


@pytest.mark.parametrize("pattern", ["a)", "(a", "[a", "a{2,1}", "*a", "a**", r"\q", "[b-a]"])
def test_it_refuses_what_is_not_a_pattern(pattern: str) -> None:
    with pytest.raises(rx.Unreadable):
        rx.parse(pattern)


ATOMS = ["a", "b", "ab", "the ", " ", "'", "-", r"\b", r"\w", r"\s", r"\W", r"\.", ".", "[ab]",
         "[^a ]", "[a-c]", r"[\w']", "[- ]", "{", "x"]  # fmt: skip
QUANTIFIERS = ["", "", "", "?", "*", "+", "{2}", "{1,3}", "{,2}", "??", "+?"]
TEXT_PIECES = ["a", "b", "ab", "the", "x", "c", " ", "'", "-", ".", "{"]


@st.composite
def phrases(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 2 and draw(st.booleans()) and draw(st.booleans()):
            inner = "|".join(draw(st.lists(phrases(depth + 1), min_size=1, max_size=3)))
            opening = draw(st.sampled_from(["(?:", "(?:", "(", "(?=", "(?!", "(?<!"]))
            part = f"{opening}{inner})"
        else:
            part = draw(st.sampled_from(ATOMS))
        parts.append(part + draw(st.sampled_from(QUANTIFIERS)))
    return "".join(parts)


def valid(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(
    st.lists(phrases().filter(valid), min_size=1, max_size=3),
    st.lists(st.sampled_from(TEXT_PIECES), max_size=30),
)
def test_generated_phrases_find_what_a_plain_search_finds(
    patterns: list[str], pieces: list[str]
) -> None:
    text = "".join(pieces)
    expected = sorted({m.span() for p in patterns for m in re.finditer(p, text)})
    assert Lexicon(*patterns).spans(text) == expected
