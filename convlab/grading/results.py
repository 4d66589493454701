"""Grading results, as plain values and in Gradescope's results.json schema.

A result is ``gradable`` unless the grader itself failed (sandbox missing or broken, a bug in
a suite): such a result has no score at all, so it can never be recorded as a zero.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from convlab.grading.suite import Visibility

__all__ = ["CheckResult", "GradingResult", "final_gradescope", "render_text", "to_gradescope"]

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


# What a not-gradable submission's results.json says when the grading left no output of its own
# (its result could not be saved, say).
NOT_GRADABLE_OUTPUT = (
    "Not graded: the grader failed on this submission, not your code. This attempt does not "
    "count; course staff have been told."
)


def final_gradescope(
    stored: Mapping[str, Any],
    *,
    gradable: bool,
    score: float | None,
    raw_score: float | None = None,
    late_days: int = 0,
) -> dict[str, Any]:
    """The results.json of a finished submission, valid Gradescope in every state.

    ``stored`` is what the grading kept (``to_gradescope``; empty when the grader produced
    nothing). ``score`` is the submission's score after any late penalty. Whatever is stored,
    the answer has a numeric ``score``, a ``tests`` list and an ``output`` saying what happened:

    - graded: ``score`` is the submission's, and a late one's ``output`` says how it was reduced;
    - not gradable (the grader failed): ``score`` 0 with ``gradable`` false, the checks that did
      run, and an ``output`` that says no attempt was used. Gradescope has no "no score", so a
      bridge must read ``gradable`` and not record that 0 as a grade.
    """
    body = dict(stored)
    tests = body.get("tests")
    body["tests"] = list(tests) if isinstance(tests, list) else []
    output = body.get("output") if isinstance(body.get("output"), str) else ""
    if gradable and score is not None:
        body["score"] = float(score)
        if late_days and raw_score is not None and raw_score != score:
            body["output"] = (
                f"{output}\nSubmitted {late_days} day(s) late: {raw_score:g} points before the "
                f"late penalty, {score:g} after it."
            ).lstrip()
        else:
            body["output"] = output
    else:
        body["score"] = 0.0
        body["output"] = output or NOT_GRADABLE_OUTPUT  # the engine's says why, in these terms
    body["gradable"] = bool(gradable and score is not None)
    extra = body.get("extra_data")
    extra = extra if isinstance(extra, dict) else {}
    body["extra_data"] = {**extra, "gradable": body["gradable"]}
    body.setdefault("visibility", "visible")
    body.setdefault("stdout_visibility", "visible")
    return body


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
