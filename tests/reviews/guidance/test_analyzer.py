"""The analyzer on whole reviews: what it finds, how it words it, and what it promises.

Accuracy is not asserted on sentences written here (they measured F1 0.967 where real reviews
gave 0.000): ``python -m reviews.guidance.evaluate`` measures it on real annotated reviews, and
test_model.py checks that the shipped model is the one measured.
"""

from __future__ import annotations

import json

from reviews.guidance import Category, Severity, analyze, analyze_review
from reviews.guidance.analyzer import ERROR_PRECISION
from reviews.guidance.features import read_text, unwrap
from reviews.guidance.model import load

# The textbook-vague review of issue #15, as a student would type it into the form.
VAGUE_FORM = {
    "summary": "This paper proposes a new method for text classification.",
    "strengths": "",
    "weaknesses": "The experimental settings are not reasonable. Details are missing. "
    "The novelty is limited.",
    "questions": "",
}
PRAISE = ("thank you", "specific, balanced", "in good faith", "no problems found")


def test_it_gives_the_vague_review_two_findings_and_no_praise() -> None:
    analysis = analyze_review(**VAGUE_FORM)
    categories = [f.category for f in analysis.findings]
    assert len(categories) >= 2
    assert Category.MISSING_POSITIVES in categories
    assert Category.VAGUE_NEGATIVE in categories
    for f in analysis.findings:
        wording = (f.message + " " + f.suggestion).lower()
        assert not any(p in wording for p in PRAISE)


def test_it_words_a_finding_below_the_error_precision_as_a_question() -> None:
    cv = load().metadata["cross_validation"]["vague_negative"]
    vague = [f for f in analyze_review(**VAGUE_FORM).findings if f.category == "vague_negative"]
    assert vague
    for f in vague:
        if cv["precision"] < ERROR_PRECISION:
            assert f.severity != Severity.ERROR
            assert "?" in f.message
        assert 0.0 < f.confidence <= 1.0


def test_it_reports_each_finding_with_its_confidence_in_json() -> None:
    data = analyze_review(**VAGUE_FORM).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert all(0.0 <= f["confidence"] <= 1.0 for f in data["findings"])


def test_it_reports_nothing_for_a_blank_form() -> None:
    analysis = analyze_review()
    assert analysis.findings == ()
    assert analysis.summary.sentences == 0


def test_it_gives_form_offsets_per_field() -> None:
    form = {**VAGUE_FORM, "weaknesses": "Overall.\n\n" + VAGUE_FORM["weaknesses"]}
    analysis = analyze_review(**form)
    for f in analysis.findings:
        text = form[f.field]
        assert 0 <= f.start <= f.end <= len(text)
    vague = [f for f in analysis.findings if f.category == "vague_negative"]
    assert all(form["weaknesses"][f.start : f.end].strip() for f in vague)


def test_it_never_flags_a_question_as_a_vague_negative() -> None:
    text = "Why are the experimental settings not reasonable? Which details are missing?"
    assert not [f for f in analyze(text).findings if f.category == "vague_negative"]


def test_it_reads_a_hard_wrapped_paragraph_as_its_sentences() -> None:
    flowing = (
        "The evaluation covers only two datasets, both of them in English. "
        "It is unclear whether the method transfers to other languages."
    )
    wrapped = flowing.replace("both of", "both\nof").replace("whether the", "whether\nthe")
    assert len(unwrap(wrapped)) == len(wrapped)
    assert [(s.start, s.end) for s in analyze(wrapped).sentences] == [
        (s.start, s.end) for s in analyze(flowing).sentences
    ]


def test_it_does_not_join_a_line_that_ends_a_sentence() -> None:
    text = "The method is new.\nthe baseline is old."
    assert len(analyze(text).sentences) == 2


def test_it_reads_quoted_words_as_the_papers() -> None:
    plain = read_text("The authors call it a trivial baseline.")
    quoted = read_text('The authors call it a "trivial baseline".')
    assert "w:trivial" in plain.features(0)
    assert "w:trivial" not in quoted.features(0)


def test_it_reads_headings_of_a_whole_text_review_as_sections() -> None:
    read = read_text("Strengths:\nThe idea is neat.\nWeaknesses:\nThe evaluation is thin.")
    assert read.headings == [True, False, True, False]
    assert read.sections == ["strengths", "strengths", "weaknesses", "weaknesses"]
    assert "s:weaknesses" in read.features(3)


def test_it_judges_missing_positives_on_the_strengths_field() -> None:
    with_strength = analyze_review(
        **{**VAGUE_FORM, "strengths": "The ablation in Table 4 is thorough and convincing."}
    )
    assert Category.MISSING_POSITIVES not in with_strength.categories()
    assert Category.MISSING_POSITIVES in analyze_review(**VAGUE_FORM).categories()


def test_it_counts_summary_figures_from_its_sentences() -> None:
    analysis = analyze_review(**VAGUE_FORM)
    weaknesses = analysis.fields["weaknesses"]
    assert weaknesses.summary.sentences == 3
    assert analysis.summary.sentences == sum(a.summary.sentences for a in analysis.fields.values())


def test_it_keeps_offsets_right_after_characters_whose_lower_case_is_longer() -> None:
    text = "İİİ The experimental settings are not reasonable. Details are missing."
    for f in analyze(text).findings:
        assert 0 <= f.start <= f.end <= len(text)
