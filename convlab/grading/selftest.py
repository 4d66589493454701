"""A check suite's self-test: what must hold before an assignment graded by it may be published.

``self_test_file(path)`` loads a suite file and ``self_test(assignment)`` checks a loaded one:

- the suite loads and has an ``ASSIGNMENT`` (a syntax or import error names its line);
- every check calls functions the assignment declares, with sane points and tolerances, and its
  ``calls``/``returns`` refer to arguments the cases have and to earlier calls;
- every check's cases (seeds 0 and 1) can be drawn, can be sent to the sandbox, and have a
  reference output;
- every named variant is caught by its own check: on at least one case its output fails the
  check and the feedback names that variant (not another one, not nothing);
- the assignment's ``solution``, graded in the real sandbox, gets full marks (with
  ``run_solution``; a suite without one gets a warning).

Each problem names the suite file and line where it can ("path, line N"). Pure (no Django).
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from convlab.grading.engine import _encode_case, _Planned, error_location, grade
from convlab.grading.feedback import (
    CRASHES,
    Alternatives,
    Verdict,
    as_outputs,
    compare,
    named_diagnoses,
)
from convlab.grading.suite import Assignment, Case, Check, load_source

__all__ = ["Problem", "SelfTest", "self_test", "self_test_file"]

SEEDS = (0, 1)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a suite: ``where`` is "file, line N" where known."""

    message: str
    where: str = ""
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        head = f"{self.where}: " if self.where else ""
        return f"{self.severity}: {head}{self.message}"


@dataclass
class SelfTest:
    """The self-test of one suite: ``ok`` when it found no error (warnings allowed)."""

    suite: str
    problems: list[Problem] = field(default_factory=list)
    solution_score: tuple[float, float] | None = None  # (score, max) of the reference solution

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def report(self) -> str:
        lines = [f"Suite {self.suite}: " + ("self-test passed" if self.ok else "self-test FAILED")]
        if self.solution_score is not None:
            lines.append("reference solution: {:g}/{:g}".format(*self.solution_score))
        lines += [f"- {problem}" for problem in self.problems]
        return "\n".join(lines)


def _code_line(function: Callable[..., Any]) -> str:
    code = getattr(function, "__code__", None)
    return f"{code.co_filename}, line {code.co_firstlineno}" if code is not None else ""


def _where(error: BaseException, fallback: str) -> str:
    return error_location(error) or fallback


def _failure(error: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(error), error)).strip()


def self_test_file(path: Path, *, run_solution: bool = True, insecure: bool = False) -> SelfTest:
    """Load the suite file at ``path`` (as ``load_assignment`` would) and self-test it."""
    name = f"convlab_selftest_suites.{path.stem}"
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    except Exception as error:
        where = _where(error, str(path))
        return SelfTest(str(path), [Problem(f"the suite does not load: {_failure(error)}", where)])
    finally:
        sys.modules.pop(name, None)
    assignment = getattr(module, "ASSIGNMENT", None)
    if not isinstance(assignment, Assignment):
        message = "the file has no ASSIGNMENT = Assignment(...)"
        return SelfTest(str(path), [Problem(message, str(path))])
    return self_test(assignment, run_solution=run_solution, insecure=insecure, label=str(path))


def self_test_source(
    source: str, filename: str, *, run_solution: bool = True, insecure: bool = False
) -> SelfTest:
    """Self-test a suite given as text (an upload), its problems located in ``filename``."""
    try:
        assignment = load_source(source, filename)
    except SyntaxError as error:
        where = f"{filename}, line {error.lineno}"
        return SelfTest(filename, [Problem(f"the suite does not load: {_failure(error)}", where)])
    except Exception as error:
        where = _where(error, filename)
        return SelfTest(filename, [Problem(f"the suite does not load: {_failure(error)}", where)])
    return self_test(assignment, run_solution=run_solution, insecure=insecure, label=filename)


def self_test(
    assignment: Assignment,
    *,
    run_solution: bool = True,
    insecure: bool = False,
    label: str | None = None,
) -> SelfTest:
    """Self-test a loaded suite; see the module's docstring for what is checked."""
    result = SelfTest(label or assignment.slug)
    problems = result.problems
    declared = {function.name for function in assignment.functions}
    names = [check.name for check in assignment.checks]
    if not assignment.checks:
        problems.append(Problem("the assignment has no checks", assignment.defined_at))
    for check in assignment.checks:
        if names.count(check.name) > 1:
            problems.append(Problem(f"two checks are named {check.name!r}", check.defined_at))
        _check_structure(check, declared, problems)
    if any(p.severity == "error" for p in problems):
        return result
    for check in assignment.checks:
        _check_cases(assignment, check, problems)
    if not result.ok:
        return result
    if assignment.solution is None:
        problems.append(
            Problem(
                "no reference solution (Assignment(solution=...)): full marks were not checked",
                assignment.defined_at,
                "warning",
            )
        )
    elif run_solution:
        graded = grade(assignment, assignment.solution, insecure=insecure)
        if not graded.gradable:
            problems.append(
                Problem(f"the reference solution: {graded.output}", assignment.defined_at)
            )
        else:
            result.solution_score = (graded.score or 0.0, graded.max_score)
            for test, check in zip(graded.tests, assignment.checks, strict=True):
                if test.score < test.max_score:
                    problems.append(
                        Problem(
                            f"the reference solution scores {test.score:g}/{test.max_score:g} on "
                            f"check {test.name!r}: {test.output}",
                            check.defined_at,
                        )
                    )
    return result


def _check_structure(check: Check, declared: set[str], problems: list[Problem]) -> None:
    where = check.defined_at
    for function in check.functions:
        if function not in declared:
            problems.append(
                Problem(
                    f"check {check.name!r} calls {function!r}, which the assignment's "
                    f"functions do not declare (declared: {', '.join(sorted(declared))})",
                    where,
                )
            )
    if check.points < 0:
        problems.append(Problem(f"check {check.name!r} has negative points", where))
    if check.rtol < 0 or check.atol < 0:
        problems.append(Problem(f"check {check.name!r} has a negative tolerance", where))
    if check.visibility not in ("visible", "hidden", "after_due"):
        problems.append(
            Problem(
                f"check {check.name!r} has visibility {check.visibility!r} (visible, hidden or "
                "after_due)",
                where,
            )
        )
    if check.time_budget is not None and check.time_budget <= 0:
        problems.append(Problem(f"check {check.name!r} has a time budget <= 0", where))
    if check.returns and not check.calls and len(check.functions) != 1:
        problems.append(Problem(f"check {check.name!r}: returns without calls", where))


def _check_cases(assignment: Assignment, check: Check, problems: list[Problem]) -> None:
    cases: list[Case] = []
    for seed in SEEDS:
        try:
            drawn = assignment.cases(check, seed)
        except Exception as error:
            problems.append(
                Problem(
                    f"check {check.name!r}: its cases cannot be drawn: {_failure(error)}",
                    _where(error, _code_line(check.generate)),
                )
            )
            return
        if not drawn:
            problems.append(
                Problem(f"check {check.name!r} has no cases", _code_line(check.generate))
            )
            return
        for case in drawn:
            if not isinstance(case, Case):
                problems.append(
                    Problem(
                        f"check {check.name!r}: its generator returned a {type(case).__name__}, "
                        "not a Case",
                        _code_line(check.generate),
                    )
                )
                return
        cases += drawn
    expected_of: list[tuple[Case, Any]] = []
    for index, case in enumerate(cases):
        try:
            expected = as_outputs(check.expected(case))
        except Exception as error:
            problems.append(
                Problem(
                    f"check {check.name!r}, case {case.label!r}: the reference fails: "
                    f"{_failure(error)}",
                    _where(error, _code_line(check.reference)),
                )
            )
            return
        for array in expected:
            if array.dtype.hasobject or array.dtype.kind not in "biuf":
                problems.append(
                    Problem(
                        f"check {check.name!r}, case {case.label!r}: the reference returns a "
                        f"{array.dtype} value, not a numeric array",
                        _code_line(check.reference),
                    )
                )
                return
        try:
            _encode_case(_Planned(f"self{index}", check, case, expected, 0.0))
        except Exception as error:
            problems.append(
                Problem(
                    f"the case cannot be sent to the sandbox: {error}",
                    _code_line(check.generate),
                )
            )
            return
        expected_of.append((case, expected))
    for variant in check.variants:
        # Judged as the grader judges a student whose code has this mistake: every case, then
        # the check names what `named_diagnoses` names over all of them.
        judged: list[tuple[Case, Verdict]] = []
        shows = False
        for case, expected in expected_of:
            try:
                wrong = variant.compute(case)
                if wrong is None:  # the mistake does not change this case
                    judged.append((case, Verdict(True, compared=True)))
                    continue
                if wrong is CRASHES:
                    shows = True
                    judged.append((case, Verdict(False, "the function raised an error")))
                    continue
                first = wrong.options[0] if isinstance(wrong, Alternatives) else wrong
                verdict = compare(check, case, expected, as_outputs(first))
            except Exception as error:
                problems.append(
                    Problem(
                        f"check {check.name!r}, variant {variant.name!r}, case {case.label!r}: "
                        f"it fails: {_failure(error)}",
                        _where(error, variant.defined_at),
                    )
                )
                break
            shows = shows or not verdict.passed
            judged.append((case, verdict))
        else:
            if not shows:
                problems.append(
                    Problem(
                        f"check {check.name!r}: variant {variant.name!r} never differs from the "
                        "reference on its cases (add a case where the mistake shows)",
                        variant.defined_at,
                    )
                )
                continue
            named = named_diagnoses(check, judged)
            # Caught when the feedback names it first: a variant named after another that
            # matches the same outputs (an earlier one, in the suite's order) is shadowed.
            if not named or named[0] != variant.name:
                others = [name for name in named if name != variant.name]
                problems.append(
                    Problem(
                        f"check {check.name!r}: variant {variant.name!r} fails the check but "
                        f"the feedback names {', '.join(others) or 'no misconception'} instead "
                        "(an earlier variant computes the same thing, or its tolerance is too "
                        "tight)",
                        variant.defined_at,
                    )
                )
