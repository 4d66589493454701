"""Instructors upload a check suite in the pages (issues #16 and #17): only while the server
allows it (CONVLAB_ALLOW_SUITE_UPLOAD, off by default), only instructors, and only a suite that
passes its self-test; each bad upload is a 400 naming the field, and nothing is kept."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from convlab import selectors, services
from convlab.models import CourseSuite, Submission
from convlab.sandbox import bwrap_path

pytestmark = pytest.mark.django_db

SUITE = (Path(__file__).parent / "suite_uploads" / "scale.py").read_text()
CORRECT = "def scale(x, k):\n    return x * k\n"

needs_sandbox = pytest.mark.skipif(bwrap_path() is None, reason="bubblewrap is not installed")


def url(course: Any) -> str:
    return f"/courses/{course.pk}/labs/suites/"


def upload(
    client: Any, course: Any, text: str | bytes, name: str = "scale.py", **extra: str
) -> Any:
    content = text.encode() if isinstance(text, str) else text
    return client.post(url(course), {"suite": SimpleUploadedFile(name, content), **extra})


def errors(response: Any) -> dict[str, list[str]]:
    return {name: list(problems) for name, problems in response.context["form"].errors.items()}


@pytest.fixture
def allowed(settings: Any) -> None:
    settings.CONVLAB_ALLOW_SUITE_UPLOAD = True


def test_uploads_are_off_by_default_and_the_page_says_why(client, course, ines):
    client.force_login(ines)
    page = html.unescape(client.get(url(course)).content.decode())
    assert "turned off on this server" in page
    assert "CONVLAB_ALLOW_SUITE_UPLOAD" in page
    assert upload(client, course, SUITE).status_code == 403
    assert not CourseSuite.objects.exists()


@pytest.mark.usefixtures("allowed")
def test_students_and_tas_cannot_upload_a_suite(client, course, alice, tara):
    for user in (alice, tara):
        client.force_login(user)
        assert client.get(url(course)).status_code == 403
        assert upload(client, course, SUITE).status_code == 403
    assert not CourseSuite.objects.exists()


@pytest.mark.usefixtures("allowed")
def test_an_instructor_of_another_course_gets_nothing(client, course, ines):
    from tests.factories import make_course, make_member

    other = make_course(code="CS 1")
    stranger = make_member(other, "olga", "instructor")
    client.force_login(stranger)
    assert upload(client, course, SUITE).status_code == 404
    assert not CourseSuite.objects.exists()


@pytest.mark.usefixtures("allowed")
@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("scale.txt", SUITE.encode(), "is not a .py file"),
        ("scale.ipynb", b"{}", "is not a .py file"),
        ("scale.py", b"# x\n" * (services.SUITE_MAX_BYTES // 4 + 1), "128 KB"),
        ("scale.py", b"\xff\xfe not utf-8", "not UTF-8"),
        ("scale.py", b"x = 1\x00", "binary"),
        ("scale.py", SUITE.replace("def _cases(rng):", "def _cases(rng:").encode(), "line 8"),
    ],
)
def test_a_file_that_is_not_a_python_suite_is_refused_under_its_field(
    client, course, ines, name, content, says
):
    client.force_login(ines)
    response = upload(client, course, content, name)
    assert response.status_code == 400
    assert says in " ".join(errors(response)["suite"])
    assert not CourseSuite.objects.exists()


@needs_sandbox
@pytest.mark.usefixtures("allowed")
def test_a_suite_failing_its_self_test_is_refused_with_its_line(client, course, ines):
    client.force_login(ines)
    wrong_solution = SUITE.replace("return x * k", "return x + k")
    response = upload(client, course, wrong_solution)
    assert response.status_code == 400
    (message,) = errors(response)["suite"]
    assert "fails its self-test" in message
    assert "uploaded/scale.py, line 17" in message  # the check's line in the suite
    broken_cases = SUITE.replace("float(k)", "1 / 0")
    (message,) = errors(upload(client, course, broken_cases))["suite"]
    assert "uploaded/scale.py, line 9" in message
    assert "ZeroDivisionError" in message
    no_assignment = "x = 1\n"
    (message,) = errors(upload(client, course, no_assignment))["suite"]
    assert "ASSIGNMENT" in message
    assert not CourseSuite.objects.exists()


@needs_sandbox
@pytest.mark.usefixtures("allowed")
def test_a_taken_short_name_is_refused_under_its_field(client, course, ines):
    client.force_login(ines)
    assert upload(client, course, SUITE).status_code == 302
    response = upload(client, course, SUITE)
    assert response.status_code == 400
    assert "already has a suite “scale”" in errors(response)["slug"][0]
    assert CourseSuite.objects.count() == 1


@needs_sandbox
@pytest.mark.usefixtures("allowed")
def test_an_uploaded_suite_grades_a_lab_and_a_correct_solution_scores_full_marks(
    client, course, ines, alice
):
    client.force_login(ines)
    response = upload(client, course, SUITE, slug="scaling")
    assert response.status_code == 302
    kept = CourseSuite.objects.get()
    assert (kept.slug, kept.title, kept.reference) == ("scaling", "Scaling", "uploaded:scaling")
    create = client.get(f"/courses/{course.pk}/labs/new/")
    assert "Scaling (uploaded)" in html.unescape(create.content.decode())
    response = client.post(
        f"/courses/{course.pk}/labs/new/",
        {
            "title": "Lab 1",
            "slug": "lab-1",
            "suite": "uploaded:scaling",
            "opens_at": "2030-01-07T09:00",
            "due_at": "2030-02-07T23:59",
            "grace_minutes": "0",
            "late_penalty_percent_per_day": "10",
            "max_submissions_per_day": "5",
        },
    )
    assert response.status_code == 302, errors(response)
    lab = course.assignments.get(slug="lab-1")
    assert lab.suite == "uploaded:scaling"
    loaded = selectors.assignment_suite(assignment=lab)
    assert loaded is not None
    assert loaded.title == "Scaling"

    def graded(source: str) -> Any:
        submission = Submission.objects.create(
            assignment=lab,
            student=alice,
            source=source,
            sha256="0" * 64,
            attempt=Submission.objects.count() + 1,
            received_at=timezone.now(),
        )
        return services.submission_grade(submission=submission)

    result = graded(CORRECT)
    assert result.gradable
    assert result.score == result.max_score == 10
    wrong = graded("def scale(x, k):\n    return x + k\n")
    assert wrong.score == 0
    assert wrong.tests[0].diagnoses == ("added",)


@needs_sandbox
def test_turning_uploads_off_makes_the_lab_not_gradable_never_a_zero(
    settings, client, course, ines, alice
):
    settings.CONVLAB_ALLOW_SUITE_UPLOAD = True
    client.force_login(ines)
    assert upload(client, course, SUITE).status_code == 302
    lab = services.assignment_create(
        course=course,
        title="Lab 1",
        slug="lab-1",
        suite="uploaded:scale",
        opens_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        due_at=dt.datetime(2030, 1, 2, tzinfo=dt.UTC),
    )
    settings.CONVLAB_ALLOW_SUITE_UPLOAD = False
    submission = Submission.objects.create(
        assignment=lab,
        student=alice,
        source=CORRECT,
        sha256="0" * 64,
        attempt=1,
        received_at=timezone.now(),
    )
    result = services.submission_grade(submission=submission)
    assert not result.gradable
    assert result.score is None
    assert "CONVLAB_ALLOW_SUITE_UPLOAD" in result.output
