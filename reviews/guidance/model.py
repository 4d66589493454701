"""The learned models of the analyzer: three logistic regressions read from a JSON artifact.

``model.json`` beside this file is made by ``make guidance-model`` (``python -m
reviews.guidance.train``) from SubstanReview (Guo, Shang, Rennard, Vazirgiannis, Clavel,
"Automatic Analysis of Substantiation in Scientific Peer Reviews", Findings of EMNLP 2023;
Apache-2.0). It holds, besides the weights, how it was made and its cross-validated figures
(``metadata``), which the analyzer uses to decide how strongly to word each finding.

Each model maps feature names (:mod:`reviews.guidance.features`) to weights; a sentence's
probability is the logistic of the sum of its features' weights. The standard library reads it:
no scikit-learn, no network at run time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, pairwise, repeat
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from reviews.guidance.features import NEGATION_WINDOW, NEGATORS, Read, polarities, sentiment_names

ARTIFACT = Path(__file__).with_name("model.json")
FORMAT = "courseportal-guidance-model"


class Scores(NamedTuple):
    """What the models say of one sentence, as probabilities."""

    negative: float  # it makes a negative evaluative claim
    unbacked: float  # given that it does, nothing backs it (no evidence in it or next to it)
    positive: float  # it makes a positive evaluative claim

    @property
    def vague(self) -> float:
        """The probability that it is an unsubstantiated negative claim."""
        return self.negative * self.unbacked


@dataclass(frozen=True, slots=True)
class Model:
    """The weights of the three models, their thresholds and the artifact's metadata."""

    negative: Mapping[str, float]
    unbacked: Mapping[str, float]
    positive: Mapping[str, float]
    vague_threshold: float
    negative_threshold: float
    positive_threshold: float
    metadata: Mapping[str, Any]
    _tables: _Tables = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_tables", _Tables(self.negative, self.unbacked, self.positive))

    def score(self, read: Read) -> list[Scores]:
        """The scores of every sentence of ``read`` (heading lines score 0).

        The same as summing the weights of each sentence's set of
        :func:`~reviews.guidance.features.sentence_features` (what :meth:`score_by_name` does),
        but words are looked up once a text, by number, and the sums are numpy's.
        """
        t = self._tables
        n = len(read.starts)
        if n == 0:
            return []
        # Every word of the text by number (0: unknown), and the sentence each is in.
        flat = list(chain.from_iterable(read.words))
        ids = np.fromiter(map(t.vocabulary.get, flat, repeat(0)), dtype=np.int64, count=len(flat))
        lengths = np.fromiter(map(len, read.words), dtype=np.int64, count=n)
        sentence = np.repeat(np.arange(n, dtype=np.int64), lengths)
        scored = ~np.asarray(read.headings, dtype=bool)
        sections = read.sections
        followed = np.zeros(n, dtype=bool)
        followed[:-1] = [a == b for a, b in pairwise(sections)]
        width = t.width
        known = ids != 0
        # Words (w:) of a sentence and words of the next one (nw:), the next one's owned by the
        # sentence before them, each distinct word once: keys sentence * 2 width + (the word,
        # or width + the word), rows from t.word_rows.
        before = sentence - 1
        mask = known & (before >= 0)
        mask[mask] &= followed[before[mask]] & scored[before[mask]]
        words = _distinct(
            np.concatenate(
                (
                    (sentence * (2 * width) + ids)[known & scored[sentence]],
                    (before * (2 * width) + width + ids)[mask],
                )
            )
        )
        # Word pairs (b:) within a sentence.
        same = (sentence[:-1] == sentence[1:]) & known[:-1] & known[1:] & scored[sentence[:-1]]
        square = width * width
        pairs = _distinct((sentence[:-1] * square + ids[:-1] * width + ids[1:])[same])
        pair_keys = pairs % square
        at = np.searchsorted(t.pair_keys, pair_keys)
        at[at == len(t.pair_keys)] = 0
        pair_rows = np.where(t.pair_keys[at] == pair_keys, t.pair_key_rows[at], 0)
        # The other features, by name (each names a feature once).
        names: list[str] = []
        named_owner: list[int] = []
        for j in np.flatnonzero(scored).tolist():
            context = read.context(j)
            names += context
            named_owner += repeat(j, len(context))
        named = np.fromiter(map(t.rows.get, names, repeat(0)), dtype=np.int64, count=len(names))
        # Sentiment (lx:): a sentiment word counts the other way after a negator; the weights of
        # a sentence's lx: features follow from its counts (t.sentiment_weights).
        sign = t.signs[ids]
        negator = t.negators[ids]
        at = np.flatnonzero(negator)
        if len(at):
            turned = np.zeros(len(ids) + NEGATION_WINDOW + 1, dtype=bool)
            ends = np.cumsum(lengths)[sentence[at]].tolist()
            for p, end in zip(at.tolist(), ends, strict=True):
                turned[p + 1 : min(p + 1 + NEGATION_WINDOW, end)] = True
            sign = np.where(turned[: len(ids)], -sign, sign)
        combination = (
            np.minimum(np.bincount(sentence[sign < 0], minlength=n), 3) * 8
            + np.minimum(np.bincount(sentence[sign > 0], minlength=n), 3) * 2
            + (np.bincount(sentence[negator], minlength=n) > 0)
        )
        rows = np.concatenate(
            (
                t.word_rows[words % (2 * width)],
                pair_rows,
                named,
            )
        )
        owners = np.concatenate(
            (
                words // (2 * width),
                pairs // square,
                np.asarray(named_owner, dtype=np.int64),
            )
        )
        weights = t.weights.take(rows, axis=0)
        # (bincount gives integers when it has nothing to count: the sentiment weights are added
        # to, not into, its sums)
        sums = t.sentiment_weights[combination].T + np.stack(
            [np.bincount(owners, weights=weights[:, k], minlength=n) for k in range(3)]
        )
        # The logistic, without overflow: exp of a non-positive number only.
        e = np.exp(-np.abs(sums))
        probabilities = np.where(sums >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        probabilities[:, ~scored] = 0.0
        return list(map(Scores, *probabilities.tolist()))

    def score_by_name(self, read: Read) -> list[Scores]:
        """The scores of :meth:`score`, the slow, plain way: each sentence's set of feature
        names looked up one by one. The reference the fast way is tested against."""
        out = []
        models = (self.negative, self.unbacked, self.positive)
        for j in range(len(read.starts)):
            if read.headings[j]:
                out.append(_NOTHING)
                continue
            names = set(read.features(j))
            sn, su, sp = (math.fsum(m.get(name, 0.0) for name in names) for m in models)
            out.append(Scores(_logistic(sn), _logistic(su), _logistic(sp)))
        return out

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Model:
        """Build a model from the artifact's JSON; ValueError when it is not one."""
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} artifact")
        models, thresholds = data["models"], data["thresholds"]
        return Model(
            negative=dict(models["negative"]),
            unbacked=dict(models["unbacked"]),
            positive=dict(models["positive"]),
            vague_threshold=float(thresholds["vague"]),
            negative_threshold=float(thresholds["negative"]),
            positive_threshold=float(thresholds["positive"]),
            metadata=data.get("metadata", {}),
        )


_NOTHING = Scores(0.0, 0.0, 0.0)


def _rows_of(row: int, where: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row ``row`` for every sentence where ``where`` holds, and those sentences."""
    owners = np.flatnonzero(where)
    return np.full(len(owners), row, dtype=np.int64), owners


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array, sorted (``np.unique``, without its overhead)."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


class _Tables:
    """The three models' weights as one matrix, a row a feature, and how to find the rows.

    Row 0 is all zeros: what an unknown feature reads. Words (``w:``), the next sentence's words
    (``nw:``) and word pairs (``b:``) are found through word numbers; other features by name.
    """

    __slots__ = (
        "follower_rows",
        "negators",
        "pair_key_rows",
        "pair_keys",
        "rows",
        "sentiment_weights",
        "signs",
        "unigram_rows",
        "vocabulary",
        "weights",
        "width",
        "word_rows",
    )

    def __init__(self, *models: Mapping[str, float]) -> None:
        names = sorted({name for m in models for name in m})
        self.weights = np.array(
            [[0.0] * len(models)] + [[m.get(name, 0.0) for m in models] for name in names]
        ).reshape(len(names) + 1, len(models))
        words: set[str] = {*polarities(), *NEGATORS}
        for name in names:
            kind, _, rest = name.partition(":")
            if kind in ("w", "nw"):
                words.add(rest)
            elif kind == "b":
                words.update(rest.split("_"))
        self.vocabulary = {w: i for i, w in enumerate(sorted(words), start=1)}
        self.width = len(self.vocabulary) + 1
        vocabulary = self.vocabulary
        by_word: dict[str, tuple[list[int], list[int]]] = {"w": ([], []), "nw": ([], [])}
        pair_rows: dict[int, int] = {}
        self.rows: dict[str, int] = {}
        for i, name in enumerate(names, start=1):
            kind, _, rest = name.partition(":")
            if kind in by_word:
                by_word[kind][0].append(vocabulary[rest])
                by_word[kind][1].append(i)
            elif kind == "b":
                a, b = rest.split("_")
                pair_rows[vocabulary[a] * self.width + vocabulary[b]] = i
            else:
                self.rows[name] = i
        self.unigram_rows, self.follower_rows = (
            np.zeros(self.width, dtype=np.int64),
            np.zeros(self.width, dtype=np.int64),
        )
        self.unigram_rows[by_word["w"][0]] = by_word["w"][1]
        self.follower_rows[by_word["nw"][0]] = by_word["nw"][1]
        self.word_rows = np.concatenate((self.unigram_rows, self.follower_rows))
        self.signs = np.zeros(self.width, dtype=np.int8)
        signs = polarities()
        self.signs[[vocabulary[w] for w in signs]] = list(signs.values())
        self.negators = np.zeros(self.width, dtype=bool)
        self.negators[[vocabulary[w] for w in NEGATORS]] = True
        # The summed weights of the lx: features of a sentence with (negative words, positive
        # words, a negator): row 8 * min(negative, 3) + 2 * min(positive, 3) + negator.
        self.sentiment_weights = np.array(
            [
                [sum(m.get(name, 0.0) for name in sentiment_names(a, b, bool(c))) for m in models]
                for a in range(4)
                for b in range(4)
                for c in range(2)
            ]
        )
        # Word pairs by number (first * width + second), sorted for a binary search.
        keys = sorted(pair_rows)
        self.pair_keys = np.array(keys, dtype=np.int64)
        self.pair_key_rows = np.array([pair_rows[k] for k in keys], dtype=np.int64)
        if not keys:  # a search needs somewhere to land
            self.pair_keys = np.array([-1], dtype=np.int64)
            self.pair_key_rows = np.zeros(1, dtype=np.int64)


def _logistic(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@lru_cache(maxsize=1)
def load(path: Path = ARTIFACT) -> Model:
    """The model in ``path`` (the shipped artifact by default), read once per process."""
    with path.open(encoding="utf-8") as f:
        return Model.from_dict(json.load(f))
