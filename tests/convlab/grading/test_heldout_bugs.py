"""Held-out student bugs: is the right misconception named, and nothing else?

``tests/convlab/heldout_bugs/`` holds whole student-like solution files, each with one bug
(and ``correct.py`` with none), written apart from the suite's own variants: their code is a
student's (loops over taps, ``tensordot``, an explicit matrix), not the variants'. The first
comment of each names the misconception a teacher would name. Each is graded through the real
grading path (the sandbox, the built-in suite, seed 0); the figure printed here is recorded in
docs/convlab-feedback.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from convlab.grading import grade, load_assignment

pytestmark = pytest.mark.usefixtures("sandboxed")

FOLDER = Path(__file__).resolve().parents[1] / "heldout_bugs"
ASSIGNMENT = load_assignment("transposed-convolutions")


def _expected(path: Path) -> str | None:
    found = re.search(r"^# expected: (.+)$", path.read_text(), re.MULTILINE)
    assert found is not None, f"{path.name} does not say which misconception it holds"
    return None if found.group(1) == "none" else found.group(1)


def test_the_held_out_set_covers_every_function_asked_for() -> None:
    bugs = [p for p in FOLDER.glob("*.py") if _expected(p) is not None]
    assert len(bugs) >= 16
    for prefix in ("conv_transpose1d_", "conv_transpose2d_", "conv_matrix_", "conv2d_",
                   "conv2d_backward_", "conv_transpose2d_backward_", "overlap_map_"):  # fmt: skip
        assert any(p.name.startswith(prefix) for p in bugs), prefix


def test_the_right_misconception_is_named_in_nine_of_ten_held_out_bugs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    right, lost, wrongly_named, report = 0, 0, [], []
    for path in sorted(FOLDER.glob("*.py")):
        expected = _expected(path)
        result = grade(ASSIGNMENT, path.read_text())
        assert result.gradable, path.name
        named = {name for test in result.tests for name in test.diagnoses}
        if expected is None:
            assert result.score == result.max_score, path.name
            assert named == set(), f"{path.name}: named {named} on a correct solution"
            continue
        if result.score is not None and result.score < result.max_score:
            lost += 1
            right += expected in named
        wrongly_named += [f"{path.name}: {n}" for n in named - {expected}]
        report.append(f"  {path.stem}: expected {expected!r}, named {sorted(named)}")
    share = right / lost
    with capsys.disabled():
        print(f"\nheld-out bugs: the right misconception named in {right} of {lost} files that "
              f"lose points ({share:.0%}); other names given: {len(wrongly_named)}")  # fmt: skip
        print("\n".join(report))
    assert lost >= 16
    assert share >= 0.9, "\n".join(report)
    assert wrongly_named == [], wrongly_named  # no misconception the file does not hold
