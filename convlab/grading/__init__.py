"""Grading of convlab submissions: the check-suite format, the engine, feedback and results.

Pure (no Django). ``load_assignment(slug)`` gives an ``Assignment``; ``grade(assignment,
source)`` runs the student's file in the sandbox and returns a ``GradingResult``;
``to_gradescope`` and ``render_text`` present it.
"""

from __future__ import annotations

from convlab.grading.engine import grade
from convlab.grading.results import CheckResult, GradingResult, render_text, to_gradescope
from convlab.grading.suite import (
    Assignment,
    Case,
    Check,
    Function,
    Variant,
    available_assignments,
    load_assignment,
)

__all__ = [
    "Assignment",
    "Case",
    "Check",
    "CheckResult",
    "Function",
    "GradingResult",
    "Variant",
    "available_assignments",
    "grade",
    "load_assignment",
    "render_text",
    "to_gradescope",
]
