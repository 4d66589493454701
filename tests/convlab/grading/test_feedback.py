"""Feedback that never cries wolf: names only what matches everywhere, each explanation once,
heatmaps of what is outside the tolerance, and the numpy version where an old name fails."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from convlab.grading import Case, Check, Variant, grade, load_assignment
from convlab.grading.feedback import CRASHES, Verdict, compare, explain_error, named_diagnoses
from convlab.suites import transposed_convolutions as suite

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = (ROOT / "demo" / "solutions" / "transposed_convolutions.py").read_text()
ASSIGNMENT = load_assignment("transposed-convolutions")


def _double(x: np.ndarray, k: int = 0) -> np.ndarray:
    return 2 * x


def _cases(_: np.random.Generator) -> list[Case]:
    return [Case((np.full((2, 2), float(i + 1)),), {"k": i}, f"case {i}") for i in range(1, 4)]


PLUS_ONE = Variant("plus one", "add nothing.", lambda c: c.args[0] * 2 + 1)
ONLY_K1 = Variant("only k=1", "k=1 is special.", lambda c: c.args[0] * 3 if c.kwargs["k"] == 1
                  else None)  # fmt: skip
CRASHES_K3 = Variant("k=3 crashes", "k=3 is special.", lambda c: CRASHES if c.kwargs["k"] == 3
                     else None)  # fmt: skip
CHECK = Check("doubles", "f", 1, _cases, _double, variants=(PLUS_ONE, ONLY_K1, CRASHES_K3))


def _judged(outputs: Sequence[np.ndarray | None]) -> list[tuple[Case, Verdict]]:
    judged = []
    for case, out in zip(_cases(np.random.default_rng()), outputs, strict=True):
        expected = (CHECK.expected(case),)
        verdict = (
            Verdict(False, "Traceback: boom") if out is None else compare(CHECK, case, expected,
                                                                          (out,))
        )  # fmt: skip
        judged.append((case, verdict))
    return judged


def test_a_variant_is_named_when_it_matches_every_failing_case_it_claims() -> None:
    x = [np.full((2, 2), float(i + 1)) for i in (1, 2, 3)]
    assert named_diagnoses(CHECK, _judged([2 * v + 1 for v in x])) == ("plus one",)
    # It matches two failing cases but not the third, which it also claims: not named.
    mixed = [2 * x[0] + 1, 2 * x[1] + 1, 2 * x[2] + 7]
    assert named_diagnoses(CHECK, _judged(mixed)) == ()
    # A variant that claims only k=1 is named from that case alone.
    assert named_diagnoses(CHECK, _judged([3 * x[0], 2 * x[1], 2 * x[2]])) == ("only k=1",)


def test_a_crash_is_named_only_when_exactly_the_claimed_cases_crash() -> None:
    x = [np.full((2, 2), float(i + 1)) for i in (1, 2, 3)]
    assert named_diagnoses(CHECK, _judged([2 * x[0], 2 * x[1], None])) == ("k=3 crashes",)
    assert named_diagnoses(CHECK, _judged([None, 2 * x[1], None])) == ()  # crashes elsewhere too
    assert named_diagnoses(CHECK, _judged([None, None, None])) == ()  # nothing ever worked
    assert named_diagnoses(CHECK, _judged([2 * x[0], 2 * x[1], 2 * x[2]])) == ()


def test_each_explanation_appears_once_per_check() -> None:
    bug = "\n_c2 = conv2d\ndef conv2d(x, w, *a, **k):\n"
    bug += "    return _c2(x, w[..., ::-1, ::-1], *a, **k)\n"
    result = grade(ASSIGNMENT, REFERENCE + bug)
    check = next(t for t in result.tests if t.name == "conv2d")
    assert check.diagnoses == (suite.FLIPPED,)
    assert check.output.count(suite.EXPLAIN[suite.FLIPPED]) == 1, check.output
    assert check.output.count("cases passed") == 1
    assert "0 of 4 cases passed" in check.output


def test_a_student_who_crashes_on_groups_is_told_groups_are_ignored() -> None:
    bug = """
def conv1d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    k = w.shape[2]
    out = (xp.shape[2] - dilation * (k - 1) - 1) // stride + 1
    y = np.zeros((x.shape[0], w.shape[0], out))
    for t in range(k):
        window = xp[:, :, t * dilation : t * dilation + (out - 1) * stride + 1 : stride]
        y += np.einsum("ncl,oc->nol", window, w[:, :, t])
    return y if b is None else y + b[None, :, None]
"""
    check = next(t for t in grade(ASSIGNMENT, REFERENCE + bug).tests if t.name == "conv1d")
    assert "ValueError" in check.output  # einsum's shapes disagree once groups > 1
    assert check.diagnoses == (suite.GROUPS,)
    assert check.output.count(suite.EXPLAIN[suite.GROUPS]) == 1


def test_the_correct_solution_gets_no_named_misconception() -> None:
    result = grade(ASSIGNMENT, REFERENCE)
    assert all(t.diagnoses == () for t in result.tests)
    assert "Likely mistake" not in "".join(t.output for t in result.tests)


def _heatmap_cells(png: bytes, rows: int, cols: int) -> np.ndarray:
    """Which cells of the heatmap's grid are tinted (the grid sits above a 70-pixel legend)."""
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    cell = max(4, min(32, 320 // max(rows, cols)))
    top = image.shape[0] - 80 - rows * cell
    centres = image[top + cell // 2 :: cell, 10 + cell // 2 :: cell][:rows, :cols]
    tinted: np.ndarray = np.any(centres != 255, axis=-1)
    return tinted


def test_the_heatmap_marks_only_values_outside_the_tolerance() -> None:
    check = next(c for c in ASSIGNMENT.checks if c.name == "conv2d")
    rng = np.random.default_rng(5)
    expected = rng.standard_normal((8, 8))
    got = expected + 5e-15 * rng.standard_normal((8, 8))  # floating noise everywhere
    wrong = np.zeros((8, 8), dtype=bool)
    wrong.flat[rng.choice(64, 15, replace=False)] = True
    got[wrong] += 0.5
    case = Case((), {}, "x=(1, 1, 8, 8), stride=1")
    verdict = compare(check, case, (expected,), (got,))
    assert "15 of 64 values are wrong" in verdict.message
    assert verdict.heatmap is not None
    tinted = _heatmap_cells(verdict.heatmap, 8, 8)
    assert tinted.sum() == 15
    assert np.array_equal(tinted, wrong)
    image = Image.open(io.BytesIO(verdict.heatmap))
    assert image.height > 8 * 32 + 80  # the case's label and shape above, the legend below


@pytest.mark.parametrize(
    ("name", "modern"),
    [("int", "use int or np.int64"), ("float", "use float or np.float64"),
     ("product", "use np.prod")],
)  # fmt: skip
def test_a_removed_numpy_name_is_explained_with_the_version(name: str, modern: str) -> None:
    message = f"Traceback:\nAttributeError: module 'numpy' has no attribute '{name}'. More."
    explained = explain_error(message, ("numpy",))
    version = ".".join(np.__version__.split(".")[:2])
    assert f"np.{name} was removed in NumPy" in explained
    assert modern in explained
    assert f"the grader runs numpy {version}" in explained
    assert "may import: numpy" in explained
    assert explain_error("ValueError: shapes", ("numpy",)) == "ValueError: shapes"


@pytest.mark.usefixtures("sandboxed")
@pytest.mark.parametrize(
    ("where", "check_name"),
    [("def overlap_map(kernel_size, stride, input_size):\n", "overlap_map"),
     ("import numpy as np\n", "conv_matrix: the slides' matrices")],
)  # fmt: skip
def test_2017_code_using_np_int_is_told_the_numpy_version_in_its_first_error(
    where: str, check_name: str
) -> None:
    indent = "    " if where.startswith("def") else ""
    source = REFERENCE.replace(where, f"{where}{indent}_ = np.zeros(3, dtype=np.int)\n", 1)
    result = grade(ASSIGNMENT, source)
    check = next(t for t in result.tests if t.name == check_name)
    version = ".".join(np.__version__.split(".")[:2])
    first = check.output.split("\n- case ")[1]
    assert "np.int was removed in NumPy 1.24; use int or np.int64" in first
    assert f"the grader runs numpy {version}" in first


def test_a_channels_last_output_is_an_axes_problem_not_an_output_size_one() -> None:
    check = next(c for c in ASSIGNMENT.checks if c.name == "conv2d")
    case = ASSIGNMENT.cases(check)[1]
    expected = (check.expected(case),)
    verdict = compare(check, case, expected, (np.moveaxis(expected[0], 1, -1).copy(),))
    assert "The sizes are right but the axes are in another order." in verdict.message
    assert "output-size formula" not in verdict.message
    assert verdict.matched == (suite.AXES,)
    assert named_diagnoses(check, [(case, verdict)]) == (suite.AXES,)
