"""Grading of convlab submissions: the check-suite format, the engine, feedback and results.

Pure (no Django). ``load_assignment(slug)`` gives an ``Assignment``; ``grade(assignment,
source)`` runs the student's file in the sandbox and returns a ``GradingResult``;
``to_gradescope`` and ``render_text`` present it.
"""

from __future__ import annotations

from convlab.grading.engine import grade
from convlab.grading.results import CheckResult, GradingResult, render_text, to_gradescope
from convlab.grading.suite import (
    Arg,
    Assignment,
    Call,
    Case,
    Check,
    Function,
    Result,
    SuiteError,
    Variant,
    available_assignments,
    load_assignment,
    load_source,
    suite_file,
)

__all__ = [
    "Arg",
    "Assignment",
    "Call",
    "Case",
    "Check",
    "CheckResult",
    "Function",
    "GradingResult",
    "Result",
    "SuiteError",
    "Variant",
    "available_assignments",
    "grade",
    "load_assignment",
    "load_source",
    "render_text",
    "suite_file",
    "to_gradescope",
]
