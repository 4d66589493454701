"""The check-suite format: an assignment is a Python module with an ``ASSIGNMENT`` attribute.

An ``Assignment`` declares the functions the student implements (name, signature, summary),
a handout in Markdown, the packages the sandbox may import, resource limits, and its checks.
A ``Check`` calls one student function on cases drawn by a seeded generator, compares every
output with the reference's (outside the sandbox) within a tolerance, optionally within a time
budget relative to the reference, and names a misconception (``Variant``) when a wrong output
matches a known-wrong implementation.

A check may call the student's functions in a declared sequence inside the sandbox (``calls``:
``Call`` steps whose arguments are the case's (``Arg``) or earlier steps' results (``Result``),
and ``returns``: which values are compared), for example forward then backward with the forward's
cache, or only ``[0]`` of a returned ``(out, cache)`` tuple. These are data, never code: the
sandbox runs nothing of the suite's.

Built-in suites live in ``convlab.suites``; a course adds its own as ``<slug>.py`` files (slug
with ``-`` written ``_``) in a directory passed to ``load_assignment``. docs/suites.md tells how
to write one; ``convlab.grading.selftest`` checks one.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from convlab.sandbox import Limits

__all__ = [
    "Arg",
    "Assignment",
    "Call",
    "Case",
    "Check",
    "Function",
    "Result",
    "SuiteError",
    "Variant",
    "Visibility",
    "available_assignments",
    "load_assignment",
    "load_source",
    "suite_file",
]

Visibility = Literal["visible", "hidden", "after_due"]
Outputs = tuple[np.ndarray[Any, Any], ...]
_HERE = str(Path(__file__))


class SuiteError(Exception):
    """A check suite that cannot grade: the suite's fault, never the student's."""


def _defined_at() -> str:
    """Where the suite wrote the object being built: "file, line N" of the first frame outside
    this module and the dataclass machinery (empty when there is none)."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if name != _HERE and not name.endswith(("dataclasses.py", "<string>")):
            return f"{name}, line {frame.f_lineno}"
        frame = frame.f_back  # type: ignore[assignment]
    return ""


@dataclass(frozen=True)
class Arg:
    """In a ``Call`` or a check's ``returns``: the case's positional argument ``key`` (an int)
    or its keyword argument ``key`` (a str)."""

    key: int | str


@dataclass(frozen=True, init=False)
class Result:
    """In a ``Call`` or a check's ``returns``: what call number ``call`` (0 is the first)
    returned, then indexed by each of ``index`` in turn (``Result(0, 0)`` is ``out`` of a
    returned ``(out, cache)``; ``Result(0, (1, "x"))`` is ``cache[1]["x"]``)."""

    call: int
    index: tuple[int | str, ...]

    def __init__(self, call: int, index: int | str | tuple[int | str, ...] = ()) -> None:
        object.__setattr__(self, "call", call)
        object.__setattr__(
            self, "index", (index,) if isinstance(index, int | str) else tuple(index)
        )


Ref = Arg | Result


@dataclass(frozen=True)
class Call:
    """One call of a student function inside the sandbox, in a check's ``calls``."""

    function: str
    args: tuple[Ref, ...] = ()
    kwargs: Mapping[str, Ref] = field(default_factory=dict)
    defined_at: str = field(default="", init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "args", tuple(self.args))
        object.__setattr__(self, "defined_at", _defined_at())


@dataclass(frozen=True)
class Case:
    """One call of a student function: positional and keyword arguments (arrays or JSON values).

    ``label`` describes the case to the student ("stride=2, padding=1, groups=2"); ``extra``
    holds values the grader needs outside the sandbox (a vector for a transform).
    """

    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    label: str
    extra: Mapping[str, Any] = field(default_factory=dict)  # for transforms; never sent


@dataclass(frozen=True)
class Variant:
    """A known-wrong implementation: what a student with a given misconception would compute.

    ``compute(case)`` returns the wrong output(s) for the case, or None when the misconception
    cannot show on it (for example "groups ignored" when groups == 1). ``explanation`` is one
    line tied to the lecture's idea.
    """

    name: str
    explanation: str
    compute: Callable[[Case], Any]
    defined_at: str = field(default="", init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "defined_at", _defined_at())


@dataclass(frozen=True)
class Check:
    """A graded test of one student function.

    ``generate(rng)`` draws the cases; ``reference(*case.args, **case.kwargs)`` gives the
    expected output (an array or a tuple of arrays named by ``output_names``). ``transform``,
    when set, maps the student's outputs before the comparison (for example X -> X.T @ a to
    check a matrix through what it does); ``case_reference(case)``, when set, replaces
    ``reference`` for checks whose expected value needs ``case.extra``. ``time_budget`` is a
    multiple of the reference's time for all the check's cases together, measured from outside
    the student's process (None: no budget).

    ``calls`` (default: one call of ``function`` with the case's arguments) is the sequence of
    student calls the sandbox makes for each case, and ``returns`` (default: everything the last
    call returned) the values sent back and compared with the reference's outputs.
    """

    name: str
    function: str
    points: float
    generate: Callable[[np.random.Generator], Sequence[Case]]
    reference: Callable[..., Any]
    visibility: Visibility = "visible"
    rtol: float = 1e-6
    atol: float = 1e-9
    time_budget: float | None = None
    seed: int = 0
    variants: Sequence[Variant] = ()
    output_names: tuple[str, ...] = ()
    transform: Callable[[Case, Outputs], Outputs] | None = None
    case_reference: Callable[[Case], Any] | None = None
    calls: tuple[Call, ...] = ()
    returns: tuple[Ref, ...] = ()
    defined_at: str = field(default="", init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "calls", tuple(self.calls))
        object.__setattr__(self, "returns", tuple(self.returns))
        object.__setattr__(self, "defined_at", _defined_at())

    @property
    def functions(self) -> tuple[str, ...]:
        """The student functions the check calls (``function`` first)."""
        return tuple(dict.fromkeys([self.function, *(call.function for call in self.calls)]))

    def expected(self, case: Case) -> Any:
        """The reference output(s) for ``case`` (``case_reference`` wins when set)."""
        if self.case_reference is not None:
            return self.case_reference(case)
        return self.reference(*case.args, **dict(case.kwargs))


@dataclass(frozen=True)
class Function:
    """A function the student implements: ``signature`` as the handout writes it."""

    name: str
    signature: str
    summary: str


@dataclass(frozen=True)
class Assignment:
    """A complete assignment: what to implement, how it is checked, in what sandbox."""

    slug: str
    title: str
    functions: tuple[Function, ...]
    checks: tuple[Check, ...]
    handout: str
    packages: tuple[str, ...] = ("numpy",)
    limits: Limits = field(default_factory=lambda: Limits(cpu_seconds=10, wall_seconds=20))
    # The text of a correct student file: the self-test grades it and wants full marks.
    solution: str | None = None
    defined_at: str = field(default="", init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "defined_at", _defined_at())

    @property
    def max_score(self) -> float:
        return float(sum(check.points for check in self.checks))

    @property
    def supports_gpu(self) -> bool:
        """Whether the suite may use a GPU: only one whose sandbox imports a GPU array
        package gains anything from a GPU worker (a NumPy-only suite would just wait for one)."""
        return any(package.split(".")[0] in GPU_PACKAGES for package in self.packages)

    def cases(self, check: Check, seed: int = 0) -> list[Case]:
        """The cases of ``check`` for a grading seeded by ``seed`` (same seed, same cases)."""
        return list(check.generate(np.random.default_rng([check.seed, seed])))


# Array packages that run on a GPU: a suite importing one of them may be graded on a GPU worker.
GPU_PACKAGES = frozenset({"cupy", "torch", "jax"})

BUILTIN = {"transposed-convolutions": "convlab.suites.transposed_convolutions"}


def _module_name(slug: str) -> str:
    return slug.replace("-", "_")


def available_assignments(extra_dir: Path | None = None) -> list[str]:
    """Slugs of the built-in assignments and of those in ``extra_dir``."""
    slugs = set(BUILTIN)
    if extra_dir is not None and extra_dir.is_dir():
        slugs |= {p.stem.replace("_", "-") for p in extra_dir.glob("*.py") if p.stem[0] != "_"}
    return sorted(slugs)


def suite_file(slug: str, extra_dir: Path | None = None) -> Path | None:
    """The file that defines the suite ``slug`` (None when there is no such suite)."""
    if slug in BUILTIN:
        spec = importlib.util.find_spec(BUILTIN[slug])
        return Path(spec.origin) if spec is not None and spec.origin else None
    path = extra_dir / f"{_module_name(slug)}.py" if extra_dir is not None else None
    return path if path is not None and path.is_file() else None


def load_source(source: str, filename: str) -> Assignment:
    """The assignment defined by a suite's text (an uploaded suite, see docs/suites.md), run as a
    module whose tracebacks name ``filename``. Raises what the text raises (``SyntaxError``
    first), and ``TypeError`` when it defines no ``ASSIGNMENT`` of type ``Assignment``."""
    code = compile(source, filename, "exec", dont_inherit=True)
    name = "convlab_uploaded_suites." + "".join(c if c.isalnum() else "_" for c in filename)
    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module  # dataclasses and pickling look the module up while it runs
    try:
        exec(code, module.__dict__)  # noqa: S102 - an instructor's suite, see docs/suites.md
    finally:
        sys.modules.pop(name, None)
    assignment = module.__dict__.get("ASSIGNMENT")
    if not isinstance(assignment, Assignment):
        raise TypeError(f"{filename} has no ASSIGNMENT of type Assignment")
    return assignment


def load_assignment(slug: str, extra_dir: Path | None = None) -> Assignment:
    """The assignment named ``slug``: built in, else ``<extra_dir>/<slug with _>.py``.

    Raises ``LookupError`` when there is no such assignment, and ``TypeError`` when the module
    has no ``ASSIGNMENT`` of type ``Assignment``.
    """
    if slug in BUILTIN:
        module = importlib.import_module(BUILTIN[slug])
    else:
        path = extra_dir / f"{_module_name(slug)}.py" if extra_dir is not None else None
        if path is None or not path.is_file():
            known = ", ".join(available_assignments(extra_dir))
            raise LookupError(f"no assignment {slug!r} (known: {known})")
        name = f"convlab_course_suites.{_module_name(slug)}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise LookupError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    assignment = getattr(module, "ASSIGNMENT", None)
    if not isinstance(assignment, Assignment):
        raise TypeError(f"{module.__name__} has no ASSIGNMENT of type Assignment")
    return assignment
