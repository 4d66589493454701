"""A course adds its own check suite as a Python module in the configured folder."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django import Settings

COURSE_SUITE = """
import numpy as np

from convlab.grading import Assignment, Case, Check, Function


def _cases(rng):
    return [Case((rng.standard_normal((3, 4)),), {}, "x=(3, 4)") for _ in range(3)]


ASSIGNMENT = Assignment(
    slug="relu-warmup",
    title="ReLU warm-up",
    functions=(Function("relu", "relu(x)", "max(x, 0) elementwise"),),
    checks=(Check("relu matches", "relu", 2, _cases, lambda x: np.maximum(x, 0)),),
    handout="Implement `relu(x)`.",
)
"""


@pytest.fixture
def course_suites(tmp_path: Path, settings: Settings) -> Path:
    (tmp_path / "relu_warmup.py").write_text(COURSE_SUITE)
    settings.CONVLAB_SUITES_DIR = str(tmp_path)
    return tmp_path


@pytest.mark.usefixtures("sandboxed")
def test_it_grades_a_file_on_a_course_suite_from_the_configured_folder(
    course_suites: Path, tmp_path: Path
) -> None:
    student = tmp_path / "student.py"
    student.write_text("import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0)\n")
    out = StringIO()
    call_command("convlab_grade", "relu-warmup", str(student), "--json", stdout=out)
    results = json.loads(out.getvalue())
    assert (results["score"], results["gradable"]) == (2, True)
    assert results["tests"][0]["name"] == "relu matches"


def test_it_names_the_known_suites_when_one_is_missing(course_suites: Path, tmp_path: Path) -> None:
    student = tmp_path / "student.py"
    student.write_text("")
    with pytest.raises(CommandError, match=r"no assignment 'nope'.*relu-warmup"):
        call_command("convlab_grade", "nope", str(student))
