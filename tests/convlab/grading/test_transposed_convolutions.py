"""The built-in suite: full marks for a right solution, and each misconception named."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from convlab.grading import CheckResult, GradingResult, grade, load_assignment, to_gradescope
from convlab.suites import transposed_convolutions as suite
from demo.seed import OVERLAP_BUG

pytestmark = pytest.mark.usefixtures("sandboxed")

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = (ROOT / "demo" / "solutions" / "transposed_convolutions.py").read_text()
ASSIGNMENT = load_assignment("transposed-convolutions")

BUGS = {
    # The demo submits this misconception too (demo/seed.py): one copy of its source.
    suite.OVERLAP: ("conv_transpose2d", OVERLAP_BUG.decode()),
    suite.CROP: (
        "conv_transpose1d",
        """
def conv_transpose1d(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    y = _full_transpose(x, w, stride, dilation, groups, 1, (output_padding,))
    n = y.shape[2] - 2 * padding
    y = y[:, :, padding + 1:padding + 1 + n]
    return y if b is None else y + b.reshape(1, -1, 1)
""",
    ),
    suite.FLIPPED: (
        "conv2d",
        """
def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(x, np.flip(w, axis=(2, 3)), b, stride, padding, dilation, groups, 2)
""",
    ),
    suite.LAYOUT: (
        "conv_transpose2d",
        """
def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    a = w.shape[0] // groups
    if a == w.shape[1]:
        w = w.reshape(groups, a, a, *w.shape[2:]).swapaxes(1, 2).reshape(w.shape)
    return _conv_transpose(x, w, b, stride, padding, output_padding, dilation, groups, 2)
""",
    ),
    suite.OUTPUT_PADDING: (
        "conv_transpose1d",
        """
def conv_transpose1d(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    y = _conv_transpose(x, w, None, stride, padding, 0, dilation, groups, 1)
    y = np.pad(y, [(0, 0), (0, 0), (0, output_padding)])
    return y if b is None else y + b.reshape(1, -1, 1)
""",
    ),
    suite.GROUPS: (
        "conv1d",
        """
def conv1d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    first = x[:, : x.shape[1] // groups]
    x = np.concatenate([first] * groups, axis=1)
    return _conv(x, w, b, stride, padding, dilation, groups, 1)
""",
    ),
    suite.BIAS: (
        "conv2d",
        """
def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(x, w, None, stride, padding, dilation, groups, 2)
""",
    ),
}


def _check(result: GradingResult, function: str) -> CheckResult:
    names = [c.name for c in ASSIGNMENT.checks if c.function == function]
    return next(t for t in result.tests if t.name == names[0])


def test_it_gives_the_reference_solution_full_marks() -> None:
    result = grade(ASSIGNMENT, REFERENCE)
    assert result.gradable
    assert result.score == result.max_score == 100
    assert all(t.status == "passed" for t in result.tests)


@pytest.mark.parametrize("misconception", list(BUGS))
def test_it_names_each_misconception(misconception: str) -> None:
    function, bug = BUGS[misconception]
    result = grade(ASSIGNMENT, REFERENCE + bug)
    check = _check(result, function)
    assert check.status == "failed"
    assert misconception in check.diagnoses, check.output
    assert misconception in check.output
    checked = {c.name for c in ASSIGNMENT.checks if c.function == function}
    others = [t for t in result.tests if t.name not in checked]
    assert sum(t.score for t in others) > 0  # partial credit for the rest


def test_it_draws_a_heatmap_of_a_wrong_2d_output() -> None:
    result = grade(ASSIGNMENT, REFERENCE + BUGS[suite.BIAS][1])
    check = _check(result, "conv2d")
    assert check.heatmaps
    assert check.heatmaps[0].startswith(b"\x89PNG")
    exported = to_gradescope(result)["tests"][ASSIGNMENT.checks.index(
        next(c for c in ASSIGNMENT.checks if c.name == check.name))]  # fmt: skip
    assert exported["extra_data"]["heatmaps_png_base64"]


def test_it_explains_a_wrong_shape_with_both_shapes() -> None:
    bug = "\n_c2 = conv2d\ndef conv2d(*a, **k):\n    return _c2(*a, **k)[:, :, :-1]\n"
    check = _check(grade(ASSIGNMENT, REFERENCE + bug), "conv2d")
    assert "has shape (2, 1, 3, 4), expected (2, 1, 4, 4)" in check.output


def test_it_explains_a_wrong_dtype() -> None:
    bug = "\n_c1 = conv1d\ndef conv1d(*a, **k):\n    return _c1(*a, **k).astype(np.float32)\n"
    check = _check(grade(ASSIGNMENT, REFERENCE + bug), "conv1d")
    assert "dtype float32, expected float64" in check.output


def test_it_writes_gradescope_results_with_gradable_and_timings() -> None:
    data = to_gradescope(grade(ASSIGNMENT, REFERENCE))
    assert {"score", "max_score", "execution_time", "output", "stdout_visibility", "tests"} <= set(
        data
    )
    assert data["gradable"] is True
    assert set(data["timings"]) == {"prepare", "run", "check"}
    visibilities = {t["visibility"] for t in data["tests"]}
    assert visibilities == {"visible", "hidden", "after_due_date"}
    for test in data["tests"]:
        assert {"name", "score", "max_score", "output", "visibility", "status"} <= set(test)


def test_it_grades_a_file_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "solution.py"
    path.write_text(REFERENCE)
    command = [sys.executable, "manage.py", "convlab_grade", "transposed-convolutions",
               str(path), "--json"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == 100


def test_it_has_a_handout_for_every_function() -> None:
    for function in ASSIGNMENT.functions:
        assert f"`{function.name}(" in ASSIGNMENT.handout
