"""The analyzer's fast paths give exactly what the plain regular expressions give.

The scanner finds each lexicon phrase only where a match can start, the words are split in one
C pass (with an ASCII pattern for ASCII text), the segmenter finds the word before a full stop
without a regex, Findings are built by setting their slots and Sentences (named tuples) in
one map, and long texts are segmented in passes over all lines: each is checked here
against the straightforward version, on the corpus and on generated text (hypothesis).
"""

from __future__ import annotations

import re
from dataclasses import fields
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.guidance import analyze, analyzer, matcher, segment
from reviews.guidance import lexicon as lx
from reviews.guidance.evaluate import DEFAULT_CORPUS, load_reviews, load_sentences
from reviews.guidance.matcher import Lexicon, Scanner
from reviews.guidance.types import (
    Category,
    Finding,
    NoteLine,
    Sentence,
    Severity,
    new_finding,
    new_sentence,
    new_sentences,
)

LEXICONS = {
    "negative": lx.NEGATIVE,
    "positive": lx.POSITIVE,
    "contempt": lx.CONTEMPT,
    "sweeping": lx.SWEEPING,
    "virtue": lx.VIRTUE,
    "expertise": lx.EXPERTISE,
    "anchors": lx.ANCHORS,
    "quote": lx.QUOTE,
}
SCANNER = Scanner(LEXICONS)
ORIGINAL_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?")
ORIGINAL_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")

CORPUS = [item.fields["text"] for item in load_sentences(DEFAULT_CORPUS / "sentences.txt")] + [
    "\n".join(item.fields.values()) for item in load_reviews(DEFAULT_CORPUS / "reviews.txt")
]
PIECES_TEXT = (
    "The experiments could have been done better . Table 2 lacks trivial not trivial hardly "
    "trivial -trivial I have higher standards I'm I’m i 'd be ashamed not novel well-known "
    "Figure 3 Fig. Sec. 4 e.g. et al. w.r.t. approx. No. ... ? ! \n \t - – 3d x_y 2016 ² ½ İ ß "
    "\" “ ” ‘ ’ ' [12] (a) 1. § §3 waste of time authors don't understand the authors clearly "
    "is missing are behind is not a single dataset so-called yet another wow , ; "
    "in my lab we would as an expert the paper is a mess nothing new un-publishable"
)
PIECES = PIECES_TEXT.split(" ")
generated = st.one_of(
    st.text(),
    st.lists(st.sampled_from(PIECES), max_size=50).map(" ".join),
    st.lists(st.sampled_from(PIECES), max_size=50).map("".join),
)


def plain_spans(lexicon: Lexicon, text: str) -> list[tuple[int, int]]:
    """What the scanner must find: every phrase searched over the whole text."""
    return sorted({m.span() for p in lexicon.phrases for m in re.finditer(p, text)})


def check_scan(text: str) -> None:
    scan = SCANNER.scan(text)
    for name, lexicon in LEXICONS.items():
        assert scan.spans[name] == plain_spans(lexicon, text), name
    words = [(m.start(), m.group()) for m in ORIGINAL_WORD.finditer(text)]
    assert list(zip(scan.word_starts, scan.words, strict=True)) == words


@pytest.mark.parametrize("text", CORPUS[::7])
def test_the_scanner_finds_what_a_plain_search_finds_on_the_corpus(text: str) -> None:
    check_scan(text)
    check_scan(text.lower())


@settings(max_examples=300, deadline=None)
@given(generated)
def test_the_scanner_finds_what_a_plain_search_finds(text: str) -> None:
    check_scan(text)
    check_scan(text.lower())


def test_a_lexicon_alone_finds_the_same() -> None:
    text = "The authors clearly don't understand; it is trivial. Not trivial: Table 2, [3]."
    assert lx.CONTEMPT.spans(text.lower()) == plain_spans(lx.CONTEMPT, text.lower())


@settings(max_examples=300, deadline=None)
@given(generated)
def test_words_are_the_original_words(text: str) -> None:
    assert [m.span() for m in matcher.WORD.finditer(text)] == [
        m.span() for m in ORIGINAL_WORD.finditer(text)
    ]


def original_abbreviation_before(text: str, cursor: int, dot: int) -> bool:
    word = ORIGINAL_LAST_WORD.search(text, cursor, dot + 1)
    return word is not None and word.group(1).lower().rstrip(".") in segment._ABBREVIATIONS


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["e.g", "E.G", "Fig", "fig", "al", "..", "x", " ", "9", "ab"])))
def test_the_word_before_a_full_stop_is_read_as_the_regex_reads_it(parts: list[str]) -> None:
    text = "".join(parts) + "."
    for cursor in range(len(text)):
        assert segment._abbreviation_before(text, cursor, len(text) - 1) == (
            original_abbreviation_before(text, cursor, len(text) - 1)
        )


def test_the_fast_constructors_build_the_same_objects() -> None:
    assert Sentence._fields == (
        "start",
        "end",
        "negative",
        "positive",
        "specific",
        "real_strength",
        "question",
    )
    values = (3, 9, True, False, True, False, True)
    assert new_sentence(*values) == Sentence(*values)
    assert repr(new_sentence(*values)) == repr(Sentence(*values))
    built = new_sentences(
        [3, 11], [9, 20], [True, False], [False, True], [True, True], [False, False], [True, False]
    )
    assert built == (Sentence(*values), Sentence(11, 20, False, True, True, False, False))
    assert [type(s) for s in built] == [Sentence, Sentence]
    assert [f.name for f in fields(Finding)] == [
        "category",
        "start",
        "end",
        "severity",
        "message",
        "suggestion",
        "note",
        "evidence",
        "field",
    ]
    args = (
        Category.SNOBBERY,
        1,
        4,
        Severity.ERROR,
        "message",
        "suggestion",
        NoteLine.GOOD_INTENT,
        "evidence",
        "weaknesses",
    )
    assert new_finding(*args) == Finding(*args)
    assert new_finding(*args).to_dict() == Finding(*args).to_dict()


# Issue #14: the linear versions of what was quadratic find exactly what the plain versions find.

ORIGINAL_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+")
END_PIECES = [*".!?…\"'”’)] \t\n\raA", "  ", '." ', "?!"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(END_PIECES), max_size=60).map("".join))
def test_sentence_ends_are_the_plain_patterns_matches(text: str) -> None:
    lines = [m.span() for m in segment._LINE.finditer(text)]
    for start, end in [*lines, (0, len(text))]:
        assert [m.span() for m in segment._END.finditer(text, start, end)] == [
            m.span() for m in ORIGINAL_END.finditer(text, start, end)
        ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["e.g", "Fig", "fig", "al", ".", "." * 20, "x" * 20, "w.r.t", " ", "9"]),
        max_size=12,
    )
)
def test_the_word_before_a_full_stop_is_read_whole_however_long(parts: list[str]) -> None:
    # Runs of letters and full stops longer than the first window (16) it reads.
    text = "".join(parts) + "."
    dot = len(text) - 1
    for cursor in range(0, len(text), 3):
        assert segment._abbreviation_before(text, cursor, dot) == original_abbreviation_before(
            text, cursor, dot
        )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=30),
    st.integers(-2, 42),
)
def test_a_cover_of_spans_holds_what_a_scan_of_them_holds(
    spans: list[tuple[int, int]], at: int
) -> None:
    assert analyzer._covered_by(spans)(at) == analyzer._inside(at, spans)


def original_negative_scope(s: str, negatives: list[tuple[int, int]]) -> tuple[int, int]:
    bounds = [0, *(m.start() for m in analyzer._CLAUSE.finditer(s) if m.start() > 0), len(s)]
    starts: list[int] = []
    ends: list[int] = []
    for a, b in pairwise(bounds):
        if any(a <= n < b for n, _ in negatives):
            starts.append(a)
            ends.append(b)
    if not starts:
        return (0, len(s))
    first = starts[0]
    while first < ends[-1] and not s[first].isalnum():
        first += 1
    return (first, ends[-1])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["good", "bad", "; ", ", but ", " — however ", "although ", " but ", " "]),
        max_size=30,
    ).map("".join),
    st.lists(st.integers(0, 200), max_size=20),
)
def test_the_negative_scope_is_the_plain_scan_of_clauses(s: str, starts: list[int]) -> None:
    negatives = [(n, n + 1) for n in starts if n < len(s)]
    assert analyzer._negative_scope(s, negatives) == original_negative_scope(s, negatives)


LONG_WORDS = [
    "could" * 30,
    "a-" * 200 + "a",
    "the-authors-" * 20 + "x",
    "i'm-" * 50 + "sure",
    "un" + "clear" * 40,
    "ж" * 500,
]


@pytest.mark.parametrize("word", LONG_WORDS)
def test_long_words_are_scanned_as_a_plain_search_scans_them(word: str) -> None:
    text = f"The authors {word} could be better; {word} is unclear. {word}"
    check_scan(text)
    check_scan(text)  # again, from what the scanner remembered


def test_long_words_are_not_remembered() -> None:
    word = "x" * 10_000
    analyze(f"This {word} is weak. The {word}-{word} could be better.")
    scanner = analyzer._SCANNER
    assert max(map(len, scanner._cache), default=0) <= matcher._CACHED_WORD
    assert max(map(len, scanner._runs), default=0) <= matcher._CACHED_WORD
    assert max(map(len, analyzer._CONTENT), default=0) <= analyzer._REMEMBERED_WORD
    before = analyzer._remembered_content_word.cache_info().currsize
    assert analyzer._content_word(word + "y") is True
    assert analyzer._remembered_content_word.cache_info().currsize == before


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from([*END_PIECES, "e.g", "Fig", "- ", "(a)", "1.", "ß", "\u2028"]), max_size=80
    )
)
def test_long_texts_are_split_as_short_ones_are(parts: list[str]) -> None:
    # Texts from 4,096 characters are split in passes over all lines at once; shorter ones a
    # line at a time, the plain way. Both give the same sentences.
    text = "".join(parts)
    assert segment._bounds_at_once(text) == segment._bounds_by_line(text)


@pytest.mark.parametrize("text", CORPUS[::7])
def test_long_texts_are_split_as_short_ones_are_on_the_corpus(text: str) -> None:
    assert segment._bounds_at_once(text) == segment._bounds_by_line(text)
