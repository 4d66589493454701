"""The analyzer on the labeled corpus: the issue's targets, from the evaluator's own figures."""

from __future__ import annotations

import pytest

from reviews.guidance import Category
from reviews.guidance.evaluate import (
    DEFAULT_CORPUS,
    Report,
    evaluate,
    format_report,
    load_reviews,
    load_sentences,
    main,
)


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate()


def test_it_has_the_corpus_the_issue_asks_for() -> None:
    sentences = load_sentences(DEFAULT_CORPUS / "sentences.txt")
    reviews = load_reviews(DEFAULT_CORPUS / "reviews.txt")
    assert len(sentences) >= 400
    assert len(reviews) >= 40
    for category in (Category.VAGUE_NEGATIVE, Category.VIRTUE_SIGNALING, Category.SNOBBERY):
        assert sum(category in s.labels for s in sentences) >= 40
    assert sum(not s.labels for s in sentences) >= 150
    assert sum(Category.MISSING_POSITIVES in r.labels for r in reviews) >= 5
    assert all(
        set(r.fields) == {"summary", "strengths", "weaknesses", "questions"} for r in reviews
    )


def test_it_reaches_f1_085_on_vague_negatives(report: Report) -> None:
    assert report.sentences[Category.VAGUE_NEGATIVE].f1 >= 0.85
    assert report.reviews[Category.VAGUE_NEGATIVE].f1 >= 0.85


@pytest.mark.parametrize("category", [Category.VIRTUE_SIGNALING, Category.SNOBBERY])
def test_it_reaches_precision_09_on_virtue_signaling_and_snobbery(
    report: Report, category: Category
) -> None:
    assert report.sentences[category].precision >= 0.9
    assert report.reviews[category].precision >= 0.9


def test_it_finds_missing_positives_in_whole_reviews(report: Report) -> None:
    assert report.reviews[Category.MISSING_POSITIVES].f1 >= 0.85


def test_it_prints_precision_recall_and_f1_per_category(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "| vague_negative |" in out
    assert "| missing_positives |" in out
    assert "precision | recall | F1" in out


def test_it_formats_the_figures_it_computed(report: Report) -> None:
    f1 = report.sentences[Category.VAGUE_NEGATIVE].f1
    assert f"{f1:.3f}" in format_report(report)
