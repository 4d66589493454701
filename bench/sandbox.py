"""Benchmark of the convlab sandbox and grading engine (not a test: nothing here asserts a time).

Run from the repository root as root with bubblewrap installed: ``python bench/sandbox.py
[--runs N]``. Prints p50/p95 wall times over N runs of (1) the same Python command run plainly
and in the sandbox, whose difference is the sandbox's start overhead, (2) a full grading of a
correct solution on the built-in "transposed-convolutions" suite, and (3) the throughput of 2
gradings in parallel. The figures in docs/benchmarks.md come from this script.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convlab import sandbox  # noqa: E402 - after the sys.path line: runs from anywhere
from convlab.grading import grade, load_assignment  # noqa: E402

SOLUTION = ROOT / "demo" / "solutions" / "transposed_convolutions.py"


def _times(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm the page cache
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return times


def _p(times: list[float], q: int) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1] * 1e3


def _row(name: str, times: list[float]) -> str:
    return f"| {name} | {_p(times, 50):.1f} | {_p(times, 95):.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    if sandbox.bwrap_path() is None:
        sys.exit("bubblewrap is not installed: nothing to measure")
    view = sandbox.python_view(())
    base = Path(sys.base_prefix) / "bin" / Path(view.argv[0]).name
    plain = [str(base), "-I", "-S", "-B", "-c", "pass"]
    boxed = [*view.argv, "-c", "pass"]
    env = dict(view.env)

    def run_plain() -> object:
        return subprocess.run(plain, check=True)

    def run_boxed() -> object:
        result = sandbox.run(boxed, binds=view.binds, hidden=view.hidden, env=env)
        assert result.outcome is sandbox.Outcome.OK, result
        return result

    def run_true() -> object:
        return sandbox.run(["/usr/bin/true"])

    assignment = load_assignment("transposed-convolutions")
    source = SOLUTION.read_text()

    def run_grade() -> object:
        result = grade(assignment, source)
        assert result.score == result.max_score, result.output
        return result

    print(f"{os.cpu_count()} CPUs, {runs} runs each; wall times in ms\n")
    plain_t, boxed_t, true_t = (_times(f, runs) for f in (run_plain, run_boxed, run_true))
    grade_t = _times(run_grade, runs)
    overhead = [b - p for b, p in zip(sorted(boxed_t), sorted(plain_t), strict=True)]
    print("| what | p50 | p95 |\n|---|---|---|")
    print(_row("python -c pass, plain", plain_t))
    print(_row("python -c pass, sandboxed", boxed_t))
    print(_row("sandbox start overhead (sandboxed - plain, sorted pairs)", overhead))
    print(_row("empty sandboxed run (/usr/bin/true)", true_t))
    print(_row("full grading, reference solution, built-in suite", grade_t))

    jobs = max(runs // 2, 4) * 2
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda _: run_grade(), range(jobs)))
    elapsed = time.perf_counter() - began
    serial = 1e3 / _p(grade_t, 50)
    print(f"\n2 parallel gradings: {jobs} gradings in {elapsed:.2f} s = "
          f"{jobs / elapsed:.2f} gradings/s (serial at p50: {serial:.2f}/s)")  # fmt: skip


if __name__ == "__main__":
    main()
