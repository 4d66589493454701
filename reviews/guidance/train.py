"""Train the analyzer's models on SubstanReview and measure them by cross-validation by review.

``python -m reviews.guidance.train --substanreview PATH --out reviews/guidance/model.json``
(``make guidance-model``) writes the artifact the analyzer loads. Needs scikit-learn (a
development dependency): the analyzer itself reads the weights with the standard library.

Data: SubstanReview (Guo, Shang, Rennard, Vazirgiannis, Clavel, "Automatic Analysis of
Substantiation in Scientific Peer Reviews", Findings of EMNLP 2023), training split, Apache-2.0.
Each review is split into sentences by :func:`reviews.guidance.features.read_text`; a sentence
is labelled

* ``neg`` when it overlaps a negative evaluative claim (``Eval_neg_k``),
* ``unsub`` when it overlaps one that has no evidence (no ``Jus_neg_k``): a vague negative,
* ``pos`` when it overlaps a positive evaluative claim (``Eval_pos_k``).

Three logistic regressions over :func:`~reviews.guidance.features.sentence_features`: ``neg``,
``pos``, and ``unsub`` among sentences (the substantiation judge sees the sentence's
neighbours). A sentence is flagged vague when ``p(unsub)`` reaches the threshold, which is
chosen on out-of-fold scores of the *training* folds only (nested), so the figures reported for
each held-out fold were not tuned on it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from reviews.guidance.features import read_text
from reviews.guidance.model import FORMAT, Model, Scores

MODEL_VERSION = 1
FOLDS = 5
C = {"neg": 0.5, "pos": 0.5, "unsub": 1.0}
MIN_COUNT = 2
MIN_WEIGHT = 1e-3  # weights below this (absolute) are dropped from the artifact
# The acceptance bounds the threshold must respect on the training folds' out-of-fold scores.
MAX_FALSE_ALARM_SUBSTANTIATED = 0.20
MAX_FALSE_ALARM_POSITIVE = 0.04


@dataclass
class Claim:
    """One annotated claim: its spans (a claim can span several), polarity, and evidence."""

    spans: list[tuple[int, int]]
    polarity: str
    substantiated: bool


@dataclass
class Review:
    """One review: its text, its sentences' features and labels, and its claims."""

    text: str
    spans: list[tuple[int, int]]
    features: list[list[str]]
    labels: dict[str, list[int]]
    claims: list[Claim] = field(default_factory=list)


def load(path: Path) -> list[Review]:
    """Read the SubstanReview JSON lines file into reviews with per-sentence labels."""
    reviews = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, labels = row["review"], row["label"]
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"{path}:{number}: not a SubstanReview record ({e})") from None
        claims = _claims(labels)
        read = read_text(text)
        spans, feats = [], []
        sentence_labels: dict[str, list[int]] = {"neg": [], "unsub": [], "pos": []}
        for j, (start, end) in enumerate(zip(read.starts, read.ends, strict=True)):
            if read.headings[j]:
                continue
            spans.append((start, end))
            feats.append(read.features(j))
            hit = [c for c in claims if _overlaps((start, end), c.spans)]
            neg = [c for c in hit if c.polarity == "neg"]
            sentence_labels["neg"].append(int(bool(neg)))
            sentence_labels["unsub"].append(int(any(not c.substantiated for c in neg)))
            sentence_labels["pos"].append(int(any(c.polarity == "pos" for c in hit)))
        reviews.append(Review(text, spans, feats, sentence_labels, claims))
    return reviews


def _claims(labels: list[list[Any]]) -> list[Claim]:
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    evidence: set[tuple[str, str]] = set()
    for start, end, tag in labels:
        kind, _, rest = tag.partition("_")
        polarity, _, k = rest.partition("_")
        if kind == "Eval" and polarity in {"pos", "neg"}:
            spans.setdefault((polarity, k), []).append((int(start), int(end)))
        elif kind == "Jus":
            evidence.add((polarity, k))
    return [Claim(s, pol, (pol, k) in evidence) for (pol, k), s in spans.items()]


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]], least: int = 3) -> bool:
    """True when ``span`` shares at least ``least`` characters with one of ``spans``."""
    return any(min(span[1], e) - max(span[0], s) >= least for s, e in spans)


def fit(reviews: Sequence[Review], target: str) -> tuple[DictVectorizer, LogisticRegression]:
    """A logistic regression for ``target`` on the sentences of ``reviews``.

    The substantiation judge (``unsub``) learns from negative sentences only: it answers "is
    this criticism backed?", and the analyzer asks it only of sentences the ``neg`` model finds
    negative. Features seen fewer than :data:`MIN_COUNT` times are left out.
    """
    rows = [
        (f, labels[target][j])
        for r in reviews
        for j, (f, labels) in enumerate(zip(r.features, repeat(r.labels)))
        if target != "unsub" or labels["neg"][j]
    ]
    counts = Counter(name for f, _ in rows for name in set(f))
    feats = [{name: 1 for name in f if counts[name] >= MIN_COUNT} for f, _ in rows]
    y = np.array([v for _, v in rows])
    vec = DictVectorizer()
    x = vec.fit_transform(feats)
    model = LogisticRegression(C=C[target], max_iter=3000)
    model.fit(x, y)
    return vec, model


def weights(vec: DictVectorizer, model: LogisticRegression) -> dict[str, float]:
    """The weights of a fitted model by feature name; the intercept is added to ``bias``."""
    out = {}
    for name, w in zip(vec.get_feature_names_out(), model.coef_[0], strict=True):
        if abs(w) >= MIN_WEIGHT:
            out[str(name)] = round(float(w), 4)
    out["bias"] = round(float(model.intercept_[0]) + out.get("bias", 0.0), 4)
    return out


def fit_model(reviews: Sequence[Review], thresholds: dict[str, float]) -> Model:
    """The three models trained on ``reviews``, with the given thresholds."""
    return Model(
        negative=weights(*fit(reviews, "neg")),
        unbacked=weights(*fit(reviews, "unsub")),
        positive=weights(*fit(reviews, "pos")),
        vague_threshold=thresholds["vague"],
        negative_threshold=thresholds["negative"],
        positive_threshold=thresholds["positive"],
        metadata={},
    )


def predict(model: Model, reviews: Sequence[Review]) -> list[list[Scores]]:
    """The model's scores of every sentence of every review, read as the analyzer reads them."""
    out = []
    for r in reviews:
        read = read_text(r.text)
        out.append([s for s, h in zip(model.score(read), read.headings, strict=True) if not h])
    return out


@dataclass(frozen=True)
class Figures:
    """Span-overlap figures of flagged sentences against annotated unsubstantiated claims."""

    flagged: int
    flagged_right: int
    claims: int
    claims_found: int
    substantiated: int
    substantiated_flagged: int
    positive: int
    positive_flagged: int

    @property
    def precision(self) -> float:
        return self.flagged_right / self.flagged if self.flagged else 0.0

    @property
    def recall(self) -> float:
        return self.claims_found / self.claims if self.claims else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def false_alarm_substantiated(self) -> float:
        return self.substantiated_flagged / self.substantiated if self.substantiated else 0.0

    @property
    def false_alarm_positive(self) -> float:
        return self.positive_flagged / self.positive if self.positive else 0.0

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(a + b for a, b in zip(_values(self), _values(other), strict=True)))

    def to_dict(self) -> dict[str, float | int]:
        return {
            "flagged": self.flagged,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "unsubstantiated_claims": self.claims,
            "false_alarm_substantiated": round(self.false_alarm_substantiated, 4),
            "false_alarm_positive": round(self.false_alarm_positive, 4),
        }


def _values(f: Figures) -> tuple[int, ...]:
    return (
        f.flagged,
        f.flagged_right,
        f.claims,
        f.claims_found,
        f.substantiated,
        f.substantiated_flagged,
        f.positive,
        f.positive_flagged,
    )


def figures(reviews: Sequence[Review], flags: Sequence[Sequence[bool]]) -> Figures:
    """Score flagged sentences (``flags[i][j]`` for sentence j of review i) at span overlap."""
    total = Figures(0, 0, 0, 0, 0, 0, 0, 0)
    for r, flagged in zip(reviews, flags, strict=True):
        spans = [s for s, f in zip(r.spans, flagged, strict=True) if f]
        unsub = [c for c in r.claims if c.polarity == "neg" and not c.substantiated]
        sub = [c for c in r.claims if c.polarity == "neg" and c.substantiated]
        pos = [c for c in r.claims if c.polarity == "pos"]
        right = sum(any(_overlaps(s, c.spans) for c in unsub) for s in spans)
        total += Figures(
            len(spans),
            right,
            len(unsub),
            sum(any(_overlaps(s, c.spans) for s in spans) for c in unsub),
            len(sub),
            sum(any(_overlaps(s, c.spans) for s in spans) for c in sub),
            len(pos),
            sum(any(_overlaps(s, c.spans) for s in spans) for c in pos),
        )
    return total


def choose_thresholds(
    reviews: Sequence[Review], scores: Sequence[list[Scores]]
) -> dict[str, float]:
    """Thresholds chosen on ``scores`` (out-of-fold scores of ``reviews``).

    ``vague``: the best F1 whose false-alarm rates stay within the bounds. ``positive``: the best
    F1 of "names no strength" over reviews. ``negative`` is 0.5 (it only counts sentences).
    """
    best, best_f1 = 0.5, -1.0
    for t in np.arange(0.05, 0.80, 0.01):
        f = figures(reviews, [[s.vague >= t for s in ss] for ss in scores])
        if (
            f.false_alarm_substantiated <= MAX_FALSE_ALARM_SUBSTANTIATED
            and f.false_alarm_positive <= MAX_FALSE_ALARM_POSITIVE
            and f.f1 > best_f1
        ):
            best, best_f1 = float(t), f.f1
    best_pos, best_pos_f1 = 0.5, -1.0
    for t in np.arange(0.20, 0.95, 0.01):
        f1 = missing_positives(reviews, scores, float(t)).f1
        if f1 > best_pos_f1:
            best_pos, best_pos_f1 = float(t), f1
    return {"vague": round(best, 2), "negative": 0.5, "positive": round(best_pos, 2)}


@dataclass(frozen=True)
class ReviewFigures:
    """Review-level figures of "names no strength" against reviews with no ``Eval_pos``."""

    flagged: int
    right: int
    labelled: int

    @property
    def precision(self) -> float:
        return self.right / self.flagged if self.flagged else 0.0

    @property
    def recall(self) -> float:
        return self.right / self.labelled if self.labelled else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: ReviewFigures) -> ReviewFigures:
        return ReviewFigures(
            self.flagged + other.flagged, self.right + other.right, self.labelled + other.labelled
        )

    def to_dict(self) -> dict[str, float | int]:
        return {
            "flagged": self.flagged,
            "reviews_without_strengths": self.labelled,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def missing_positives(
    reviews: Sequence[Review], scores: Sequence[list[Scores]], threshold: float
) -> ReviewFigures:
    """How well "no sentence reaches ``threshold`` as positive" finds reviews with no strength."""
    flagged = right = labelled = 0
    for r, ss in zip(reviews, scores, strict=True):
        predicted = not any(s.positive >= threshold for s in ss)
        actual = not any(c.polarity == "pos" for c in r.claims)
        flagged += predicted
        labelled += actual
        right += predicted and actual
    return ReviewFigures(flagged, right, labelled)


def out_of_fold(reviews: Sequence[Review], folds: int) -> list[list[Scores]]:
    """Scores of every review's sentences by models that did not see that review."""
    out: list[list[Scores]] = [[] for _ in reviews]
    for train_idx, test_idx in _split(len(reviews), folds):
        model = fit_model([reviews[i] for i in train_idx], DEFAULT_THRESHOLDS)
        for i, s in zip(test_idx, predict(model, [reviews[i] for i in test_idx]), strict=True):
            out[i] = s
    return out


DEFAULT_THRESHOLDS = {"vague": 0.5, "negative": 0.5, "positive": 0.5}


def _split(n: int, folds: int) -> list[tuple[list[int], list[int]]]:
    """``folds`` splits of review indices, each review held out once (by review, never by
    sentence), after a fixed shuffle: the file is ordered by venue."""
    order = np.random.default_rng(15).permutation(n)
    return [
        ([int(i) for i in order[train]], [int(i) for i in order[test]])
        for train, test in KFold(n_splits=folds).split(order)
    ]


def cross_validate(reviews: Sequence[Review], folds: int = FOLDS) -> dict[str, Any]:
    """Nested cross-validation by review: for each held-out fold, thresholds are chosen on
    out-of-fold scores of the other folds, and the models are trained on those folds."""
    per_fold = []
    vague = Figures(0, 0, 0, 0, 0, 0, 0, 0)
    strengths = ReviewFigures(0, 0, 0)
    for train_idx, test_idx in _split(len(reviews), folds):
        train = [reviews[i] for i in train_idx]
        test = [reviews[i] for i in test_idx]
        thresholds = choose_thresholds(train, out_of_fold(train, folds - 1))
        scores = predict(fit_model(train, thresholds), test)
        f = figures(test, [[s.vague >= thresholds["vague"] for s in ss] for ss in scores])
        m = missing_positives(test, scores, thresholds["positive"])
        per_fold.append({"thresholds": thresholds, "vague_negative": f.to_dict()})
        vague += f
        strengths += m
    return {
        "folds": folds,
        "vague_negative": vague.to_dict(),
        "missing_positives": strengths.to_dict(),
        "per_fold": per_fold,
    }


def data_digest(path: Path) -> str:
    """The SHA-256 of the training file, recorded in the artifact."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    """Cross-validate, train on the whole file, and write the artifact."""
    parser = argparse.ArgumentParser(prog="python -m reviews.guidance.train")
    parser.add_argument("--substanreview", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=FOLDS)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    reviews = load(args.substanreview)
    report = cross_validate(reviews, args.folds)
    thresholds = choose_thresholds(reviews, out_of_fold(reviews, args.folds))
    model = fit_model(reviews, thresholds)
    metadata: dict[str, Any] = {}
    artifact: dict[str, Any] = {
        "format": FORMAT,
        "version": MODEL_VERSION,
        "thresholds": thresholds,
        "metadata": metadata,
    }
    metadata.update(
        {
            "data": DATA_ATTRIBUTION,
            "data_sha256": data_digest(args.substanreview),
            "reviews": len(reviews),
            "sentences": sum(len(r.spans) for r in reviews),
            "command": "make guidance-model",
            "trainer": "scikit-learn LogisticRegression (L2), C=" + json.dumps(C),
            "min_feature_count": MIN_COUNT,
            "cross_validation": report,
        }
    )
    artifact["models"] = {
        "negative": model.negative,
        "unbacked": model.unbacked,
        "positive": model.positive,
    }
    text = json.dumps(artifact, sort_keys=True, separators=(",", ":"))
    metadata["size_bytes"] = len(text.encode()) + 32  # the figure itself included
    text = json.dumps(artifact, sort_keys=True, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    print(json.dumps({k: report[k] for k in ("vague_negative", "missing_positives")}, indent=1))
    print(f"wrote {args.out} ({len(text)} bytes) in {time.perf_counter() - began:.0f} s")
    return 0


DATA_ATTRIBUTION = (
    "SubstanReview training split (Guo, Shang, Rennard, Vazirgiannis, Clavel: Automatic "
    "Analysis of Substantiation in Scientific Peer Reviews, Findings of EMNLP 2023), "
    "github.com/YanzhuGuo/SubstanReview annotation_final/train.jsonl at 520b120a, Apache-2.0"
)


if __name__ == "__main__":
    sys.exit(main())
