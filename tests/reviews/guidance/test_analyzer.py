"""The review analyzer, rule by rule. Pure Python: no database."""

from __future__ import annotations

import pytest

from reviews.guidance import (
    Category,
    NoteLine,
    Severity,
    analyze,
    analyze_review,
)


def categories(text: str) -> set[str]:
    return {f.category.value for f in analyze(text).findings}


def test_it_flags_the_browser_test_sentence_as_a_vague_negative() -> None:
    text = "The experiments could have been done better."
    [finding] = analyze(text).findings
    assert finding.category is Category.VAGUE_NEGATIVE
    assert text[finding.start : finding.end] == text
    assert finding.evidence == "could have been done better"
    assert finding.note is NoteLine.VAGUE_NEGATIVES
    assert finding.severity is Severity.WARNING


def test_it_clears_the_browser_test_rewrite() -> None:
    rewrite = "Table 2 lacks a comparison with the bilinear-upsampling baseline of Section 4."
    analysis = analyze(rewrite)
    assert analysis.findings == ()
    assert analysis.summary.negative_judgements == 1
    assert analysis.summary.specific_negatives == 1


@pytest.mark.parametrize(
    "text",
    [
        "The writing could be improved.",
        "The novelty of the approach is limited.",
        "I am not convinced by the experimental results.",
        "The paper would benefit from a more thorough evaluation.",
    ],
)
def test_it_flags_judgements_with_nothing_specific(text: str) -> None:
    assert categories(text) == {"vague_negative"}


@pytest.mark.parametrize(
    "text",
    [
        "The PSNR gain of 0.3 dB in Table 1 is within the noise of the reported runs.",
        "The comparison with sub-pixel convolution (Shi et al., 2016) is missing.",
        'The claim that "our method never produces artifacts" is contradicted by Figure 6.',
        "The evaluation ignores out-of-distribution inputs such as medical images.",
        "The method is only evaluated on one dataset.",
    ],
)
def test_it_leaves_specific_criticism_alone(text: str) -> None:
    assert categories(text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "This technique could be useful for many dense prediction tasks.",
        "The idea could easily be extended to video.",
        "I wonder whether the gains in Table 3 would hold with more seeds.",
        "Why is the evaluation so limited?",
        "The proof of Lemma 2 is non-trivial and well presented.",
        "I am not an expert in semantic segmentation, so my confidence is low.",
    ],
)
def test_it_leaves_praise_with_could_hedges_and_questions_alone(text: str) -> None:
    assert categories(text) == set()


def test_it_accepts_a_justification_in_the_next_sentence() -> None:
    alone = "The experiments are weak."
    justified = alone + " Only MNIST is used, with a single seed."
    assert categories(alone) == {"vague_negative"}
    assert categories(justified) == set()


def test_it_does_not_accept_another_vague_sentence_as_justification() -> None:
    text = "The experiments are weak. The writing is also poor."
    findings = analyze(text).findings
    assert [text[f.start : f.end] for f in findings] == [
        "The experiments are weak.",
        "The writing is also poor.",
    ]


def test_it_accepts_evidence_before_a_sentence_that_points_back_to_it() -> None:
    text = "Table 3 shows a 0.1 dB gain. This is unconvincing."
    assert categories(text) == set()
    assert categories("This is unconvincing.") == {"vague_negative"}


def test_it_highlights_only_the_negative_clause_of_mixed_praise() -> None:
    text = "The paper is well written, but the evaluation is weak."
    [finding] = analyze(text).findings
    assert text[finding.start : finding.end] == "but the evaluation is weak."


def test_it_points_offsets_at_the_sentence_within_a_longer_text() -> None:
    text = (
        "The ablation in Figure 3 is convincing.\n\n"
        "- I have higher standards than this.\n"
        "- This is a trivial extension of existing work."
    )
    spans = {f.category: text[f.start : f.end] for f in analyze(text).findings}
    assert spans == {
        Category.VIRTUE_SIGNALING: "I have higher standards than this.",
        Category.SNOBBERY: "This is a trivial extension of existing work.",
    }


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("I have higher standards than this.", "I have higher standards"),
        ("In my lab, we would never accept results without error bars.", "In my lab, we would"),
        ("As an expert, I find the experiments unconvincing.", "As an expert"),
    ],
)
def test_it_flags_statements_about_the_reviewer(text: str, evidence: str) -> None:
    [finding] = analyze(text).findings
    assert finding.category is Category.VIRTUE_SIGNALING
    assert finding.evidence == evidence
    assert finding.note is NoteLine.VIRTUE_SIGNALING


def test_it_lets_a_confidence_statement_mention_expertise() -> None:
    assert categories("As an expert in upsampling layers, I checked the proofs.") == set()


@pytest.mark.parametrize(
    "text",
    [
        "Obviously the authors don't understand how transposed convolutions work.",
        "Reading this paper was a waste of time.",
        "The authors were clearly too lazy to run proper baselines.",
        "This is a trivial extension of existing work.",
    ],
)
def test_it_flags_contempt_whatever_evidence_comes_with_it(text: str) -> None:
    [finding] = analyze(text + " Table 2 has 3 rows.").findings
    assert finding.category is Category.SNOBBERY
    assert finding.severity is Severity.ERROR
    assert finding.note is NoteLine.GOOD_INTENT


def test_it_flags_a_sweeping_dismissal_only_without_evidence() -> None:
    bare = "The approach is fundamentally flawed."
    backed = bare + " Eq. 7 divides by the variance, which is zero for constant patches."
    [finding] = analyze(bare).findings
    assert finding.category is Category.SNOBBERY
    assert finding.note is NoteLine.SNOBBERY_EARNED
    assert analyze(backed).findings == ()


def test_it_judges_missing_positives_on_the_strengths_field() -> None:
    hollow = analyze_review(
        summary="The paper proposes a learned upsampling layer.",
        strengths="Good paper.",
        weaknesses="Table 2 lacks a comparison with bilinear upsampling.",
    )
    real = analyze_review(
        summary="The paper proposes a learned upsampling layer.",
        strengths="The ablation in Table 4 isolates the effect of the learned kernel.",
        weaknesses="Table 2 lacks a comparison with bilinear upsampling.",
    )
    [finding] = hollow.findings
    assert finding.category is Category.MISSING_POSITIVES
    assert (finding.field, finding.start, finding.end) == ("strengths", 0, len("Good paper."))
    assert finding.note is NoteLine.PUBLIC
    assert real.findings == ()


def test_it_gives_form_offsets_per_field() -> None:
    weaknesses = "Table 2 has 3 rows. The experiments could have been done better."
    review = analyze_review(
        strengths="The derivation in Section 3 is clean.", weaknesses=weaknesses
    )
    [finding] = review.findings
    assert finding.field == "weaknesses"
    assert weaknesses[finding.start : finding.end] == (
        "The experiments could have been done better."
    )
    assert review.fields["weaknesses"].findings == (finding,)
    assert review.summary.sentences == 3


def test_it_reports_nothing_for_a_blank_form() -> None:
    review = analyze_review()
    assert review.findings == ()
    assert review.summary.balance is None


def test_it_judges_missing_positives_on_a_whole_text_review() -> None:
    text = "The novelty is limited. The evaluation is weak. The paper is hard to follow."
    assert Category.MISSING_POSITIVES in analyze(text).categories()
    assert Category.MISSING_POSITIVES not in analyze("The novelty is limited.").categories()


def test_it_counts_summary_figures() -> None:
    text = (
        "The ablation in Table 4 is thorough. "
        "Table 2 lacks a comparison with bilinear upsampling. The writing is poor."
    )
    summary = analyze(text).summary
    assert (summary.sentences, summary.negative_judgements, summary.specific_negatives) == (3, 2, 1)
    assert (summary.positive_judgements, summary.real_strengths) == (1, 1)
    assert summary.balance == pytest.approx(1 / 3, abs=1e-3)
    assert summary.specificity == 0.5


def test_it_serialises_to_plain_json_values() -> None:
    data = analyze("The experiments could have been done better.").to_dict()
    finding = data["findings"][0]
    assert finding["category"] == "vague_negative"
    assert finding["note"] == "Common Problem #1: Vague negatives"
    assert finding["suggestion"].startswith("Name the experiment")
    assert data["summary"]["specificity"] == 0.0


def test_it_keeps_offsets_right_after_characters_whose_lower_case_is_longer() -> None:
    text = "İİİİ wrote this. The method is trivial and a waste of time."
    findings = [f for f in analyze(text).findings if f.category == "snobbery"]
    assert findings
    assert "trivial" in findings[0].evidence
    assert text[findings[0].start : findings[0].end].startswith("The method")
