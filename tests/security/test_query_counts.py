"""No N+1 queries: every list endpoint and list page costs the same with 50 rows as with 5.

Each case grows one kind of row in the world: the page or endpoint is read once to warm up,
counted with 5 rows, grown to 50 and counted again. A query per row shows as 45 more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from convlab.models import Assignment, Submission, SubmissionStatus
from courses import services as course_services
from courses.models import Announcement, ApiToken, CalendarException, Membership
from presentations.models import (
    GroupMember,
    PresentationSchedule,
    PresenterGroup,
    ScheduleChange,
    Slot,
    SwapRequest,
)
from reviews.models import Paper, Review, ReviewRating, ReviewVersion
from tests.factories import make_course, make_user
from tests.security.world import REVIEW, World, build_world

pytestmark = pytest.mark.django_db

FEW, MANY = 5, 50
# Queries a list may add with 45 more rows: none. A query per row would add 45.
ALLOWED_GROWTH = 0

Grow = Callable[[World, int, int], None]  # (world, first index, end index): add those rows


def _students(world: World, start: int, end: int) -> list[Any]:
    users = [make_user(f"student-{i}") for i in range(start, end)]
    Membership.objects.bulk_create(
        Membership(user=user, course=world.course, role="student") for user in users
    )
    return users


def grow_announcements(world: World, start: int, end: int) -> None:
    Announcement.objects.bulk_create(
        Announcement(course=world.course, author=world.users["instructor"], title=f"News {i}")
        for i in range(start, end)
    )


def grow_exceptions(world: World, start: int, end: int) -> None:
    # Past days only: no paper, group or published slot is on them.
    CalendarException.objects.bulk_create(
        CalendarException(
            course=world.course, date=world.day(-59 + i), kind="no_class", reason="holiday"
        )
        for i in range(start, end)
        if world.day(-59 + i) != world.released_paper.session_date
    )


def grow_papers(world: World, start: int, end: int) -> None:
    deadline = timezone.now() - dt.timedelta(days=1)
    Paper.objects.bulk_create(
        Paper(course=world.course, session_date=world.day(-30), title=f"Paper {i}",
              review_deadline=deadline)
        for i in range(start, end)
    )  # fmt: skip


def grow_reviews(world: World, start: int, end: int) -> None:
    """Reviews of the released paper by new students, each rated once."""
    now = timezone.now()
    reviews = Review.objects.bulk_create(
        Review(paper=world.released_paper, author=student, submitted_at=now, updated_at=now,
               finding_counts={"vague_negative": 1}, **REVIEW)
        for student in _students(world, start, end)
    )  # fmt: skip
    ReviewRating.objects.bulk_create(
        ReviewRating(review=review, rater=world.carol, helpful=True) for review in reviews
    )


def grow_versions(world: World, start: int, end: int) -> None:
    review = world.own_review
    ReviewVersion.objects.bulk_create(
        ReviewVersion(review=review, number=i + 2, created_at=timezone.now(),
                      **REVIEW)
        for i in range(start, end)
    )  # fmt: skip


def grow_groups(world: World, start: int, end: int) -> None:
    """Groups of one new student each, on the published schedule and the draft."""
    students = _students(world, start, end)
    groups = PresenterGroup.objects.bulk_create(
        PresenterGroup(course=world.course, name=f"Group {i}") for i in range(start, end)
    )
    GroupMember.objects.bulk_create(
        GroupMember(group=group, course=world.course, user=student)
        for group, student in zip(groups, students, strict=True)
    )
    for schedule in (world.published, world.draft):
        Slot.objects.bulk_create(
            Slot(schedule=schedule, group=group, date=world.day(36), order=i + 10)
            for i, group in enumerate(groups)
        )


def grow_schedules(world: World, start: int, end: int) -> None:
    schedules = PresentationSchedule.objects.bulk_create(
        PresentationSchedule(course=world.course, version=100 + i) for i in range(start, end)
    )
    Slot.objects.bulk_create(
        Slot(schedule=schedule, group=group, date=world.day(30))
        for schedule in schedules
        for group in (world.group, world.carol_group)
    )


def grow_changes(world: World, start: int, end: int) -> None:
    ScheduleChange.objects.bulk_create(
        ScheduleChange(course=world.course, kind="adjusted", message=f"Change {i}",
                       actor=world.users["instructor"])
        for i in range(start, end)
    )  # fmt: skip


def grow_swaps(world: World, start: int, end: int) -> None:
    SwapRequest.objects.bulk_create(
        SwapRequest(course=world.course, from_group=world.carol_group, to_group=world.group,
                    status="accepted", requested_by=world.carol)
        for _ in range(start, end)
    )  # fmt: skip


def grow_assignments(world: World, start: int, end: int) -> None:
    now = timezone.now()
    Assignment.objects.bulk_create(
        Assignment(course=world.course, slug=f"lab-{i}", title=f"Lab {i}",
                   suite="transposed-convolutions", opens_at=now, due_at=now)
        for i in range(start, end)
    )  # fmt: skip


def grow_submissions(world: World, start: int, end: int) -> None:
    """Graded attempts of the student (whose own list staff and the student both read)."""
    Submission.objects.bulk_create(
        Submission(assignment=world.assignment, student=world.users["student"],
                   submitted_by=world.users["student"], file="submissions/x.py", sha256="0" * 64,
                   attempt=i + 2, status=SubmissionStatus.DONE, gradable=True, score=5.0,
                   max_score=10.0, results=world.submission.results, received_at=timezone.now())
        for i in range(start, end)
    )  # fmt: skip


def grow_tokens(world: World, start: int, end: int) -> None:
    ApiToken.objects.bulk_create(
        ApiToken(user=world.users["instructor"], name=f"token {i}", prefix="cp_x",
                 key_hash=f"{i:064d}")
        for i in range(start, end)
    )  # fmt: skip


def grow_courses(world: World, start: int, end: int) -> None:
    """More courses of the instructor (course_create checks each, as the admin would)."""
    for i in range(start, end):
        course = make_course(code=f"CS {8000 + i}", term="Matrix term")
        course_services.membership_set(course=course, user=world.users["instructor"], role="ta")


@dataclass(frozen=True)
class Case:
    name: str  # URL pattern name
    grow: Grow
    role: str = "instructor"
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {"course_id": w.course.pk}

    def __str__(self) -> str:
        return f"{self.name}-{self.grow.__name__.removeprefix('grow_')}-{self.role}"


def _paper(w: World) -> dict[str, Any]:
    return {"course_id": w.course.pk, "paper_id": w.released_paper.pk}


def _review(w: World) -> dict[str, Any]:
    return {"course_id": w.course.pk, "review_id": w.own_review.pk}


def _lab(w: World) -> dict[str, Any]:
    return {"course_id": w.course.pk, "slug": w.assignment.slug}


def _no_kwargs(w: World) -> dict[str, Any]:
    return {}


def _feed(w: World) -> dict[str, Any]:
    return {"key": w.feed_keys["instructor"], "course_id": w.course.pk}


def _my_feed(w: World) -> dict[str, Any]:
    return {"key": w.feed_keys["instructor"]}


CASES = [
    # API
    Case("api-course-list", grow_courses, kwargs=_no_kwargs),
    Case("api-course-sessions", grow_exceptions),
    Case("api-exception-list", grow_exceptions),
    Case("api-announcement-list", grow_announcements),
    Case("api-paper-list", grow_papers),
    Case("api-paper-list", grow_reviews),
    Case("api-paper-reviews", grow_reviews, kwargs=_paper),
    Case("api-paper-reviews", grow_reviews, role="student", kwargs=_paper),
    Case("api-review-versions", grow_versions, kwargs=_review),
    Case("api-group-list", grow_groups),
    Case("api-schedule-list", grow_schedules),
    Case("api-schedule-list", grow_groups),
    Case("api-schedule-changes", grow_changes),
    Case("api-swap-list", grow_swaps),
    Case("api-swap-list", grow_swaps, role="student"),
    Case("api-assignment-list", grow_assignments),
    Case("api-submission-list", grow_submissions, kwargs=_lab),
    Case("api-submission-list", grow_submissions, role="student", kwargs=_lab),
    Case("api-token-list", grow_tokens, kwargs=_no_kwargs),
    # pages
    Case("home", grow_courses, kwargs=_no_kwargs),
    Case("course-home", grow_announcements),
    Case("course-home", grow_exceptions),
    Case("course-calendar", grow_exceptions),
    Case("paper-list", grow_papers),
    Case("paper-list", grow_papers, role="student"),
    Case("paper-detail", grow_reviews, kwargs=_paper),
    Case("paper-detail", grow_reviews, role="student", kwargs=_paper),
    Case("review-dashboard", grow_reviews),
    Case("review-export", grow_reviews),
    Case("presentations", grow_groups),
    Case("presentations", grow_changes),
    Case("presentations-group", grow_groups, role="student"),
    Case("presentations-group", grow_swaps, role="student"),
    Case("presentations-manage", grow_groups),
    Case("presentations-manage", grow_swaps),
    Case("presentations-csv", grow_groups),
    Case("course-ics", grow_groups),
    Case("feed-course", grow_groups, kwargs=_feed),
    Case("feed-mine", grow_courses, kwargs=_my_feed),
    Case("feed-mine", grow_groups, kwargs=_my_feed),
    Case("labs", grow_assignments),
    Case("lab-assignment", grow_submissions, kwargs=_lab),
    Case("lab-assignment", grow_submissions, role="student", kwargs=_lab),
    Case("account", grow_tokens, kwargs=_no_kwargs),
]


def read(client: Client, url: str) -> tuple[int, int]:
    """The number of queries a GET costs, and the length of what it answers."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), len(response.content)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_it_reads_50_rows_with_as_many_queries_as_5(case: Case) -> None:
    world = build_world()
    client = Client()
    client.force_login(world.users[case.role])
    url = reverse(case.name, kwargs=case.kwargs(world))
    case.grow(world, 0, FEW)
    read(client, url)  # warm up: sessions, content types and other per-process caches
    few, few_size = read(client, url)
    case.grow(world, FEW, MANY)
    many, many_size = read(client, url)
    # The rows must show, or the count proves nothing (sessions change rather than grow).
    assert many_size != few_size, f"{case}: the new rows do not show in the answer"
    assert many - few <= ALLOWED_GROWTH, f"{case}: {few} queries for {FEW} rows, {many} for {MANY}"
