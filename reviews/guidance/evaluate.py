"""Precision, recall and F1 of the analyzer on the labeled corpus, per category.

Run ``python -m reviews.guidance.evaluate`` from the repository root (``--corpus DIR`` to point
elsewhere, ``--errors`` to list every miss). The corpus lives in ``tests/reviews/guidance/corpus``:
``sentences.txt`` (one item a line, ``LABELS | TEXT``) and ``reviews.txt`` (whole review forms);
the file headers describe the formats. Sentence items are scored on the three sentence
categories with :func:`~reviews.guidance.analyze`; reviews on all four with
:func:`~reviews.guidance.analyze_review`. A category counts as predicted when the analyzer
reports at least one finding of it anywhere in the item.

A quarter of the items (chosen by a hash of their text, so stable across edits elsewhere) form a
held-out split that the rules were not tuned on; the table reports it separately.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviews.guidance.analyzer import FIELDS, analyze, analyze_review
from reviews.guidance.types import Category

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "tests" / "reviews" / "guidance" / "corpus"
SENTENCE_CATEGORIES = (Category.VAGUE_NEGATIVE, Category.VIRTUE_SIGNALING, Category.SNOBBERY)
REVIEW_CATEGORIES = (*SENTENCE_CATEGORIES, Category.MISSING_POSITIVES)


@dataclass(frozen=True, slots=True)
class Item:
    """One labeled corpus item: a sentence (``fields`` has ``"text"``) or a review form."""

    key: str
    fields: dict[str, str]
    labels: frozenset[Category]

    @property
    def held_out(self) -> bool:
        """True for the quarter of items kept out of rule tuning."""
        return zlib.crc32(self.key.encode()) % 4 == 0


@dataclass(frozen=True, slots=True)
class Scores:
    """Counts for one category; the ratios are 0.0 when undefined (nothing predicted/labeled)."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """tp / (tp + fp)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class Miss:
    """An item where the analyzer disagreed with its labels."""

    item: Item
    missed: frozenset[Category]
    spurious: frozenset[Category]


def load_sentences(path: Path) -> list[Item]:
    """Parse ``sentences.txt``; raises ValueError naming the line on a malformed one."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        labels, sep, text = line.partition(" | ")
        if not sep or not text.strip():
            raise ValueError(f"{path}:{number}: expected 'LABELS | TEXT'")
        items.append(Item(text, {"text": text}, _labels(labels, path, number)))
    return items


def load_reviews(path: Path) -> list[Item]:
    """Parse ``reviews.txt``; raises ValueError naming the line on a malformed one."""
    items: list[Item] = []
    current: tuple[str, frozenset[Category]] | None = None
    fields: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("=== "):
            if current is not None:
                items.append(Item(current[0], fields, current[1]))
            key, sep, labels = line[4:].partition(" | ")
            if not sep:
                raise ValueError(f"{path}:{number}: expected '=== ID | LABELS'")
            current, fields = (key.strip(), _labels(labels, path, number)), {}
            continue
        name, sep, value = line.partition(":")
        if current is None or not sep or name not in FIELDS:
            raise ValueError(f"{path}:{number}: expected one of {', '.join(FIELDS)} after ===")
        fields[name] = value.strip()
    if current is not None:
        items.append(Item(current[0], fields, current[1]))
    return items


def _labels(raw: str, path: Path, number: int) -> frozenset[Category]:
    names = [n.strip() for n in raw.split(",") if n.strip() not in {"", "-"}]
    try:
        return frozenset(Category(n) for n in names)
    except ValueError:
        raise ValueError(f"{path}:{number}: unknown label in {raw!r}") from None


def predict(item: Item) -> frozenset[Category]:
    """The categories the analyzer reports for ``item``."""
    if set(item.fields) == {"text"}:
        return analyze(item.fields["text"]).categories()
    return analyze_review(**item.fields).categories()


def score(
    items: Iterable[Item], categories: Sequence[Category]
) -> tuple[dict[Category, Scores], list[Miss]]:
    """Score the analyzer on ``items`` for ``categories``; also return the disagreements."""
    counts = {c: [0, 0, 0] for c in categories}
    misses = []
    for item in items:
        predicted = predict(item) & frozenset(categories)
        labels = item.labels & frozenset(categories)
        for c in categories:
            if c in predicted and c in labels:
                counts[c][0] += 1
            elif c in predicted:
                counts[c][1] += 1
            elif c in labels:
                counts[c][2] += 1
        if predicted != labels:
            misses.append(Miss(item, labels - predicted, predicted - labels))
    return {c: Scores(*counts[c]) for c in categories}, misses


@dataclass(frozen=True, slots=True)
class Report:
    """Scores per category on sentences and on reviews: all items and the held-out split."""

    sentences: dict[Category, Scores]
    sentences_held_out: dict[Category, Scores]
    reviews: dict[Category, Scores]
    reviews_held_out: dict[Category, Scores]
    n_sentences: int
    n_reviews: int
    misses: list[Miss]


def evaluate(corpus: Path = DEFAULT_CORPUS) -> Report:
    """Run the analyzer over the corpus in ``corpus`` and score it."""
    sentences = load_sentences(corpus / "sentences.txt")
    reviews = load_reviews(corpus / "reviews.txt")
    s_all, s_miss = score(sentences, SENTENCE_CATEGORIES)
    s_held, _ = score([i for i in sentences if i.held_out], SENTENCE_CATEGORIES)
    r_all, r_miss = score(reviews, REVIEW_CATEGORIES)
    r_held, _ = score([i for i in reviews if i.held_out], REVIEW_CATEGORIES)
    return Report(s_all, s_held, r_all, r_held, len(sentences), len(reviews), s_miss + r_miss)


def format_report(report: Report) -> str:
    """The report as Markdown tables."""
    lines = []
    for title, n, full, held in (
        ("Sentences", report.n_sentences, report.sentences, report.sentences_held_out),
        ("Whole reviews", report.n_reviews, report.reviews, report.reviews_held_out),
    ):
        lines += [
            f"{title} ({n} items)",
            "",
            "| category | labeled | precision | recall | F1 "
            "| held-out P | held-out R | held-out F1 |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for c, s in full.items():
            h = held[c]
            lines.append(
                f"| {c.value} | {s.tp + s.fn} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f}"
                f" | {h.precision:.3f} | {h.recall:.3f} | {h.f1:.3f} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the evaluation tables (and the misses with ``--errors``); exit status 0."""
    parser = argparse.ArgumentParser(prog="python -m reviews.guidance.evaluate")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--errors", action="store_true", help="list every disagreement")
    args = parser.parse_args(argv)
    report = evaluate(args.corpus)
    print(format_report(report))
    if args.errors:
        for miss in report.misses:
            missed = ",".join(sorted(miss.missed)) or "-"
            spurious = ",".join(sorted(miss.spurious)) or "-"
            split = "held-out" if miss.item.held_out else "dev"
            print(f"[{split}] missed={missed} spurious={spurious}: {miss.item.fields}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
