"""Reads of the convlab app, with who may see which submission and which checks."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from convlab import grading
from convlab.models import (
    UPLOADED_PREFIX,
    Assignment,
    CourseSuite,
    GradingRun,
    Submission,
    SubmissionStatus,
)
from courses.models import Course, Membership, Role

logger = logging.getLogger(__name__)


def assignment_list(*, course: Course) -> QuerySet[Assignment]:
    return Assignment.objects.filter(course=course)


def assignment_get(*, course: Course, slug: str) -> Assignment:
    assignment = Assignment.objects.filter(course=course, slug=slug).first()
    if assignment is None:
        raise Http404("No such assignment.")
    return assignment


def uploaded_suite(*, course_id: int, suite: str) -> CourseSuite | None:
    """The course's uploaded suite a lab's ``suite`` names (``uploaded:<slug>``), if any."""
    if not suite.startswith(UPLOADED_PREFIX):
        return None
    slug = suite.removeprefix(UPLOADED_PREFIX)
    return CourseSuite.objects.filter(course_id=course_id, slug=slug).first()


def course_suites(*, course: Course) -> QuerySet[CourseSuite]:
    return CourseSuite.objects.filter(course=course).select_related("uploaded_by")


def suite_filename(suite: CourseSuite) -> str:
    """The name tracebacks and self-test problems give an uploaded suite's text."""
    return f"uploaded/{suite.slug}.py"


def load_suite(*, course_id: int, suite: str) -> grading.Assignment:
    """The check suite a lab of course ``course_id`` names: built in, in CONVLAB_SUITES_DIR, or
    uploaded by the course's instructors (only while CONVLAB_ALLOW_SUITE_UPLOAD is on). Raises
    whatever loading it raises (``LookupError`` for none), never for the student to pay."""
    if suite.startswith(UPLOADED_PREFIX):
        if not settings.CONVLAB_ALLOW_SUITE_UPLOAD:
            raise grading.SuiteError(
                "uploaded suites are turned off on this server (CONVLAB_ALLOW_SUITE_UPLOAD)"
            )
        uploaded = uploaded_suite(course_id=course_id, suite=suite)
        if uploaded is None:
            raise LookupError(f"no uploaded suite {suite!r} in this course")
        return grading.load_source(uploaded.source, suite_filename(uploaded))
    extra = Path(settings.CONVLAB_SUITES_DIR) if settings.CONVLAB_SUITES_DIR else None
    return grading.load_assignment(suite, extra)


def assignment_suite(*, assignment: Assignment) -> grading.Assignment | None:
    """The check suite that grades `assignment`, or None when it cannot be loaded (a course
    suite missing or broken: its page still opens, and says so, rather than failing)."""
    try:
        return load_suite(course_id=assignment.course_id, suite=assignment.suite)
    except Exception:  # a course's suite is arbitrary code: whatever it raises, the page opens
        logger.exception("could not load the suite %r of %s", assignment.suite, assignment)
        return None


_SELF_TESTS: dict[tuple[str, str], Any] = {}


def suite_self_test(*, slug: str, course_id: int | None = None) -> Any:
    """The self-test (convlab.grading.selftest.SelfTest) of the suite ``slug`` (of the course
    ``course_id``, for an uploaded one), or None when there is no such suite. Remembered per
    suite content for the life of the process; the reference solution runs in the sandbox where
    there is one (else a warning says it did not)."""
    from convlab.grading import selftest
    from convlab.sandbox import bwrap_path

    uploaded = None
    path = None
    if slug.startswith(UPLOADED_PREFIX):
        uploaded = uploaded_suite(course_id=course_id or 0, suite=slug)
        if uploaded is None or not settings.CONVLAB_ALLOW_SUITE_UPLOAD:
            return None
        key = (f"{course_id}:{slug}", uploaded.sha256)
    else:
        extra = Path(settings.CONVLAB_SUITES_DIR) if settings.CONVLAB_SUITES_DIR else None
        path = grading.suite_file(slug, extra)
        if path is None:
            return None
        try:
            content = path.read_bytes()
        except OSError:
            return None
        key = (str(path), hashlib.sha256(content).hexdigest())
    if key not in _SELF_TESTS:
        insecure = bool(settings.CONVLAB_SANDBOX_INSECURE)
        can_run = bwrap_path() is not None or insecure
        if uploaded is not None:
            result = selftest.self_test_source(
                uploaded.source, suite_filename(uploaded), run_solution=can_run, insecure=insecure
            )
        else:
            assert path is not None
            result = selftest.self_test_file(path, run_solution=can_run, insecure=insecure)
        if not can_run:
            result.problems.append(
                selftest.Problem(
                    "the reference solution was not graded here (no sandbox on this machine)",
                    severity="warning",
                )
            )
        _SELF_TESTS[key] = result
    return _SELF_TESTS[key]


def assignment_has_submissions(*, assignment: Assignment) -> bool:
    return Submission.objects.filter(assignment=assignment).exists()


@dataclass(frozen=True)
class SuiteChoice:
    """A check suite staff may grade a lab with, as the assignment form offers it."""

    slug: str
    title: str
    supports_gpu: bool


def suite_choices(course_id: int | None = None) -> list[SuiteChoice]:
    """The suites an assignment may use: the built-in ones and those of CONVLAB_SUITES_DIR,
    by slug, then (while CONVLAB_ALLOW_SUITE_UPLOAD is on) those uploaded for the course
    ``course_id`` as ``uploaded:<slug>``. A suite that cannot be loaded is left out (and
    logged): it could grade nothing. Uploaded ones are listed from what was kept at their
    upload, without running them."""
    extra = Path(settings.CONVLAB_SUITES_DIR) if settings.CONVLAB_SUITES_DIR else None
    choices = []
    for slug in grading.available_assignments(extra):
        try:
            suite = grading.load_assignment(slug, extra)
        except Exception:  # a course's suite is arbitrary code: whatever it raises, skip it
            logger.exception("could not load the suite %r", slug)
            continue
        choices.append(SuiteChoice(slug=slug, title=suite.title, supports_gpu=suite.supports_gpu))
    if course_id is not None and settings.CONVLAB_ALLOW_SUITE_UPLOAD:
        for uploaded in CourseSuite.objects.filter(course_id=course_id):
            choices.append(
                SuiteChoice(
                    slug=uploaded.reference,
                    title=f"{uploaded.title} (uploaded)",
                    supports_gpu=uploaded.supports_gpu,
                )
            )
    return choices


def counted_attempts(
    *, assignment: Assignment, student: Any, now: dt.datetime
) -> list[dt.datetime]:
    """When each attempt that counts against the daily limit arrived, oldest first: those of
    the last 24 hours, less the ones the grader failed on (they never use up an attempt)."""
    window = now - dt.timedelta(days=1)
    return list(
        Submission.objects.filter(assignment=assignment, student=student, received_at__gt=window)
        .exclude(status=SubmissionStatus.ERROR)
        .order_by("received_at")
        .values_list("received_at", flat=True)
    )


def attempts_left(*, assignment: Assignment, student: Any, now: dt.datetime) -> int:
    """How many more attempts the student may submit now (the limit is per 24 hours)."""
    used = len(counted_attempts(assignment=assignment, student=student, now=now))
    return max(0, assignment.max_submissions_per_day - used)


def sees_all_submissions(membership: Membership) -> bool:
    return membership.is_staff_role or membership.role == Role.AUTOGRADER


def submission_list(
    *, membership: Membership, assignment: Assignment | None = None
) -> QuerySet[Submission]:
    """Staff and the course's autograder see every submission; a student only their own."""
    submissions = Submission.objects.filter(assignment__course_id=membership.course_id)
    if assignment is not None:
        submissions = submissions.filter(assignment=assignment)
    if not sees_all_submissions(membership):
        submissions = submissions.filter(student_id=membership.user_id)
    return submissions.select_related("assignment", "student")


def submission_get_for_user(*, user: Any, submission_id: int) -> tuple[Submission, Membership]:
    """The submission with the viewer's membership in its course; Http404 when not theirs."""
    submission = (
        Submission.objects.select_related("assignment__course", "student")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None or not user.is_authenticated:
        raise Http404("No such submission.")
    membership = Membership.objects.filter(
        user=user, course_id=submission.assignment.course_id, is_active=True
    ).first()
    if membership is None:
        raise Http404("No such submission.")
    if not sees_all_submissions(membership) and submission.student_id != user.pk:
        raise Http404("No such submission.")
    return submission, membership


def grading_run_list(*, submission: Submission) -> QuerySet[GradingRun]:
    """Every grading of the submission, oldest first (a regrade adds one, erasing nothing)."""
    return GradingRun.objects.filter(submission=submission).order_by("number")


def visible_results(
    *, results: dict[str, Any], due_at: dt.datetime, now: dt.datetime, full: bool
) -> dict[str, Any]:
    """The results as the viewer may see them.

    Staff (`full`) see everything. Others: until the due date, hidden checks show only how many
    passed (`hidden_checks`), and after_due checks are left out, only counted with their points
    (`after_due_checks`); after the due date everything opens. Before it, `score` and
    `max_score` are those of what is shown, the listed checks and the hidden ones, so that what
    a student reads adds up: an after_due check counts only once it is shown.
    """
    if full or now >= due_at or not results:
        return results
    shown, hidden_total, hidden_passed = [], 0, 0
    later_total, later_points, counted, counted_max = 0, 0.0, 0.0, 0.0
    for test in results.get("tests", []):
        if test.get("visibility") == "after_due_date":
            later_total += 1
            later_points += _points(test.get("max_score"))
            continue
        counted += _points(test.get("score"))
        counted_max += _points(test.get("max_score"))
        if test.get("visibility") == "hidden":
            hidden_total += 1
            hidden_passed += int(test.get("status") == "passed")
        else:
            shown.append(test)
    visible = {**results, "tests": shown}
    if hidden_total:
        visible["hidden_checks"] = {"passed": hidden_passed, "total": hidden_total}
    if later_total:
        visible["after_due_checks"] = {"total": later_total, "max_score": round(later_points, 2)}
        if results.get("score") is not None:
            visible["score"] = round(counted, 2)
        visible["max_score"] = round(counted_max, 2)
    return visible


def _points(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def shown_score(
    *, submission: Submission, now: dt.datetime, full: bool
) -> tuple[float | None, float | None]:
    """The score and maximum the viewer is shown for `submission`: before the due date, a
    student's leave out the checks that open after it (``visible_results``)."""
    results = visible_results(
        results=submission.results or {}, due_at=submission.assignment.due_at, now=now, full=full
    )
    if "after_due_checks" not in results or submission.late_days:
        return submission.score, submission.max_score
    return results.get("score"), results.get("max_score")


def not_gradable_recently(*, assignment: Assignment, hours: int = 24) -> int:
    """How many attempts the grader failed on (status error) in the last `hours`: shown to staff
    as an alert, since each one waits for a regrade."""
    since = timezone.now() - dt.timedelta(hours=hours)
    return Submission.objects.filter(
        assignment=assignment, status=SubmissionStatus.ERROR, finished_at__gte=since
    ).count()


def submission_student(*, membership: Membership, username: str | None) -> Any:
    """Whom a submission by `membership` is for: a student submits only for themself; the
    course's autograder names an active student of the course. Raises PermissionDenied for
    anyone else (staff included) and ValidationError naming `student` for a bad name."""
    if membership.role == Role.STUDENT:
        if username not in (None, membership.user.get_username()):
            raise PermissionDenied("Students submit only for themselves.")
        return membership.user
    if membership.role != Role.AUTOGRADER:
        raise PermissionDenied("Only students and the course's autograder submit.")
    if not username:
        raise ValidationError({"student": "an autograder names the student it submits for"})
    student = get_user_model().objects.filter(username=username).first()
    is_student = (
        student is not None
        and Membership.objects.filter(
            user=student, course_id=membership.course_id, role=Role.STUDENT, is_active=True
        ).exists()
    )
    if not is_student:
        raise ValidationError({"student": f"{username!r} is not a student of this course"})
    return student


# The engine's words for a file that never got as far as defining its functions
# (convlab/grading/engine.py): every case of every check then fails with the same message.
_IMPORT_FAILURES = ("Your file could not be imported:", "Your file did not finish importing:")
_NEXT_CASE = re.compile(r"\n- (?:case |\.\.\. and )")


def _import_failure(output: str) -> str | None:
    """The error after the engine's words for an unimportable file, up to the next case."""
    found = sorted((output.find(m), m) for m in _IMPORT_FAILURES if m in output)
    if not found:
        return None
    start, marker = found[0]
    text = output[start + len(marker) :]
    end = _NEXT_CASE.search(text)
    return (text[: end.start()] if end else text).strip() or marker


def feedback(*, results: dict[str, Any]) -> dict[str, Any]:
    """The checks of (visible) `results` as the submission page lays them out: failures first,
    then passes, each in the order the suite lists them; and `import_error`, the error once,
    when the file could not be imported (then no check says more than that it did not run).
    """
    tests = [dict(test) for test in results.get("tests", []) if isinstance(test, dict)]
    failed = [t for t in tests if t.get("status") != "passed"]
    errors = [_import_failure(str(t.get("output", ""))) for t in failed]
    import_error = errors[0] if failed and all(errors) else None
    if import_error is not None:
        for test in failed:
            test["output"] = "Not run: your file could not be imported (see the message above)."
            test.pop("extra_data", None)
    ordered = failed + [t for t in tests if t.get("status") == "passed"]
    return {"tests": ordered, "import_error": import_error}
