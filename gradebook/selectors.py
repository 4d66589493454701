"""Reads of the gradebook: every grade is computed from the rows of the other apps, now.

The policy, in one place:

- Reviews: each paper whose review deadline has passed is worth the course's `review_points`.
  An on-time review earns them all; a late review (marked late by the reviews app when it was
  submitted after the deadline) earns `late_review_fraction` of them; no review earns 0.
  Papers whose deadline is still ahead count for nothing yet, on either side of the fraction.
- Convlab: per assignment, the student's best final score, where final means after the
  assignment's own late penalty (`convlab.services.penalized`, stored as `Submission.score`).
  Only done, gradable submissions count: a grading that failed for infrastructure reasons is
  never a zero. Ties go to the earliest submission. No gradable submission: no grade (blank).
- Presentations: the staff-entered score of the student's presenter group, out of the course's
  `presentation_points`. No group or no score yet: no grade (blank).

Only active students are graded; staff, autograders and dropped students are not.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from convlab.grading import load_assignment
from convlab.models import Assignment, Submission, SubmissionStatus
from courses.academic_calendar import ClassSession
from courses.models import Course, Membership, Role
from courses.selectors import course_pattern, course_sessions
from gradebook.models import GradePolicy, PresentationGrade
from presentations.models import GroupMember, PresenterGroup, ScheduleChange
from reviews.models import Paper, Review

REVIEWS = "reviews"
PRESENTATION = "presentation"


@dataclass(frozen=True)
class GradeColumn:
    """One graded column of the export: reviews, the presentation, or a convlab assignment."""

    key: str
    title: str
    points_possible: float


@dataclass(frozen=True)
class GradedItem:
    """One line of a student's detail: what was graded, and how its final score came about."""

    column: str
    name: str
    raw_score: float | None
    max_score: float
    late_days: int
    penalty: float
    final_score: float | None
    note: str = ""


@dataclass
class StudentGrades:
    user_id: int
    username: str
    first_name: str
    last_name: str
    email: str
    items: list[GradedItem] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    # The membership's LMS identity as the roster file wrote it (courses.Membership).
    section: str = ""
    sis_id: str = ""
    sis_login_id: str = ""
    lms_user_id: str = ""
    lms_name: str = ""

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.username

    @property
    def sortable_name(self) -> str:
        """ "Last, First" as Canvas writes it; the username when the account has no name."""
        if self.last_name and self.first_name:
            return f"{self.last_name}, {self.first_name}"
        return self.last_name or self.first_name or self.username


@dataclass(frozen=True)
class Gradebook:
    columns: list[GradeColumn]
    students: list[StudentGrades]


def grade_policy_get(*, course: Course) -> GradePolicy:
    """The course's policy; an unsaved row with the defaults when staff never set one."""
    return GradePolicy.objects.filter(course=course).first() or GradePolicy(course=course)


def _points_possible(assignment: Assignment) -> float:
    """The suite's total points; when the suite cannot be loaded any more, the largest
    max_score a grading recorded (0 when there was none)."""
    extra = Path(settings.CONVLAB_SUITES_DIR) if settings.CONVLAB_SUITES_DIR else None
    try:
        return load_assignment(assignment.suite, extra).max_score
    except (LookupError, TypeError, ImportError, SyntaxError):
        recorded = (
            Submission.objects.filter(assignment=assignment, max_score__isnull=False)
            .order_by("-max_score")
            .values_list("max_score", flat=True)
            .first()
        )
        return float(recorded or 0)


def assignment_column_key(assignment: Assignment) -> str:
    return f"convlab:{assignment.slug}"


def grade_columns(
    *, policy: GradePolicy, released_papers: int, assignments: list[Assignment]
) -> list[GradeColumn]:
    """Reviews, the presentation, then each convlab assignment in the order given."""
    columns = [
        GradeColumn(REVIEWS, "Reviews", round(released_papers * policy.review_points, 4)),
        GradeColumn(PRESENTATION, "Presentation", policy.presentation_points),
    ]
    for assignment in assignments:
        columns.append(
            GradeColumn(
                assignment_column_key(assignment), assignment.title, _points_possible(assignment)
            )
        )
    return columns


def _review_late_days(review: Review, deadline: dt.datetime) -> int:
    if not review.is_late:
        return 0
    return max(1, math.ceil((review.submitted_at - deadline) / dt.timedelta(days=1)))


def _review_items(
    papers: list[Paper], reviews: dict[int, Review], policy: GradePolicy
) -> list[GradedItem]:
    items = []
    points = policy.review_points
    for paper in papers:
        review = reviews.get(paper.pk)
        name = f"Review of “{paper.title}” ({paper.session_date:%Y-%m-%d})"
        if review is None:
            items.append(GradedItem(REVIEWS, name, None, points, 0, 0.0, 0.0, "no review"))
            continue
        late_days = _review_late_days(review, paper.review_deadline)
        penalty = round(points * (1 - policy.late_review_fraction), 4) if review.is_late else 0.0
        note = "late" if review.is_late else "on time"
        items.append(
            GradedItem(
                REVIEWS, name, points, points, late_days, penalty, round(points - penalty, 4), note
            )
        )
    return items


def _best_submission(submissions: list[Submission]) -> Submission | None:
    """The highest final score; `submissions` come in the order received, so a tie keeps the
    earliest."""
    best: Submission | None = None
    for submission in submissions:
        if submission.score is None:
            continue
        if best is None or best.score is None or submission.score > best.score:
            best = submission
    return best


def _convlab_item(
    column: GradeColumn, assignment: Assignment, submissions: list[Submission]
) -> GradedItem:
    best = _best_submission(submissions)
    if best is None:
        return GradedItem(
            column.key,
            assignment.title,
            None,
            column.points_possible,
            0,
            0.0,
            None,
            "no gradable submission",
        )
    final = cast(float, best.score)  # _best_submission picks only scored submissions
    raw = best.raw_score if best.raw_score is not None else final
    return GradedItem(
        column.key,
        assignment.title,
        raw,
        best.max_score if best.max_score is not None else column.points_possible,
        best.late_days,
        round(raw - final, 4),
        final,
        f"best of {len(submissions)} graded attempt(s): attempt {best.attempt}",
    )


def _presentation_item(
    group: PresenterGroup | None, grade: PresentationGrade | None, policy: GradePolicy
) -> GradedItem:
    points = policy.presentation_points
    if group is None:
        return GradedItem(PRESENTATION, "Presentation", None, points, 0, 0.0, None, "no group")
    name = f"Presentation ({group.name})"
    if grade is None:
        return GradedItem(PRESENTATION, name, None, points, 0, 0.0, None, "not graded yet")
    return GradedItem(PRESENTATION, name, grade.score, points, 0, 0.0, grade.score, grade.comment)


def _students(course: Course, user_ids: Iterable[int] | None) -> QuerySet[Membership]:
    members = Membership.objects.filter(course=course, role=Role.STUDENT, is_active=True)
    if user_ids is not None:
        members = members.filter(user_id__in=list(user_ids))
    return members.select_related("user").order_by(
        "user__last_name", "user__first_name", "user__username"
    )


def gradebook_compute(
    *, course: Course, now: dt.datetime, user_ids: Iterable[int] | None = None
) -> Gradebook:
    """Every active student's grades (or those of `user_ids` only), in a constant number of
    queries whatever the size of the course."""
    policy = grade_policy_get(course=course)
    papers = list(
        Paper.objects.filter(course=course, review_deadline__lte=now).order_by(
            "review_deadline", "session_date", "pk"
        )
    )
    assignments = list(Assignment.objects.filter(course=course).order_by("due_at", "slug"))
    columns = grade_columns(policy=policy, released_papers=len(papers), assignments=assignments)
    rows = {
        m.user_id: StudentGrades(
            m.user_id,
            m.user.username,
            m.user.first_name,
            m.user.last_name,
            m.user.email,
            section=m.section,
            sis_id=m.sis_id,
            sis_login_id=m.sis_login_id,
            lms_user_id=m.lms_user_id,
            lms_name=m.lms_name,
        )
        for m in _students(course, user_ids)
    }
    ids = list(rows)
    reviews: dict[int, dict[int, Review]] = {uid: {} for uid in rows}
    for review in Review.objects.filter(paper__in=papers, author_id__in=ids):
        reviews[review.author_id][review.paper_id] = review
    groups = {
        gm.user_id: gm.group
        for gm in GroupMember.objects.filter(course=course, user_id__in=ids).select_related("group")
    }
    grades = {
        g.group_id: g
        for g in PresentationGrade.objects.filter(group__in={g.pk for g in groups.values()})
    }
    graded: dict[tuple[int, int], list[Submission]] = {}
    for submission in Submission.objects.filter(
        assignment__course=course,
        student_id__in=ids,
        status=SubmissionStatus.DONE,
        gradable=True,
        score__isnull=False,
    ).order_by("received_at", "pk"):
        graded.setdefault((submission.student_id, submission.assignment_id), []).append(submission)

    for uid, row in rows.items():
        row.items.extend(_review_items(papers, reviews[uid], policy))
        group = groups.get(uid)
        row.items.append(_presentation_item(group, grades.get(group.pk) if group else None, policy))
        for column, assignment in zip(columns[2:], assignments, strict=True):
            row.items.append(
                _convlab_item(column, assignment, graded.get((uid, assignment.pk), []))
            )
        row.scores = _totals(row.items)
    return Gradebook(columns=columns, students=list(rows.values()))


def _totals(items: list[GradedItem]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for item in items:
        if item.final_score is not None:
            totals[item.column] = round(totals.get(item.column, 0.0) + item.final_score, 4)
    return totals


def student_grades_get(
    *, membership: Membership, student_id: int, now: dt.datetime
) -> tuple[Gradebook, StudentGrades]:
    """One student's grades, as `membership` may see them.

    A student sees their own only, staff anyone graded in their course; the course's
    autograder sees none (it acts for students, it does not read their grades). Someone who
    is not an active student of the course is answered 404, like any other student's grades.
    """
    if membership.role == Role.AUTOGRADER:
        raise PermissionDenied("The autograder account does not read grades.")
    if not membership.is_staff_role and membership.user_id != student_id:
        raise Http404("No such student.")
    book = gradebook_compute(course=membership.course, now=now, user_ids=[student_id])
    if not book.students:
        raise Http404("No such student.")
    return book, book.students[0]


def presentation_grade_of(group: PresenterGroup) -> PresentationGrade | None:
    try:
        return group.presentation_grade
    except PresentationGrade.DoesNotExist:
        return None


def presentation_group_list(*, course: Course) -> QuerySet[PresenterGroup]:
    """The course's presenter groups with their members and score, for the grading form."""
    return (
        PresenterGroup.objects.filter(course=course)
        .select_related("presentation_grade")
        .prefetch_related(Prefetch("members", queryset=GroupMember.objects.select_related("user")))
        .order_by("name", "pk")
    )


# --- the staff home ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassOutlook:
    """Today's class and the next one, each with a sentence that says why when there is none."""

    today: ClassSession | None
    today_text: str
    next_class: ClassSession | None
    next_text: str
    # Scheduled class days between today and the next class that do not meet (with reasons).
    skipped: list[ClassSession]


def _session_text(session: ClassSession) -> str:
    start, end = session.starts_at, session.ends_at
    when = f"{session.date:%a, %b} {session.date.day}, {start:%H:%M}–{end:%H:%M}"
    return f"{when}: {session.label}"


def class_outlook(*, course: Course, now: dt.datetime) -> ClassOutlook:
    sessions = course_sessions(course=course)
    today = now.astimezone(ZoneInfo(course.time_zone)).date()
    session = next((s for s in sessions if s.date == today), None)
    if session is not None:
        today_text = _session_text(session) if session.meets else session.label
    elif today < course.first_day:
        today_text = f"No class today: the term starts on {course.first_day:%a, %b} "
        today_text += f"{course.first_day.day}, {course.first_day.year}."
    elif today > course.last_day:
        today_text = f"No class today: the term ended on {course.last_day:%a, %b} "
        today_text += f"{course.last_day.day}, {course.last_day.year}."
    else:
        days = course_pattern(course=course).describe_weekdays()
        today_text = f"No class today: the course meets on {days}."
    later = [s for s in sessions if s.date > today]
    next_class = next((s for s in later if s.meets), None)
    skipped = [s for s in later if not s.meets and (next_class is None or s.date < next_class.date)]
    if next_class is not None:
        next_text = _session_text(next_class)
    elif sessions and today >= course.last_day:
        next_text = f"No next class: the term ended on {course.last_day:%a, %b} "
        next_text += f"{course.last_day.day}, {course.last_day.year}."
    else:
        next_text = "No next class: no class meets for the rest of the term."
    return ClassOutlook(session, today_text, next_class, next_text, skipped)


@dataclass(frozen=True)
class PaperDue:
    paper: Paper
    submitted: int
    students: int


@dataclass(frozen=True)
class ReviewFigures:
    due_soon: list[PaperDue]  # deadline within the next week
    late_total: int  # reviews marked late, all term
    late_recent: int  # of which submitted within the last week


def review_figures(*, course: Course, now: dt.datetime, days: int = 7) -> ReviewFigures:
    week = dt.timedelta(days=days)
    students = _students(course, None)
    student_ids = list(students.values_list("user_id", flat=True))
    papers = Paper.objects.filter(
        course=course, review_deadline__gt=now, review_deadline__lte=now + week
    ).annotate(
        submitted=Count("reviews", filter=Q(reviews__author_id__in=student_ids), distinct=True)
    )
    late = Review.objects.filter(paper__course=course, is_late=True)
    return ReviewFigures(
        due_soon=[
            PaperDue(p, p.submitted, len(student_ids))
            for p in papers.order_by("review_deadline", "pk")
        ],
        late_total=late.count(),
        late_recent=late.filter(submitted_at__gt=now - week).count(),
    )


@dataclass(frozen=True)
class GradingFigures:
    queued: int  # received or queued: waiting for a worker
    running: int
    failed_recent: int  # not gradable, received within the last 24 hours
    failed_total: int
    finished_last_hour: int
    # Median of finished - received over the gradings that finished in the last hour (seconds).
    latency_p50: float | None


def grading_figures(*, course: Course, now: dt.datetime) -> GradingFigures:
    submissions = Submission.objects.filter(assignment__course=course)
    counts = dict(
        submissions.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    failed = submissions.filter(status=SubmissionStatus.ERROR)
    finished = (
        submissions.filter(
            finished_at__gt=now - dt.timedelta(hours=1),
            finished_at__lte=now,
            status__in=[SubmissionStatus.DONE, SubmissionStatus.ERROR],
        )
        .annotate(runs_count=Count("runs"))
        .values_list("received_at", "queued_at", "finished_at", "runs_count")
    )
    # A first grading counts from the upload; a regrade from when it was queued again (not from
    # the upload, which may be days before).
    latencies = [
        (end - (received if runs <= 1 or queued is None else queued)).total_seconds()
        for received, queued, end, runs in finished
        if end is not None
    ]
    return GradingFigures(
        queued=counts.get(SubmissionStatus.RECEIVED, 0) + counts.get(SubmissionStatus.QUEUED, 0),
        running=counts.get(SubmissionStatus.RUNNING, 0),
        failed_recent=failed.filter(received_at__gt=now - dt.timedelta(days=1)).count(),
        failed_total=counts.get(SubmissionStatus.ERROR, 0),
        finished_last_hour=len(latencies),
        latency_p50=round(statistics.median(latencies), 3) if latencies else None,
    )


def recent_schedule_changes(*, course: Course, count: int = 5) -> list[ScheduleChange]:
    return list(
        ScheduleChange.objects.filter(course=course)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:count]
    )
