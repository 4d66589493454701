"""Benchmark of the review analyzer: reviews per second on 400-word reviews, on one core.

Run from the repository root: ``python bench/reviews.py [--reviews N] [--repeats N]``. It builds
``N`` different 400-word reviews by drawing sentences (seeded) from the labeled corpus in
tests/reviews/guidance/corpus, times :func:`reviews.guidance.analyze` on the whole text and
:func:`reviews.guidance.analyze_review` on the same text split over the four form fields, and
prints the median over the repeats. The figures in docs/benchmarks.md come from this script.
Not a test: nothing here asserts a time. The analyzer is single-threaded pure Python, so the
figure is per core.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reviews.guidance import analyze, analyze_review
from reviews.guidance.evaluate import DEFAULT_CORPUS, load_sentences

WORDS = 400


def make_reviews(n: int, seed: int = 0) -> list[str]:
    """``n`` reviews of about ``WORDS`` words each, one paragraph per field-sized chunk."""
    pool = [item.fields["text"] for item in load_sentences(DEFAULT_CORPUS / "sentences.txt")]
    rng = random.Random(seed)
    reviews = []
    for _ in range(n):
        sentences: list[str] = []
        words = 0
        while words < WORDS:
            sentence = rng.choice(pool)
            sentences.append(sentence)
            words += len(sentence.split())
        quarter = max(1, len(sentences) // 4)
        paragraphs = [
            " ".join(sentences[i : i + quarter]) for i in range(0, len(sentences), quarter)
        ]
        reviews.append("\n\n".join(paragraphs))
    return reviews


def _per_second(fn: Callable[[str], object], reviews: list[str], repeats: int) -> float:
    for review in reviews[:20]:
        fn(review)  # warm-up: regex caches and first calls are not measured
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for review in reviews:
            fn(review)
        rates.append(len(reviews) / (time.perf_counter() - start))
    return statistics.median(rates)


def _as_form(review: str) -> object:
    parts = [*review.split("\n\n"), "", "", ""]
    return analyze_review(
        summary=parts[0], strengths=parts[1], weaknesses=parts[2], questions="\n\n".join(parts[3:])
    )


def main() -> int:
    """Print the medians as a Markdown table; exit status 0."""
    parser = argparse.ArgumentParser(prog="python bench/reviews.py")
    parser.add_argument("--reviews", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    reviews = make_reviews(args.reviews)
    words = statistics.median(len(r.split()) for r in reviews)
    print(f"Python {platform.python_version()} on {platform.machine()}, one process, one thread")
    print(f"{args.reviews} reviews, median {words:.0f} words, median of {args.repeats} repeats")
    print()
    print("| entry point | reviews/s | ms/review |")
    print("| --- | ---: | ---: |")
    for name, fn in (("analyze(text)", analyze), ("analyze_review(4 fields)", _as_form)):
        rate = _per_second(fn, reviews, args.repeats)
        print(f"| {name} | {rate:,.0f} | {1000 / rate:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
