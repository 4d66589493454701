from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from convlab.models import Submission
from courses.models import (
    Announcement,
    ApiToken,
    CalendarException,
    Course,
    Membership,
)
from courses.selectors import course_sessions
from presentations.models import PresenterGroup, ScheduleStatus, SwapRequest, SwapStatus
from presentations.selectors import schedule_published
from reviews.models import Paper, Review, ReviewRating, ReviewVersion

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        Course.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
        CalendarException.objects.count(),
        Announcement.objects.count(),
        ApiToken.objects.filter(revoked_at=None).count(),
        Paper.objects.count(),
        Review.objects.count(),
        ReviewVersion.objects.count(),
        ReviewRating.objects.count(),
        Submission.objects.count(),
        PresenterGroup.objects.count(),
        SwapRequest.objects.count(),
    )


def fall_2017() -> Course:
    return Course.objects.get(code="CS 7643", term="Fall 2017")


def current() -> Course:
    return Course.objects.get(code="CS 7643", archived=False)


def test_it_seeds_both_courses_once() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first
    assert first[:3] == (2, 15, 30)
    assert first[5] == 1
    roles = sorted(Membership.objects.filter(course=current()).values_list("role", flat=True))
    assert roles.count("student") == 12
    assert {"instructor", "ta", "autograder"} <= set(roles)
    text = out.getvalue()
    assert f"Current course: CS 7643 ({current().term}) (id {current().pk})" in text
    assert f"Archived course: CS 7643 (Fall 2017) (id {fall_2017().pk})" in text
    assert "password 'deep-learning-2017'" in text
    assert "student1" in text
    assert "API token of the autograder account: cp_" in text
    assert f"http://127.0.0.1:8000/api/v1/courses/{current().pk}/sessions/" in text


def test_it_prints_the_port_the_portal_serves_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8080")
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "http://127.0.0.1:8080/api/v1/" in out.getvalue()


def test_it_keeps_the_fall_2017_course_as_it_was_archived() -> None:
    call_command("seed_demo", stdout=StringIO())
    course = fall_2017()
    assert course.archived
    assert (course.first_day, course.last_day) == (dt.date(2017, 8, 22), dt.date(2017, 12, 7))
    assert CalendarException.objects.filter(course=course).count() == 4
    assert Announcement.objects.filter(course=course).count() == 5
    assert Membership.objects.filter(course=course).count() == 15
    assert PresenterGroup.objects.filter(course=course).count() == 6
    assert not Paper.objects.filter(course=course).exists()
    assert not Submission.objects.filter(assignment__course=course).exists()
    assert schedule_published(course=course) is None
    sessions = {s.date: s for s in course_sessions(course=course)}
    assert not sessions[dt.date(2017, 10, 3)].meets
    assert sessions[dt.date(2017, 10, 5)].meets
    assert not sessions[dt.date(2017, 10, 5)].has_presentations
    assert sessions[dt.date(2017, 10, 10)].label == "No class — Fall break"
    assert sessions[dt.date(2017, 11, 23)].label == "No class — Thanksgiving"
    assert sessions[dt.date(2017, 10, 12)].has_presentations


def test_the_seed_function_alone_makes_only_fall_2017() -> None:
    from demo.seed import seed_demo

    result = seed_demo()
    assert result.current is None
    assert list(Course.objects.all()) == [result.course] == [fall_2017()]


def test_the_current_course_has_the_seed_pattern_around_today() -> None:
    call_command("seed_demo", stdout=StringIO())
    course, today = current(), timezone.localdate()
    assert course.first_day <= today <= course.last_day
    assert course.meeting_days == [1, 3]
    assert course.presenters_per_class == 6
    sessions = {s.date: s for s in course_sessions(course=course)}
    exceptions = list(CalendarException.objects.filter(course=course).exclude(reason="holiday"))
    assert [(e.kind, e.reason) for e in exceptions] == [
        ("no_class", "cancelled"),
        ("guest_lecture", ""),
        ("no_class", "break"),
    ]
    cancelled, guest, break_day = (e.date for e in exceptions)
    resumes = break_day + dt.timedelta(days=2)
    assert [d.weekday() for d in (cancelled, guest, break_day, resumes)] == [1, 3, 1, 3]
    assert (guest - cancelled, break_day - guest) == (dt.timedelta(days=2), dt.timedelta(days=5))
    assert not sessions[cancelled].meets
    assert sessions[guest].meets
    assert not sessions[guest].has_papers
    assert not sessions[guest].has_presentations
    assert sessions[break_day].label.endswith("break")
    assert sessions[resumes].has_presentations
    changes = [e.date for e in CalendarException.objects.filter(course=course)]
    assert min(changes) < today <= max(changes)  # some past, some to come
    if course.term.startswith("Fall") and course.first_day <= dt.date(today.year, 11, 26):
        holiday = CalendarException.objects.get(course=course, reason="holiday")
        assert sessions[holiday.date].label == "No class — Thanksgiving"


def test_the_current_course_has_something_to_do_on_every_page() -> None:
    call_command("seed_demo", stdout=StringIO())
    course, now = current(), timezone.now()
    papers = list(Paper.objects.filter(course=course))
    released = [p for p in papers if p.review_deadline <= now]
    upcoming = [p for p in papers if p.review_deadline > now]
    assert len(released) == 2
    assert len(upcoming) == 4
    assert all(p.reviews.count() == 4 for p in released)
    assert Review.objects.filter(paper__in=released, is_late=True).count() == 2
    assert ReviewRating.objects.filter(review__paper__in=released).count() == 4
    in_progress = Review.objects.filter(paper__in=upcoming)
    assert in_progress.count() == 2
    assert max(r.versions.count() for r in in_progress) == 2

    schedule = schedule_published(course=course)
    assert schedule is not None
    assert schedule.status == ScheduleStatus.PUBLISHED
    slots = list(schedule.slots.all())
    assert len(slots) == 6
    assert all(s.date > timezone.localdate() + dt.timedelta(days=1) for s in slots)
    swap = SwapRequest.objects.get(course=course)
    assert swap.status == SwapStatus.REQUESTED
    assert swap.requested_by is not None
    assert swap.requested_by.username == "student1"

    submissions = Submission.objects.filter(assignment__course=course).order_by("student_id")
    assert [s.student.username for s in submissions] == ["student1", "student2", "student3"]
    assert all(s.assignment.due_at > now for s in submissions)
    assert all(s.assignment.opens_at < now for s in submissions)


def test_the_home_page_lists_the_archived_course_apart(client: Client) -> None:
    call_command("seed_demo", stdout=StringIO())
    client.force_login(get_user_model().objects.get(username="student1"))
    page = client.get("/").content.decode()
    assert page.index(current().term) < page.index("<h2>Archived</h2>") < page.index("Fall 2017")


def test_it_prints_a_working_token(client):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    key = out.getvalue().split("API token of the autograder account: ")[1].split()[0]
    response = client.get("/api/v1/courses/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert {c["role"] for c in response.json()} == {"autograder"}


def test_the_seeded_submissions_grade_as_one_correct_and_two_buggy() -> None:
    """What the worker `make run` starts does with them: claim, grade in the sandbox, finish."""
    from convlab import services
    from convlab.sandbox import bwrap_path
    from convlab.suites import transposed_convolutions as suite
    from tests.conftest import require

    require(bwrap_path() is not None, "bubblewrap is not installed (apt-get install bubblewrap)")
    call_command("seed_demo", stdout=StringIO())
    graded = {}
    for submission in Submission.objects.filter(assignment__course=current()):
        services.submission_enqueue(submission_id=submission.pk)
        task = f"demo-{submission.pk}"
        claimed = services.submission_claim(submission_id=submission.pk, task_id=task, worker="t")
        assert claimed is not None
        result = services.submission_grade(submission=claimed)
        done = services.submission_finish(submission_id=submission.pk, task_id=task, result=result)
        assert done is not None
        graded[submission.student.username] = done
    assert all(s.gradable and s.late_days == 0 for s in graded.values())
    assert graded["student1"].score == graded["student1"].max_score == 100
    assert all((graded[name].score or 0) < 100 for name in ("student2", "student3"))
    assert suite.OVERLAP in str(graded["student2"].results)
    assert suite.BIAS in str(graded["student3"].results)
