"""Invariants of the analyzer on arbitrary text (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.guidance import analyze, analyze_review
from reviews.guidance.segment import sentence_spans

WORDS = (
    "The experiments could have been done better . Table 2 lacks trivial I have higher standards "
    "not novel Figure 3 ? ! \n - e.g. et al. \" ' waste of time authors don't understand"
)
review_words = st.sampled_from(WORDS.split(" "))
texts = st.one_of(st.text(), st.lists(review_words, max_size=60).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_it_keeps_offsets_inside_the_text_and_in_order(text: str) -> None:
    analysis = analyze(text)
    starts = [f.start for f in analysis.findings]
    assert starts == sorted(starts) or analysis.findings[-1].category == "missing_positives"
    for finding in analysis.findings:
        assert 0 <= finding.start <= finding.end <= len(text)
        assert "\n" not in finding.message


@settings(max_examples=300, deadline=None)
@given(texts)
def test_it_is_idempotent(text: str) -> None:
    assert analyze(text) == analyze(text)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_it_segments_into_disjoint_nonblank_spans(text: str) -> None:
    previous_end = 0
    for start, end in sentence_spans(text):
        assert previous_end <= start < end <= len(text)
        assert text[start:end].strip() == text[start:end]
        previous_end = end


@settings(max_examples=100, deadline=None)
@given(st.text(), st.text(), st.text(), st.text())
def test_it_never_raises_on_any_form(summary: str, strengths: str, weak: str, q: str) -> None:
    review = analyze_review(summary=summary, strengths=strengths, weaknesses=weak, questions=q)
    for finding in review.findings:
        assert 0 <= finding.start <= finding.end <= len(review.fields[finding.field].text)
