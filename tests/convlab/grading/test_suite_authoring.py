"""A course writes its own suite from docs/suites.md (issue #17): the doc's worked example is the
fixture in doc_suites/ byte for byte, grades a CS231n-style (out, cache) solution 100% and names
an `=`-instead-of-`+=` backward; a broken suite is a suite error, never a zero; the self-test
names the suite's line; a lab cannot be published with a suite that fails its self-test."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from pytest_django import Settings

from convlab import services
from convlab.grading import (
    Arg,
    Assignment,
    Call,
    Case,
    Check,
    Function,
    Result,
    grade,
    load_assignment,
    to_gradescope,
)
from convlab.grading.selftest import self_test, self_test_file

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "suites.md"
SUITES = Path(__file__).with_name("doc_suites")
SOLUTION = (SUITES / "solutions" / "cs231n_conv_reference.py").read_text()
ACCUMULATE_DX = "dx_pad[n, :, rows, cols] += "
ACCUMULATE_DW = "dw[f] += "


def doc_files() -> dict[str, str]:
    """The code blocks of docs/suites.md that follow a `<!-- file: PATH -->` line, by PATH."""
    pattern = re.compile(r"<!-- file: (\S+) -->\n```python\n(.*?)```\n", re.DOTALL)
    return dict(pattern.findall(DOC.read_text()))


def cs231n() -> Assignment:
    return load_assignment("cs231n-conv", SUITES)


def mutate(old: str, new: str) -> str:
    assert old in SOLUTION
    return SOLUTION.replace(old, new)


# --- the doc cannot drift from what is tested -----------------------------------------------------


def test_the_docs_worked_example_is_the_tested_fixture_byte_for_byte() -> None:
    blocks = doc_files()
    fixtures = sorted(
        str(path.relative_to(ROOT))
        for path in SUITES.rglob("*.py")
        if "__pycache__" not in path.parts
    )
    assert sorted(blocks) == fixtures
    for path, code in blocks.items():
        assert (ROOT / path).read_text() == code, f"docs/suites.md differs from {path}"


def test_the_readme_links_the_suite_guide() -> None:
    assert "docs/suites.md" in (ROOT / "README.md").read_text()


# --- grading through the real sandbox -----------------------------------------------------------


@pytest.mark.usefixtures("sandboxed")
def test_a_correct_out_cache_solution_gets_full_marks() -> None:
    result = grade(cs231n(), SOLUTION)
    assert result.gradable, result.output
    assert (result.score, result.max_score) == (25, 25), [t.output for t in result.tests]
    assert all(not test.diagnoses for test in result.tests)


@pytest.mark.usefixtures("sandboxed")
def test_the_command_grades_it_from_the_configured_folder(
    settings: Settings, tmp_path: Path
) -> None:
    settings.CONVLAB_SUITES_DIR = str(SUITES)
    student = tmp_path / "student.py"
    student.write_text(SOLUTION)
    out = StringIO()
    call_command("convlab_grade", "cs231n-conv", str(student), "--json", stdout=out)
    assert json.loads(out.getvalue())["score"] == 25


@pytest.mark.usefixtures("sandboxed")
@pytest.mark.parametrize(
    ("old", "named"),
    [
        (ACCUMULATE_DX, "dx overwritten instead of accumulated"),
        (ACCUMULATE_DW, "dw overwritten instead of accumulated"),
    ],
)
def test_an_assignment_instead_of_an_accumulation_is_named(old: str, named: str) -> None:
    result = grade(cs231n(), mutate(old, old.replace("+=", "=")))
    forward, backward, hidden = result.tests
    assert result.gradable
    assert (forward.score, hidden.score) == (10, 5)
    assert backward.score < backward.max_score
    assert backward.diagnoses == (named,)
    assert named in backward.output
    assert to_gradescope(result)["tests"][1]["tags"] == [named]


@pytest.mark.usefixtures("sandboxed")
def test_a_forward_without_its_cache_is_told_what_the_grader_needs() -> None:
    result = grade(cs231n(), mutate("return out, cache", "return out"))
    assert result.gradable
    assert result.tests[1].score == 0
    assert "where the grader expects a tuple" in result.tests[0].output
    assert "conv_forward_naive returned a numpy array" in result.tests[0].output


@pytest.mark.usefixtures("sandboxed")
def test_a_missing_backward_is_named() -> None:
    source = SOLUTION[: SOLUTION.index("def conv_backward_naive")]
    result = grade(cs231n(), source)
    assert result.tests[0].score == 10
    assert "does not define the function conv_backward_naive" in result.tests[1].output


def _pair_cases(rng: np.random.Generator) -> list[Case]:
    pairs = [(rng.standard_normal((2, 3)), rng.standard_normal((2, 3))) for _ in range(2)]
    return [
        Case((pair, {"scale": np.float64(2.0), "shift": [np.ones(3)]}), {}, "a pair")
        for pair in pairs
    ]


def _pair_reference(pair: Any, options: Any) -> Any:
    return options["scale"] * (pair[0] + pair[1]) + options["shift"][0]


PAIRS = Assignment(
    slug="pairs",
    title="Pairs",
    functions=(Function("add", "add(pair, options)", "scale * (a + b) + shift[0]"),),
    checks=(Check("add", "add", 1, _pair_cases, _pair_reference),),
    handout="",
)


@pytest.mark.usefixtures("sandboxed")
def test_a_case_argument_holding_arrays_in_a_tuple_reaches_the_student() -> None:
    source = (
        "def add(pair, options):\n"
        "    assert isinstance(pair, tuple) and isinstance(options['shift'], list)\n"
        "    return options['scale'] * (pair[0] + pair[1]) + options['shift'][0]\n"
    )
    result = grade(PAIRS, source)
    assert (result.gradable, result.score) == (True, 1), result.tests[0].output


# --- a broken suite is a suite error, never the student's zero ----------------------------------


def _tiny(check: Check) -> Assignment:
    return Assignment(
        slug="broken",
        title="Broken",
        functions=(Function("f", "f(x)", "x"),),
        checks=(check,),
        handout="",
    )


def _object_cases(rng: np.random.Generator) -> list[Case]:
    return [Case((object(),), {}, "an object")]


def _x_cases(rng: np.random.Generator) -> list[Case]:
    return [Case((rng.standard_normal(3),), {}, "x=(3,)")]


def _failing_reference(x: Any) -> Any:
    return x[99]  # the suite's own bug


@pytest.mark.parametrize(
    ("check", "says"),
    [
        (Check("f", "f", 1, _object_cases, lambda x: x), "cannot be sent to the sandbox"),
        (Check("f", "f", 1, _x_cases, _failing_reference), "IndexError"),
        (
            Check("f", "f", 1, _x_cases, lambda x: x, calls=(Call("f", (Arg(3),)),)),
            "Arg(3) but the case has 1 positional argument",
        ),
        (
            Check("f", "f", 1, _x_cases, lambda x: x, returns=(Result(2, 0),)),
            "Result(2) refers to no earlier call",
        ),
    ],
)
def test_a_broken_suite_is_a_suite_error_not_a_zero(check: Check, says: str) -> None:
    result = grade(_tiny(check), "def f(x):\n    return x\n")
    assert (result.gradable, result.score) == (False, None)
    assert "suite error" in result.output
    assert says in result.output
    assert not self_test(_tiny(check), run_solution=False).ok


def test_a_suite_error_names_the_suites_own_line() -> None:
    result = grade(_tiny(Check("f", "f", 1, _x_cases, _failing_reference)), "")
    line = next(
        number
        for number, text in enumerate(Path(__file__).read_text().splitlines(), start=1)
        if "return x[99]" in text
    )
    assert f"{__file__}, line {line}" in result.output


# --- the self-test names the line ---------------------------------------------------------------

GOOD_SUITE = (
    (SUITES / "cs231n_conv.py")
    .read_text()
    .replace(
        '(Path(__file__).parent / "solutions" / "cs231n_conv_reference.py").read_text()',
        repr(SOLUTION),
    )
)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def write_suite(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cs231n_conv.py"
    path.write_text(text)
    return path


@pytest.mark.usefixtures("sandboxed")
def test_the_doc_suite_passes_its_self_test() -> None:
    result = self_test_file(SUITES / "cs231n_conv.py")
    assert result.ok, result.report()
    assert result.solution_score == (25, 25)
    assert result.problems == []


def test_a_syntax_error_names_its_line(tmp_path: Path) -> None:
    text = GOOD_SUITE.replace("SHAPES = [", "SHAPES = [[", 1)
    path = write_suite(tmp_path, text)
    result = self_test_file(path, run_solution=False)
    assert not result.ok
    assert f"{path}, line" in str(result.errors[0])


def test_a_variant_that_never_shows_names_its_line(tmp_path: Path) -> None:
    text = GOOD_SUITE.replace('overwrite="dw"),', 'overwrite="none"),')
    path = write_suite(tmp_path, text)
    result = self_test_file(path, run_solution=False)
    assert not result.ok
    (problem,) = result.errors
    assert "'dw overwritten instead of accumulated' never differs" in problem.message
    assert problem.where == f"{path}, line {line_of(text, 'DW_OVERWRITTEN = Variant(')}"


def test_a_variant_shadowed_by_another_names_its_line(tmp_path: Path) -> None:
    text = GOOD_SUITE.replace('overwrite="dw"),', 'overwrite="dx"),')
    path = write_suite(tmp_path, text)
    (problem,) = self_test_file(path, run_solution=False).errors
    assert "names dx overwritten instead of accumulated instead" in problem.message
    assert problem.where == f"{path}, line {line_of(text, 'DW_OVERWRITTEN = Variant(')}"


def test_an_undeclared_function_names_the_checks_line(tmp_path: Path) -> None:
    text = GOOD_SUITE.replace('Call("conv_backward_naive"', 'Call("conv_backward"')
    path = write_suite(tmp_path, text)
    (problem,) = self_test_file(path, run_solution=False).errors
    assert "calls 'conv_backward', which the assignment's functions do not declare" in str(problem)
    # The second check (conv_backward_naive, which calls it) is named by its Check( line.
    checks = [n for n, line in enumerate(text.splitlines(), start=1) if line == "        Check("]
    assert problem.where == f"{path}, line {checks[1]}"


@pytest.mark.usefixtures("sandboxed")
def test_a_reference_solution_short_of_full_marks_fails_naming_the_check(tmp_path: Path) -> None:
    wrong = SOLUTION.replace(ACCUMULATE_DX, ACCUMULATE_DX.replace("+=", "="))
    path = write_suite(tmp_path, GOOD_SUITE.replace(repr(SOLUTION), repr(wrong)))
    result = self_test_file(path)
    (problem,) = result.errors
    assert "reference solution scores 0/10 on check 'conv_backward_naive'" in problem.message
    assert problem.where.startswith(f"{path}, line ")


def test_the_command_fails_on_a_failing_suite_and_names_the_line(tmp_path: Path) -> None:
    text = GOOD_SUITE.replace('overwrite="dw"),', 'overwrite="none"),')
    path = write_suite(tmp_path, text)
    out = StringIO()
    with pytest.raises(CommandError, match="fails its self-test"):
        call_command("check_suite", str(path), "--no-solution", stdout=out)
    assert f"{path}, line {line_of(text, 'DW_OVERWRITTEN = Variant(')}" in out.getvalue()


def test_the_command_refuses_an_unknown_suite() -> None:
    with pytest.raises(CommandError, match="no such suite"):
        call_command("check_suite", "no-such-suite")


# --- publishing ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_lab_cannot_be_published_with_a_suite_that_fails_its_self_test(
    course: Any, settings: Settings, tmp_path: Path
) -> None:
    import datetime as dt

    write_suite(tmp_path, GOOD_SUITE.replace('overwrite="dw"),', 'overwrite="none"),'))
    settings.CONVLAB_SUITES_DIR = str(tmp_path)
    with pytest.raises(ValidationError) as refused:
        services.assignment_create(
            course=course,
            title="Conv layer",
            slug="conv",
            suite="cs231n-conv",
            opens_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
            due_at=dt.datetime(2030, 1, 8, tzinfo=dt.UTC),
        )
    (message,) = refused.value.message_dict["suite"]
    assert "fails its self-test" in message
    assert "never differs" in message
    assert "cs231n_conv.py, line" in message
    assert not course.assignments.exists()


@pytest.mark.django_db
def test_the_lab_form_shows_why_a_suite_fails_its_self_test(
    client: Any, course: Any, ines: Any, settings: Settings, tmp_path: Path
) -> None:
    write_suite(tmp_path, GOOD_SUITE.replace('overwrite="dw"),', 'overwrite="none"),'))
    settings.CONVLAB_SUITES_DIR = str(tmp_path)
    client.force_login(ines)
    form = {
        "title": "Conv layer",
        "slug": "",
        "suite": "cs231n-conv",
        "opens_at": "2030-01-07T09:00",
        "due_at": "2030-02-07T23:59",
        "closes_at": "",
        "grace_minutes": "0",
        "late_penalty_percent_per_day": "10",
        "max_submissions_per_day": "5",
    }
    response = client.post(f"/courses/{course.pk}/labs/new/", form)
    assert response.status_code == 400
    assert "fails its self-test" in response.context["form"].errors["suite"][0]
    assert not course.assignments.exists()


@pytest.mark.django_db
def test_a_suite_that_no_longer_loads_makes_an_attempt_not_gradable(
    course: Any, alice: Any, settings: Settings, tmp_path: Path
) -> None:
    import datetime as dt

    from django.utils import timezone

    from convlab.models import Assignment as Lab
    from convlab.models import Submission

    lab = Lab.objects.create(
        course=course,
        slug="conv",
        title="Conv layer",
        suite="cs231n-conv",
        opens_at=dt.datetime(2017, 9, 26, tzinfo=dt.UTC),
        due_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )
    path = write_suite(tmp_path, GOOD_SUITE + "\nraise RuntimeError('half-saved edit')\n")
    settings.CONVLAB_SUITES_DIR = str(tmp_path)
    submission = Submission.objects.create(
        assignment=lab,
        student=alice,
        file="submissions/x.py",
        sha256="0" * 64,
        attempt=1,
        received_at=timezone.now(),
    )
    result = services.submission_grade(submission=submission)
    assert (result.gradable, result.score) == (False, None)
    assert "suite error" in result.output
    assert f"{path}, line {len(path.read_text().splitlines())}" in result.output


@pytest.mark.usefixtures("sandboxed")
def test_the_built_in_suite_passes_its_self_test_with_the_demo_solution() -> None:
    import dataclasses

    built_in = load_assignment("transposed-convolutions")
    solution = (ROOT / "demo" / "solutions" / "transposed_convolutions.py").read_text()
    result = self_test(dataclasses.replace(built_in, solution=solution))
    assert result.ok, result.report()
    assert result.solution_score == (100, 100)


@pytest.mark.django_db
def test_a_lab_is_not_opened_on_a_suite_that_fails_its_self_test(
    client: Any, course: Any, ines: Any, settings: Settings, tmp_path: Path
) -> None:
    import datetime as dt

    from convlab.models import Assignment as Lab

    opens = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    lab = Lab.objects.create(
        course=course,
        slug="conv",
        title="Conv layer",
        suite="cs231n-conv",
        opens_at=opens,
        due_at=dt.datetime(2030, 2, 1, tzinfo=dt.UTC),
    )
    # The suite passed when the lab was set up; its file was edited since.
    write_suite(tmp_path, GOOD_SUITE.replace('overwrite="dw"),', 'overwrite="none"),'))
    settings.CONVLAB_SUITES_DIR = str(tmp_path)
    client.force_login(ines)
    response = client.post(f"/courses/{course.pk}/labs/conv/open/")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "The lab was not opened." in page
    assert "fails its self-test" in page
    lab.refresh_from_db()
    assert lab.opens_at == opens
    # Fixed: it opens.
    write_suite(tmp_path, GOOD_SUITE)
    assert client.post(f"/courses/{course.pk}/labs/conv/open/").status_code == 302
    lab.refresh_from_db()
    assert lab.opens_at < opens
