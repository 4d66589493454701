"""A tiny course suite: scale(x, k) -> x * k."""

import numpy as np

from convlab.grading import Assignment, Case, Check, Function, Variant


def _cases(rng):
    return [Case((rng.standard_normal((3, 4)), float(k)), {}, f"k={k}") for k in (2, 3)]


ASSIGNMENT = Assignment(
    slug="scale",
    title="Scaling",
    functions=(Function("scale", "scale(x, k)", "x times k"),),
    checks=(
        Check(
            name="scale",
            function="scale",
            points=10,
            generate=_cases,
            reference=lambda x, k: np.multiply(x, k),
            variants=(Variant("added", "Scaling multiplies.", lambda c: c.args[0] + c.args[1]),),
        ),
    ),
    handout="Write scale(x, k).",
    solution="def scale(x, k):\n    return x * k\n",
)
