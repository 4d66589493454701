"""A tiny assignment with short limits, for hostile submissions."""

from __future__ import annotations

import numpy as np
import pytest

from convlab.grading import Assignment, Case, Check, Function
from convlab.sandbox import Limits, bwrap_path
from tests.conftest import require


def _cases(rng: np.random.Generator) -> list[Case]:
    return [Case((rng.standard_normal((2, 3)),), {}, "x=(2, 3)") for _ in range(2)]


TINY = Assignment(
    slug="tiny",
    title="Tiny",
    functions=(Function("f", "f(x)", "2x"), Function("g", "g(x)", "x + 1")),
    checks=(
        Check("f doubles", "f", 1, _cases, lambda x: 2 * x),
        Check("g adds one", "g", 1, _cases, lambda x: x + 1),
    ),
    handout="",
    limits=Limits(cpu_seconds=1, wall_seconds=3, memory_bytes=256 << 20, processes=32),
)

GOOD_G = "\ndef g(x):\n    return x + 1\n"


@pytest.fixture
def sandboxed() -> None:
    require(bwrap_path() is not None, "bubblewrap is not installed (apt-get install bubblewrap)")
