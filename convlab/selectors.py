"""Reads of the convlab app, with who may see which submission and which checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from convlab.models import Assignment, GradingRun, Submission, SubmissionStatus
from courses.models import Course, Membership, Role


def assignment_list(*, course: Course) -> QuerySet[Assignment]:
    return Assignment.objects.filter(course=course)


def assignment_get(*, course: Course, slug: str) -> Assignment:
    assignment = Assignment.objects.filter(course=course, slug=slug).first()
    if assignment is None:
        raise Http404("No such assignment.")
    return assignment


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
    passed, and after_due checks are left out; after the due date everything opens.
    """
    if full or now >= due_at or not results:
        return results
    shown, hidden_total, hidden_passed = [], 0, 0
    for test in results.get("tests", []):
        if test.get("visibility") == "hidden":
            hidden_total += 1
            hidden_passed += int(test.get("status") == "passed")
        elif test.get("visibility") != "after_due_date":
            shown.append(test)
    visible = {**results, "tests": shown}
    if hidden_total:
        visible["hidden_checks"] = {"passed": hidden_passed, "total": hidden_total}
    return visible


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
