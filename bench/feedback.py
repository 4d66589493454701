"""Benchmark of convlab's feedback on the held-out student bugs (not a test: nothing here
asserts a time).

Run from the repository root as root with bubblewrap installed: ``python bench/feedback.py``.
Grades every file of tests/convlab/heldout_bugs/ on the built-in suite (seed 0) and prints, per
file, the misconception it holds and those the feedback named, the share of files that lose
points whose misconception is named, and the p50/max time of the ``check`` phase (comparing,
diagnosing, drawing the heatmap) and of the ``run`` phase. The figures in
docs/convlab-feedback.md come from this script.
"""

from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convlab.grading import grade, load_assignment  # noqa: E402 - after the sys.path line

FOLDER = ROOT / "tests" / "convlab" / "heldout_bugs"


def main() -> None:
    assignment = load_assignment("transposed-convolutions")
    check_times, run_times = [], []
    lost = right = other = 0
    for path in sorted(FOLDER.glob("*.py")):
        source = path.read_text()
        found = re.search(r"^# expected: (.+)$", source, re.MULTILINE)
        expected = found.group(1) if found else "?"
        result = grade(assignment, source)
        check_times.append(result.timings["check"])
        run_times.append(result.timings["run"])
        named = sorted({name for test in result.tests for name in test.diagnoses})
        if expected != "none" and result.score is not None and result.score < result.max_score:
            lost += 1
            right += expected in named
        other += len([n for n in named if n != expected])
        print(f"{path.stem:42} {result.score:6g}  expected {expected!r}, named {named}")
    share = right / max(lost, 1)
    print(f"\nright misconception named: {right} of {lost} files that lose points ({share:.0%}); "
          f"names of misconceptions a file does not hold: {other}")  # fmt: skip
    for phase, times in (("check", check_times), ("run", run_times)):
        print(f"{phase} phase: p50 {statistics.median(times) * 1e3:.1f} ms, "
              f"max {max(times) * 1e3:.1f} ms over {len(times)} files")  # fmt: skip


if __name__ == "__main__":
    main()
