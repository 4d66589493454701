"""The analyzer's fast paths give exactly what the plain regular expressions give.

The scanner finds each lexicon phrase only where a match can start, the words are split in one
C pass (with an ASCII pattern for ASCII text), the segmenter finds the word before a full stop
without a regex, and Sentence/Finding are built by setting their slots: each is checked here
against the straightforward version, on the corpus and on generated text (hypothesis).
"""

from __future__ import annotations

import re
from dataclasses import fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.guidance import lexicon as lx
from reviews.guidance import matcher, segment
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
    assert [f.name for f in fields(Sentence)] == [
        "start",
        "end",
        "negative",
        "positive",
        "specific",
        "real_strength",
        "question",
    ]
    values = (3, 9, True, False, True, False, True)
    assert new_sentence(*values) == Sentence(*values)
    assert repr(new_sentence(*values)) == repr(Sentence(*values))
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
