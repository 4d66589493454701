"""Grading results, as plain values and in Gradescope's results.json schema.

A result is ``gradable`` unless the grader itself failed (sandbox missing or broken, a bug in
a suite): such a result has no score at all, so it can never be recorded as a zero.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from convlab.grading.suite import Visibility

__all__ = ["CheckResult", "GradingResult", "render_text", "to_gradescope"]

_GRADESCOPE_VISIBILITY = {"visible": "visible", "hidden": "hidden", "after_due": "after_due_date"}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: ``diagnoses`` names the misconceptions recognised."""

    name: str
    score: float
    max_score: float
    output: str
    visibility: Visibility
    passed_cases: int
    total_cases: int
    diagnoses: tuple[str, ...] = ()
    heatmaps: tuple[bytes, ...] = ()

    @property
    def status(self) -> str:
        return "passed" if self.score >= self.max_score else "failed"


@dataclass(frozen=True)
class GradingResult:
    """A whole grading. ``score`` is None exactly when ``gradable`` is false."""

    assignment: str
    gradable: bool
    score: float | None
    max_score: float
    output: str
    tests: tuple[CheckResult, ...]
    stdout: str = ""
    execution_time: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    outcomes: tuple[str, ...] = ()  # the sandbox outcome of each process run
    sandboxed: bool = True


def to_gradescope(result: GradingResult) -> dict[str, Any]:
    """The result as Gradescope's results.json, plus ``max_score``, ``gradable``, ``timings``.

    Heatmaps travel as base64 PNGs in each test's ``extra_data``.
    """
    tests = []
    for number, test in enumerate(result.tests, start=1):
        entry: dict[str, Any] = {
            "name": test.name,
            "number": str(number),
            "score": test.score,
            "max_score": test.max_score,
            "output": test.output,
            "visibility": _GRADESCOPE_VISIBILITY[test.visibility],
            "status": test.status,
            "tags": list(test.diagnoses),
        }
        if test.heatmaps:
            entry["extra_data"] = {
                "heatmaps_png_base64": [base64.b64encode(h).decode() for h in test.heatmaps]
            }
        tests.append(entry)
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": round(result.execution_time, 3),
        "output": result.output,
        "stdout_visibility": "visible",
        "visibility": "visible",
        "tests": tests,
        "gradable": result.gradable,
        "timings": {k: round(v, 4) for k, v in result.timings.items()},
        "extra_data": {
            "gradable": result.gradable,
            "outcomes": list(result.outcomes),
            "sandboxed": result.sandboxed,
            "stdout": result.stdout,
        },
    }


def render_text(result: GradingResult) -> str:
    """The feedback as a student reads it in a terminal."""
    lines = [f"{result.assignment}: {result.output}"]
    if result.gradable:
        lines[0] += f"  Score: {result.score:g} / {result.max_score:g}"
    for test in result.tests:
        mark = "PASS" if test.status == "passed" else "FAIL"
        hidden = "" if test.visibility == "visible" else f" [{test.visibility}]"
        lines.append(f"[{mark}] {test.name}{hidden}: {test.score:g} / {test.max_score:g}")
        lines += [f"    {line}" for line in test.output.splitlines()]
    if result.stdout.strip():
        lines += ["", "Your code printed:", result.stdout.rstrip()]
    return "\n".join(lines)
