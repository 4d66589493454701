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
from pathlib import Path
from typing import Any

from reviews.guidance.features import Read

ARTIFACT = Path(__file__).with_name("model.json")
FORMAT = "courseportal-guidance-model"


@dataclass(frozen=True, slots=True)
class Scores:
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
    packed: Mapping[str, tuple[float, float, float]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names = {*self.negative, *self.unbacked, *self.positive}
        packed = {
            n: (self.negative.get(n, 0.0), self.unbacked.get(n, 0.0), self.positive.get(n, 0.0))
            for n in names
        }
        object.__setattr__(self, "packed", packed)

    def score(self, read: Read) -> list[Scores]:
        """The scores of every sentence of ``read`` (heading lines score 0)."""
        out = []
        get = self.packed.get
        for j in range(len(read.starts)):
            if read.headings[j]:
                out.append(_NOTHING)
                continue
            # One lookup a feature for the three models; the sums run in C.
            found = list(filter(None, map(get, read.features(j))))
            sn = su = sp = 0.0
            if found:
                sn, su, sp = map(math.fsum, zip(*found, strict=True))
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
