"""The shipped model: that it is the one measured on the data in the checkout, and that its fast
scorer gives what summing each sentence's feature weights by name gives."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from reviews.guidance.features import read_text, sentence_features, sentiment_features
from reviews.guidance.model import ARTIFACT, Model, load

ROOT = Path(__file__).resolve().parents[3]
TRAINING = ROOT / "data" / "substanreview" / "train.jsonl"


def _reviews() -> list[str]:
    return [json.loads(line)["review"] for line in TRAINING.read_text("utf-8").splitlines()]


def _assert_same_scores(model: Model, text: str, section: str | None = None) -> None:
    read = read_text(text, section)
    fast, plain = model.score(read), model.score_by_name(read)
    assert len(fast) == len(plain) == len(read.starts)
    for a, b in zip(fast, plain, strict=True):
        assert a == pytest.approx(b, abs=1e-12)


def test_the_artifact_was_trained_on_the_data_in_the_checkout() -> None:
    metadata = load().metadata
    assert metadata["data_sha256"] == hashlib.sha256(TRAINING.read_bytes()).hexdigest()
    assert metadata["reviews"] == len(_reviews())
    assert metadata["size_bytes"] == pytest.approx(ARTIFACT.stat().st_size, abs=64)
    assert set(metadata["cross_validation"]) >= {"vague_negative", "missing_positives"}


def test_the_fast_scorer_scores_every_training_review_as_the_plain_one() -> None:
    model = load()
    for text in _reviews():
        _assert_same_scores(model, text)


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("", None),
        ("Weaknesses:", None),
        ("Weaknesses:\nStrengths:", None),
        ("weak weak weak weak. very very.", "weaknesses"),
        ("Not bad, not good, not clear, not at all convincing, never fine.", "weaknesses"),
        ("x", "strengths"),
        ("zzqx qqzx. zzqx qqzx zzqx.", None),
        ("Table 3 is 2.5 points lower [12]; see Sec. 4 (Smith et al., 2020).", "weaknesses"),
        ("Strengths:\nNice.\nWeaknesses:\nThe evaluation is thin. It is weak.\n", None),
    ],
)
def test_the_fast_scorer_agrees_on_edge_cases(text: str, section: str | None) -> None:
    _assert_same_scores(load(), text, section)


def test_a_model_without_word_features_still_scores() -> None:
    model = Model(
        negative={"bias": 1.0, "lx:neg": 2.0},
        unbacked={"bias": -1.0},
        positive={"c:num": 0.5},
        vague_threshold=0.5,
        negative_threshold=0.5,
        positive_threshold=0.5,
        metadata={},
    )
    _assert_same_scores(model, "The results are bad. It has 3 tables.", "weaknesses")
    assert model.score(read_text("It is bad.", "weaknesses"))[0].negative == pytest.approx(
        1 / (1 + 2.718281828459045**-3)
    )


def test_a_negator_turns_a_sentiment_word_within_three_words() -> None:
    assert "lx:pos" in sentiment_features(["the", "results", "are", "convincing"])
    turned = sentiment_features(["the", "results", "are", "not", "convincing"])
    assert "lx:neg" in turned
    assert "lx:pos" not in turned
    assert "lx:negator" in turned
    far = sentiment_features(["not", "that", "the", "results", "are", "convincing"])
    assert "lx:pos" in far


def test_a_feature_named_twice_counts_once() -> None:
    read = read_text("Weak weak weak. Weak weak.", "weaknesses")
    names = sentence_features(
        read.lowers, read.sections, read.bullets, read.eols, 0, read.words, read.cues
    )
    assert names.count("w:weak") == 3
    _assert_same_scores(load(), "Weak weak weak. Weak weak.", "weaknesses")
