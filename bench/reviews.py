"""Benchmark of the review analyzer: reviews per second on 400-word reviews, on one core, and
the time it takes on pathological texts of 100 KB.

Run from the repository root: ``python bench/reviews.py [--reviews N] [--repeats N]
[--only reviews|pathological] [--size CHARS]``. It builds ``N`` different 400-word reviews by
drawing sentences (seeded) from the labeled corpus in tests/reviews/guidance/corpus, times
:func:`reviews.guidance.analyze` on the whole text and :func:`reviews.guidance.analyze_review`
on the same text split over the four form fields, and prints the median over the repeats. Then
it times both on each pathological text of :data:`PATHOLOGICAL` (one short unit repeated to 100
KB, or ``--size`` characters: the inputs that made the old analyzer quadratic, and their kin;
for ``analyze_review`` the text is the weaknesses field), and prints the median over the
repeats for each and the worst of them. The figures in docs/benchmarks.md come from this
script. Not a test: nothing here asserts a time (tests/reviews/guidance/test_linear_time.py
guards against quadratic time). The analyzer is single-threaded pure Python, so the figures
are per core.
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
PATHOLOGICAL_SIZE = 100_000
PATHOLOGICAL = {
    "full stops `.`": ".",
    "exclamation marks `!`": "!",
    "question marks `?`": "?",
    "mixed `?!`": "?!",
    "ellipses `…`": "…",
    "spaces": " ",
    "white space (space, tab, no-break space)": " \t\u00a0",
    "newlines": "\n",
    "CR LF": "\r\n",
    "one long word `aaa…`": "a",
    "one long hyphenated word `a-a-…`": "a-",
    "alternating `. `": ". ",
    "alternating `? `": "? ",
    'alternating `." `': '." ',
    'quotes `"`': '"',
    "curly quotes `“‘’”`": "“‘’”",
    "brackets `([{`": "([{",
    'a quote opened before each word `"abcd `': '"abcd ',
    "digits `7`": "7",
    "one word a line `a⏎`": "a\n",
    "one cue repeated `trivial `": "trivial ",
    'quoted cues `"bad bad" `': '"bad bad" ',
    "clauses of praise and criticism `good; bad; `": "good; bad; ",
    "praise but criticism `well-written but lacks `": "well-written but lacks ",
    "abbreviations `Fig. `": "Fig. ",
}


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


def pathological_text(unit: str, size: int = PATHOLOGICAL_SIZE) -> str:
    """``unit`` repeated to ``size`` characters."""
    return (unit * (size // len(unit) + 1))[:size]


def _median_seconds(fn: Callable[[str], object], text: str, repeats: int) -> float:
    fn(text)  # warm-up, not measured
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _as_weaknesses(text: str) -> object:
    return analyze_review(weaknesses=text)


def pathological(repeats: int, size: int = PATHOLOGICAL_SIZE) -> None:
    """Print the median time of each entry point on each pathological text, and the worst."""
    print(
        f"Pathological texts of {size:,} characters, median of {repeats} repeats "
        "(analyze_review: the text as the weaknesses field)"
    )
    print()
    print("| text | analyze: ms | analyze_review: ms |")
    print("| --- | ---: | ---: |")
    worst = (0.0, "", "")
    for name, unit in PATHOLOGICAL.items():
        text = pathological_text(unit, size)
        row = []
        for entry, fn in (("analyze", analyze), ("analyze_review", _as_weaknesses)):
            seconds = _median_seconds(fn, text, repeats)
            row.append(seconds)
            worst = max(worst, (seconds, name, entry))
        print(f"| {name} | {1000 * row[0]:.1f} | {1000 * row[1]:.1f} |")
    print()
    print(f"Worst: {1000 * worst[0]:.1f} ms, {worst[2]} on {worst[1]}")


def main() -> int:
    """Print the medians as Markdown tables; exit status 0."""
    parser = argparse.ArgumentParser(prog="python bench/reviews.py")
    parser.add_argument("--reviews", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", choices=("reviews", "pathological"))
    parser.add_argument("--size", type=int, default=PATHOLOGICAL_SIZE, help="pathological texts")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}, one process, one thread")
    if args.only != "pathological":
        reviews = make_reviews(args.reviews)
        words = statistics.median(len(r.split()) for r in reviews)
        print(f"{args.reviews} reviews, median {words:.0f} words, median of {args.repeats} repeats")
        print()
        print("| entry point | reviews/s | ms/review |")
        print("| --- | ---: | ---: |")
        for name, fn in (("analyze(text)", analyze), ("analyze_review(4 fields)", _as_form)):
            rate = _per_second(fn, reviews, args.repeats)
            print(f"| {name} | {rate:,.0f} | {1000 / rate:.2f} |")
    if args.only != "reviews":
        print()
        pathological(args.repeats, args.size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
