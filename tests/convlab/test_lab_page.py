"""The lab page: handout, functions and signatures, starter file, packages and versions,
attempts left and the late policy; uploads refused before they use an attempt; feedback laid
out failures first with one banner for a file that could not be imported."""

from __future__ import annotations

import ast
import datetime as dt
import html
from typing import Any

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from convlab import handout, selectors, services
from convlab.grading import load_assignment
from convlab.models import Assignment, Submission
from tests.factories import make_member

pytestmark = pytest.mark.django_db

SUITE = load_assignment("transposed-convolutions")
SOURCE = b"import numpy as np\n\n\ndef conv1d(x, w, b=None):\n    return x\n"


@pytest.fixture
def lab(course: Any) -> Assignment:
    return Assignment.objects.create(
        course=course,
        slug="transposed-convolutions",
        title="Lab 2",
        suite="transposed-convolutions",
        opens_at=dt.datetime(2017, 9, 26, tzinfo=dt.UTC),
        due_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        grace_minutes=15,
        late_penalty_percent_per_day=10,
        max_submissions_per_day=3,
    )


def page_url(lab: Assignment) -> str:
    return f"/courses/{lab.course_id}/labs/{lab.slug}/"


def starter_url(lab: Assignment) -> str:
    return f"/courses/{lab.course_id}/labs/{lab.slug}/starter.py"


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_it_shows_every_function_with_its_signature(client, lab, alice):
    client.force_login(alice)
    page = text_of(client.get(page_url(lab)))
    for function in SUITE.functions:
        assert f"<code>{function.signature}</code>" in page
        assert function.summary in page


def test_it_shows_the_numpy_version_the_grader_has(client, lab, alice):
    client.force_login(alice)
    page = text_of(client.get(page_url(lab)))
    assert f"<li>numpy {np.__version__}</li>" in page
    assert "<li>Python 3." in page


def test_it_renders_the_handout(client, lab, alice):
    client.force_login(alice)
    page = client.get(page_url(lab)).content.decode()
    assert '<h2 id="handout-h">Handout</h2>' in page
    assert "<h3>Transposed convolutions</h3>" in page
    assert "<strong>summed where they overlap</strong>" in page
    assert '<pre class="feedback"><code>[x y z 0 0 0]' in page


def test_it_says_the_late_policy_in_plain_words(client, lab, alice):
    client.force_login(alice)
    page = text_of(client.get(page_url(lab)))
    assert "up to 15 minutes after the due date still counts as on time" in page
    assert "10% of the score is taken off for each day late" in page


def test_it_counts_the_attempts_left_down(client, lab, alice):
    client.force_login(alice)
    assert "3 of 3</strong> attempts left" in text_of(client.get(page_url(lab)))
    services.submission_create(assignment=lab, student=alice, submitted_by=alice, content=SOURCE)
    assert "2 of 3</strong> attempts left" in text_of(client.get(page_url(lab)))


def test_it_does_not_count_an_attempt_the_grader_failed_on(lab, alice):
    made = services.submission_create(
        assignment=lab, student=alice, submitted_by=alice, content=SOURCE
    )
    Submission.objects.filter(pk=made.submission.pk).update(status="error")
    assert selectors.attempts_left(assignment=lab, student=alice, now=timezone.now()) == 3


def test_it_serves_a_starter_file_that_defines_every_function(client, lab, alice):
    client.force_login(alice)
    response = client.get(starter_url(lab))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/x-python")
    assert response["Content-Disposition"].startswith("attachment;")
    source = response.content.decode()
    compile(source, "starter.py", "exec")
    defined = {
        node.name: [a.arg for a in node.args.args]
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef)
    }
    assert set(defined) == {f.name for f in SUITE.functions}
    for function in SUITE.functions:
        wanted = ast.parse(f"def {function.signature}: pass").body[0]
        assert isinstance(wanted, ast.FunctionDef)
        assert defined[function.name] == [a.arg for a in wanted.args.args]


def test_it_links_the_starter_file_from_the_page(client, lab, alice):
    client.force_login(alice)
    assert f'href="{starter_url(lab)}"' in client.get(page_url(lab)).content.decode()


def test_it_sends_anonymous_visitors_to_log_in(client, lab):
    for url in (page_url(lab), starter_url(lab)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_it_hides_the_lab_from_other_courses(client, lab, bob):
    client.force_login(bob)
    assert client.get(page_url(lab)).status_code == 404
    assert client.get(starter_url(lab)).status_code == 404


def test_it_gives_staff_the_starter_file_too(client, lab, tara):
    client.force_login(tara)
    assert client.get(starter_url(lab)).status_code == 200


def test_it_keeps_the_handout_until_the_lab_opens(client, lab, alice, tara):
    Assignment.objects.filter(pk=lab.pk).update(opens_at=dt.datetime(2098, 1, 1, tzinfo=dt.UTC))
    client.force_login(alice)
    page = text_of(client.get(page_url(lab)))
    assert "This lab opens" in page
    assert "conv_transpose2d(" not in page
    assert client.get(starter_url(lab)).status_code == 404
    client.force_login(tara)
    assert client.get(starter_url(lab)).status_code == 200


def test_it_opens_the_page_when_the_suite_cannot_be_loaded(client, lab, alice):
    Assignment.objects.filter(pk=lab.pk).update(suite="no-such-suite")
    client.force_login(alice)
    response = client.get(page_url(lab))
    assert response.status_code == 200
    assert "cannot be shown right now" in text_of(response)
    assert client.get(starter_url(lab)).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("notes.txt", SOURCE, "is not a .py file"),
        ("lab.ipynb", b'{"cells": []}', "is not a .py file"),
        ("solution.py", b"\x89PNG\r\n\x1a\n\x00\x00", "is a binary file"),
        ("solution.py", "x = 'é'\n".encode("latin-1"), "is not UTF-8 text"),
        ("solution.py", b"   \n", "the file is empty"),
    ],
)
def test_it_refuses_an_upload_before_it_uses_an_attempt(client, lab, alice, name, content, says):
    client.force_login(alice)
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = client.post(page_url(lab), {"file": upload})
    assert response.status_code == 200
    page = text_of(response)
    assert says in page
    assert 'aria-invalid="true"' in page
    assert not Submission.objects.exists()
    assert "3 of 3</strong> attempts left" in page


def test_it_accepts_a_py_upload(client, lab, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile("Solution.PY", SOURCE, content_type="text/x-python")
    response = client.post(page_url(lab), {"file": upload})
    assert response.status_code == 302
    assert Submission.objects.get().attempt == 1


def test_it_lets_only_students_upload(client, lab, tara):
    client.force_login(tara)
    upload = SimpleUploadedFile("solution.py", SOURCE, content_type="text/x-python")
    assert client.post(page_url(lab), {"file": upload}).status_code == 403
    assert not Submission.objects.exists()


def test_it_shows_staff_the_policy_without_attempts_of_their_own(client, lab, tara):
    client.force_login(tara)
    page = text_of(client.get(page_url(lab)))
    assert "Each student has 3 attempts in any 24 hours" in page
    assert "Submit for grading" not in page


# What the engine writes into every failing case when the file cannot be imported.
ERROR = "Error:\nSyntaxError: invalid syntax (line 1)"
IMPORT_ERROR = f"Your file could not be imported:\n{ERROR}"


def graded(**tests: str) -> dict[str, Any]:
    """Results with one check per keyword: its status, and its output."""
    return {
        "output": "",
        "tests": [
            {
                "name": name,
                "score": 1.0 if status.startswith("passed") else 0.0,
                "max_score": 1.0,
                "status": status.split(":")[0],
                "visibility": "visible",
                "output": status.split(":", 1)[1] if ":" in status else "",
                "tags": [],
            }
            for name, status in tests.items()
        ],
    }


def import_failure(cases: int) -> str:
    lines = [f"0 of {cases} cases passed."]
    lines += [f"- case stride={i}: {IMPORT_ERROR}" for i in range(cases)]
    return "\n".join(lines)


def test_it_lists_failures_first():
    results = graded(a="passed:All 3 cases passed.", b="failed:1 of 3 cases passed.", c="passed")
    laid_out = selectors.feedback(results=results)
    assert [t["name"] for t in laid_out["tests"]] == ["b", "a", "c"]
    assert laid_out["import_error"] is None


def test_it_says_an_import_error_once():
    results = graded(a=f"failed:{import_failure(5)}", b=f"failed:{import_failure(4)}")
    laid_out = selectors.feedback(results=results)
    assert laid_out["import_error"] == ERROR
    assert all("SyntaxError" not in t["output"] for t in laid_out["tests"])


def test_it_shows_one_banner_for_an_import_error_on_the_submission_page(client, lab, alice):
    made = services.submission_create(
        assignment=lab, student=alice, submitted_by=alice, content=SOURCE
    )
    checks = {f"check{i}": f"failed:{import_failure(4)}" for i in range(11)}
    Submission.objects.filter(pk=made.submission.pk).update(
        status="done", gradable=True, score=0, raw_score=0, max_score=11, results=graded(**checks)
    )
    client.force_login(alice)
    page = text_of(client.get(f"/submissions/{made.submission.pk}/"))
    assert page.count("SyntaxError: invalid syntax") == 1
    assert 'id="import-error"' in page
    assert page.count("<details>") == 11  # every check there, closed


def test_it_opens_failed_checks_and_folds_passed_ones(client, lab, alice):
    made = services.submission_create(
        assignment=lab, student=alice, submitted_by=alice, content=SOURCE
    )
    results = graded(good="passed:All 3 cases passed.", bad="failed:1 of 3 cases passed.")
    results["tests"][1]["extra_data"] = {"heatmaps_png_base64": ["iVBORw0KGgo="]}
    Submission.objects.filter(pk=made.submission.pk).update(
        status="done", gradable=True, score=1, raw_score=1, max_score=2, results=results
    )
    client.force_login(alice)
    page = text_of(client.get(f"/submissions/{made.submission.pk}/status/"))
    assert page.index("bad</strong>") < page.index("good</strong>")
    assert page.count("<details open>") == 1
    assert page.count("<details>") == 1
    assert "import-error" not in page
    assert "for the first of the failing cases whose output has the right shape" in page
    assert "right within the check's tolerance" in page


def test_it_escapes_the_handout_markup():
    rendered = handout.render_markdown(
        "<script>alert(1)</script> [bad](javascript:alert(1)) [ok](https://example.org/?a=1)"
    )
    assert "<script>" not in rendered
    assert "&lt;script&gt;" in rendered
    assert 'href="javascript' not in rendered
    assert '<a href="https://example.org/?a=1" rel="noopener noreferrer">ok</a>' in rendered


def test_it_stubs_a_signature_that_is_not_python_with_its_name():
    from dataclasses import replace

    from convlab.grading import Function

    odd = replace(SUITE, functions=(Function("relu", "relu(x) -> array like x", "ReLU."),))
    tree = ast.parse(handout.starter_source(odd))
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert names == ["relu"]


def test_it_keeps_other_members_out_of_a_submission(client, lab, alice, course):
    made = services.submission_create(
        assignment=lab, student=alice, submitted_by=alice, content=SOURCE
    )
    client.force_login(make_member(course, "carol", "student"))
    assert client.get(f"/submissions/{made.submission.pk}/").status_code == 404


def test_it_shows_a_course_suite_from_the_suites_folder(client, course, alice, tmp_path, settings):
    from tests.convlab.grading.test_course_suites import COURSE_SUITE

    (tmp_path / "relu_warmup.py").write_text(COURSE_SUITE)
    settings.CONVLAB_SUITES_DIR = str(tmp_path)
    warmup = Assignment.objects.create(
        course=course,
        slug="relu-warmup",
        title="ReLU warm-up",
        suite="relu-warmup",
        opens_at=dt.datetime(2017, 9, 26, tzinfo=dt.UTC),
        due_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )
    client.force_login(alice)
    page = client.get(page_url(warmup)).content.decode()
    assert "<code>relu(x)</code>" in page
    assert "<p>Implement <code>relu(x)</code>.</p>" in page
    starter = client.get(starter_url(warmup)).content.decode()
    assert "def relu(x):" in starter


def _with_a_timed_check(lab: Assignment, alice: Any) -> Submission:
    """The issue's case: listed checks worth 80 (one hidden), and a timed after-due check."""
    made = services.submission_create(
        assignment=lab, student=alice, submitted_by=alice, content=SOURCE
    )
    tests = [
        {"name": "listed", "visibility": "visible", "status": "passed", "score": 40.0,
         "max_score": 40.0, "output": "All 4 cases passed."},
        {"name": "secret", "visibility": "hidden", "status": "failed", "score": 10.0,
         "max_score": 40.0, "output": "1 of 4 cases passed."},
        {"name": "timed", "visibility": "after_due_date", "status": "passed", "score": 20.0,
         "max_score": 20.0, "output": "All 2 cases passed."},
    ]  # fmt: skip
    results = {"score": 70.0, "max_score": 100.0, "output": "", "tests": tests}
    Submission.objects.filter(pk=made.submission.pk).update(
        status="done", gradable=True, score=70, raw_score=70, max_score=100, results=results
    )
    return made.submission


def test_before_the_due_date_the_score_a_student_sees_adds_up(client, lab, alice, tara):
    submission = _with_a_timed_check(lab, alice)
    client.force_login(alice)
    page = text_of(client.get(f"/submissions/{submission.pk}/"))
    assert "Score so far: 50 / 80" in page  # the listed check and the hidden one
    assert "1 more check, worth 20 points, opens after the due date and counts only then" in page
    assert "timed" not in page
    listing = text_of(client.get(page_url(lab)))
    assert "50 / 80" in listing
    assert "70 / 100" not in listing
    client.force_login(tara)  # staff see the whole score
    assert "Score: 70 / 100" in text_of(client.get(f"/submissions/{submission.pk}/"))
    assert "70 / 100" in text_of(client.get(page_url(lab)))


def test_after_the_due_date_the_timed_check_is_shown_and_counted(client, lab, alice):
    submission = _with_a_timed_check(lab, alice)
    Assignment.objects.filter(pk=lab.pk).update(
        opens_at=dt.datetime(2017, 1, 1, tzinfo=dt.UTC),
        due_at=dt.datetime(2018, 1, 1, tzinfo=dt.UTC),
    )
    client.force_login(alice)
    page = text_of(client.get(f"/submissions/{submission.pk}/"))
    assert "Score: 70 / 100" in page
    assert "timed" in page
    assert "after the due date and count" not in page


def test_the_handout_says_hidden_checks_open_at_the_due_date_as_the_code_does() -> None:
    text = " ".join(SUITE.handout.split())
    assert "hidden until the due date" in text
    assert "grades are published" not in text
    assert any(c.visibility == "hidden" for c in SUITE.checks)
    # The code: hidden and after-due checks open at the due date (no later "publish" step).
    due = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    results = {"score": 1.0, "max_score": 2.0, "tests": [
        {"name": "h", "visibility": "hidden", "status": "passed", "score": 1.0, "max_score": 1.0},
        {"name": "a", "visibility": "after_due_date", "status": "failed", "score": 0.0,
         "max_score": 1.0}]}  # fmt: skip
    after = selectors.visible_results(results=results, due_at=due, now=due, full=False)
    assert [t["name"] for t in after["tests"]] == ["h", "a"]
