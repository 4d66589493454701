"""Benchmark of the review analyzer: reviews per second on 400-word reviews, on one core, and
the time it takes on pathological texts of 100 KB.

Run from the repository root: ``python bench/reviews.py [--reviews N] [--repeats N]
[--only reviews|pathological] [--size CHARS] [--target-ms MS]``. It times
:func:`reviews.guidance.analyze` on the 440 real reviews of data/substanreview/train.jsonl
(reviews per second, median over the repeats), then on ``N`` 400-word reviews cut from them
(consecutive 400-word windows, whole lines): reviews per second, and the 50th, 99th percentile
and worst time of one review over all repeats; and :func:`reviews.guidance.analyze_review` on
the same windows split over the four form fields. Then it times both on each pathological text of
:data:`PATHOLOGICAL` (one short unit repeated to 100 KB, or ``--size`` characters; for
``analyze_review`` the text is the weaknesses field): the median CPU time of the process
(``time.process_time``, so that other processes on the machine count less) over the repeats,
after a warm-up. It prints each, the worst of them with its text, and the target (issue #14:
50 ms per 100 KB), and exits with status 1 when the worst is over the target. A fixed
reference workload (pure Python) is timed at the start and at the end of that part: its
figures say how fast and how steady the machine was, to compare runs. The figures in
docs/benchmarks.md come from this script. Not a test: tests assert no time. The analyzer is
single-threaded pure Python, so the figures are per core.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reviews.guidance import analyze, analyze_review

TRAINING = Path(__file__).resolve().parents[1] / "data" / "substanreview" / "train.jsonl"

WORDS = 400
PATHOLOGICAL_SIZE = 100_000
TARGET_MS = 50.0
PATHOLOGICAL = {
    # Runs of one character: punctuation, sentence ends, white space, letters, digits.
    "full stops `.`": ".",
    "exclamation marks `!`": "!",
    "question marks `?`": "?",
    "mixed `?!`": "?!",
    "ellipses `…`": "…",
    "ideographic full stops `。`": "。",
    "fullwidth exclamation marks `！`": "！",
    "commas `,`": ",",
    "semicolons `;`": ";",
    "hyphens `-`": "-",
    "em dashes `—`": "—",
    "asterisks `*`": "*",
    "opening brackets `(`": "(",
    "closing brackets `)`": ")",
    "square brackets `[`": "[",
    'quotes `"`': '"',
    "apostrophes `'`": "'",
    "curly quotes `“‘’”`": "“‘’”",
    "brackets `([{`": "([{",
    "spaces": " ",
    "tabs": "\t",
    "white space (space, tab, no-break space)": " \t\u00a0",
    "newlines": "\n",
    "CR LF": "\r\n",
    "one long word `aaa…`": "a",
    "one long Cyrillic word `жжж…`": "ж",
    "one long hyphenated word `a-a-…`": "a-",
    "one long word with apostrophes `a'a'…`": "a'",
    "digits `7`": "7",
    "emoji `😀`": "😀",
    "combining marks `á` (a + U+0301)": "a\u0301",
    "dotted capital I `İ`": "İ",
    # Many tiny sentences, lines and bullets.
    "alternating `. `": ". ",
    "alternating `? `": "? ",
    "alternating `! `": "! ",
    'alternating `." `': '." ',
    "alternating `。 `": "。 ",
    "initials `A. `": "A. ",
    "`a. ` (lower case: one sentence)": "a. ",
    "full stop a line `.⏎`": ".\n",
    "one word a line `a⏎`": "a\n",
    "a space a line ` ⏎`": " \n",
    "a word and a space a line `a ⏎`": "a \n",
    "bullets `- a⏎`": "- a\n",
    "numbered items `1. `": "1. ",
    "section numbers `1.2.3. `": "1.2.3. ",
    "lettered items `(a) `": "(a) ",
    "citations `[1] `": "[1] ",
    "abbreviations `Fig. `": "Fig. ",
    "abbreviations `e.g. `": "e.g. ",
    "abbreviations `et al. `": "et al. ",
    "references `Fig. 3. `": "Fig. 3. ",
    "URLs": "https://example.com/a/b?c=d ",
    "numbers `7.5 `": "7.5 ",
    # Cues of the lexicons, repeated.
    "one cue repeated `trivial `": "trivial ",
    "praise repeated `good `": "good ",
    "praise repeated `novel `": "novel ",
    "negated praise `not novel `": "not novel ",
    "negators `not `": "not ",
    "hedges `maybe `": "maybe ",
    "intensifiers `obviously `": "obviously ",
    "expertise `I am an expert `": "I am an expert ",
    'quoted cues `"bad bad" `': '"bad bad" ',
    "clauses of praise and criticism `good; bad; `": "good; bad; ",
    "praise but criticism `well-written but lacks `": "well-written but lacks ",
    'a quote opened before each word `"abcd `': '"abcd ',
    # Sentences with a finding, repeated.
    "a vague negative a line `bad⏎`": "bad\n",
    "vague negatives `Bad. `": "Bad. ",
    "vague negatives `It is bad. `": "It is bad. ",
    "a vague negative a line `The paper lacks novelty.⏎`": "The paper lacks novelty.\n",
    "anaphora `This is unconvincing. `": "This is unconvincing. ",
    "bare praise `Good paper. `": "Good paper. ",
    "short sentences `It fails. `": "It fails. ",
    # Long sentences.
    "one long sentence of review words": (
        "the method does not work well on the benchmark and the results are weak "
    ),
    "mixed case words `aBcD `": "aBcD ",
}


def training_texts() -> list[str]:
    """The texts of the real reviews the models were trained on."""
    return [json.loads(line)["review"] for line in TRAINING.read_text("utf-8").splitlines()]


def make_reviews(n: int) -> list[str]:
    """``n`` reviews of about ``WORDS`` words: consecutive windows of whole lines of the
    training texts, cycled through when ``n`` is larger than what they hold."""
    windows = []
    for text in training_texts():
        lines: list[str] = []
        words = 0
        for line in text.splitlines():
            lines.append(line)
            words += len(line.split())
            if words >= WORDS:
                windows.append("\n".join(lines))
                lines, words = [], 0
    return [windows[i % len(windows)] for i in range(n)]


def _latencies(fn: Callable[[str], object], reviews: list[str], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        for review in reviews:
            start = time.perf_counter()
            fn(review)
            times.append(time.perf_counter() - start)
    return sorted(times)


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
        start = time.process_time()
        fn(text)
        times.append(time.process_time() - start)
    return statistics.median(times)


def _as_weaknesses(text: str) -> object:
    return analyze_review(weaknesses=text)


def reference_workload() -> int:
    """A fixed amount of pure-Python work (about 10-15 ms on the machines used so far)."""
    total = 0
    for i in range(300_000):
        total += i * i % 7
    return total


def _reference(repeats: int) -> str:
    times = []
    for _ in range(max(repeats, 5)):
        start = time.process_time()
        reference_workload()
        times.append(time.process_time() - start)
    low, middle, high = min(times), statistics.median(times), max(times)
    return f"median {1000 * middle:.1f} ms (min {1000 * low:.1f}, max {1000 * high:.1f})"


def pathological(repeats: int, size: int = PATHOLOGICAL_SIZE, target_ms: float = TARGET_MS) -> bool:
    """Print the median time of each entry point on each pathological text, and the worst;
    return True when the worst is within ``target_ms``."""
    print(
        f"Pathological texts of {size:,} characters, median CPU time of {repeats} repeats "
        "(analyze_review: the text as the weaknesses field)"
    )
    print(f"Reference workload at the start: {_reference(repeats)}")
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
    print(f"Reference workload at the end: {_reference(repeats)}")
    within = 1000 * worst[0] <= target_ms
    print(
        f"Worst: {1000 * worst[0]:.1f} ms, {worst[2]} on {worst[1]}; "
        f"target {target_ms:.0f} ms: {'met' if within else 'MISSED'}"
    )
    return within


def main() -> int:
    """Print the medians as Markdown tables; exit status 1 when the worst pathological text
    takes longer than the target, else 0."""
    parser = argparse.ArgumentParser(prog="python bench/reviews.py")
    parser.add_argument("--reviews", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", choices=("reviews", "pathological"))
    parser.add_argument("--size", type=int, default=PATHOLOGICAL_SIZE, help="pathological texts")
    parser.add_argument("--target-ms", type=float, default=TARGET_MS, help="worst case allowed")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}, one process, one thread")
    if args.only != "pathological":
        texts = training_texts()
        rate = _per_second(analyze, texts, args.repeats)
        words = statistics.median(len(t.split()) for t in texts)
        print(f"The {len(texts)} training reviews (median {words:.0f} words), analyze(text):")
        print(f"{rate:,.0f} reviews/s (median of {args.repeats} repeats); target 1,000")
        print()
        reviews = make_reviews(args.reviews)
        words = statistics.median(len(r.split()) for r in reviews)
        print(f"{args.reviews} reviews, median {words:.0f} words, median of {args.repeats} repeats")
        print()
        print("| entry point | reviews/s | ms/review | p50 ms | p99 ms (target 5) | max ms |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for name, fn in (("analyze(text)", analyze), ("analyze_review(4 fields)", _as_form)):
            rate = _per_second(fn, reviews, args.repeats)
            times = _latencies(fn, reviews, args.repeats)
            p50, p99 = times[len(times) // 2], times[int(0.99 * (len(times) - 1))]
            print(
                f"| {name} | {rate:,.0f} | {1000 / rate:.2f} | {1000 * p50:.2f} "
                f"| {1000 * p99:.2f} | {1000 * times[-1]:.2f} |"
            )
    if args.only != "reviews":
        print()
        if not pathological(args.repeats, args.size, args.target_ms):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
