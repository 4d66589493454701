"""Every pathological text of bench/reviews.py gets a sound analysis, and the analyzer's Python
work grows in proportion to the text on each of them.

The texts (100 KB of one short unit repeated) are those the benchmark times; here nothing is
timed. The work is counted instead: the lines of Python the analyzer executes (``sys.settrace``),
a deterministic count that a loop per character pair or per sentence pair would make grow
with the square of the text. Work done inside ``re`` or in C (``map``, ``str`` methods) is not
counted; test_linear_time.py bounds the whole in CPU seconds, generously.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

import pytest

from bench.reviews import PATHOLOGICAL, pathological_text
from reviews.guidance import Analysis, Category, analyze, analyze_review
from reviews.guidance.types import Summary


def check_sound(analysis: Analysis) -> None:
    """Offsets inside the text and in order, sentences disjoint and trimmed, figures that add up."""
    text = analysis.text
    previous_end = 0
    for s in analysis.sentences:
        assert previous_end <= s.start < s.end <= len(text)
        assert not text[s.start].isspace()
        assert not text[s.end - 1].isspace()
        previous_end = s.end
    for f in analysis.findings:
        assert 0 <= f.start <= f.end <= len(text)
        assert all((f.message, f.suggestion, f.evidence))
    starts = [f.start for f in analysis.findings if f.category != Category.MISSING_POSITIVES]
    assert starts == sorted(starts)
    assert analysis.summary == Summary.of(analysis.sentences)


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_it_analyses_each_pathological_text_soundly(name: str) -> None:
    text = pathological_text(PATHOLOGICAL[name])
    analysis = analyze(text)
    check_sound(analysis)
    form = analyze_review(strengths=text, weaknesses=text)
    check_sound(form.fields["strengths"])
    check_sound(form.fields["weaknesses"])
    assert form.fields["weaknesses"].findings == tuple(
        f for f in form.findings if f.field == "weaknesses"
    )


def test_it_reads_runs_as_the_sentences_they_are() -> None:
    # What each kind of run is, checked on the 100 KB texts themselves.
    assert analyze(pathological_text(" \t\u00a0")).sentences == ()
    assert analyze(pathological_text("\n")).sentences == ()
    assert len(analyze(pathological_text(".")).sentences) == 1
    assert len(analyze(pathological_text(". ")).sentences) == 50_000
    assert len(analyze(pathological_text("A\n")).sentences) == 50_000
    assert len(analyze(pathological_text("a\n")).sentences) == 1  # a hard-wrapped paragraph
    assert len(analyze(pathological_text("a. ")).sentences) == 1  # lower case: no new sentence
    assert len(analyze(pathological_text("Fig. ")).sentences) == 1  # an abbreviation
    assert len(analyze(pathological_text("A. ")).sentences) == 33_334  # "A." each, then "A"


def lines_run(text: str) -> int:
    """How many lines of Python ``analyze`` and ``analyze_review`` execute on ``text``."""
    lines = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal lines
        if event == "line":
            lines += 1
        return trace

    analyze(text)  # caches warm: their first fill is not the text's work
    analyze_review(weaknesses=text)
    sys.settrace(trace)
    try:
        analyze(text)
        analyze_review(weaknesses=text)
    finally:
        sys.settrace(None)
    return lines


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_its_python_work_grows_in_proportion_to_the_text(name: str) -> None:
    unit = PATHOLOGICAL[name]
    small = lines_run(pathological_text(unit, 2_000))
    large = lines_run(pathological_text(unit, 8_000))
    # Four times the text, at most about four times the lines (plus what does not depend on it).
    assert large <= 4.4 * small + 2_000, (small, large)
