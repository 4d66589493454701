"""The demo course of the seed lecture: CS 7643 Deep Learning, Georgia Tech, Fall 2017.

`seed_demo()` is idempotent: running it again leaves one course, one of each exception and
announcement, and the same accounts (their passwords reset to the demo password).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from courses import services
from courses.academic_calendar import ExceptionKind, NoClassReason
from courses.models import Announcement, ApiToken, CalendarException, Course, Role
from presentations.models import PresenterGroup
from presentations.services.groups import group_create

DEMO_PASSWORD = "deep-learning-2017"  # noqa: S105 - demo accounts only, printed to the console
DEMO_TOKEN_NAME = "demo autograder token"  # noqa: S105 - a label, not a secret

STUDENT_NAMES = [
    ("Ada", "Lovelace"), ("Alan", "Turing"), ("Grace", "Hopper"), ("Claude", "Shannon"),
    ("Katherine", "Johnson"), ("John", "McCarthy"), ("Barbara", "Liskov"), ("Edsger", "Dijkstra"),
    ("Frances", "Allen"), ("Donald", "Knuth"), ("Radia", "Perlman"), ("Yann", "LeCun"),
]  # fmt: skip

EXCEPTIONS = [
    (dt.date(2017, 10, 3), ExceptionKind.NO_CLASS, NoClassReason.CANCELLED, ""),
    (dt.date(2017, 10, 5), ExceptionKind.GUEST_LECTURE, "", "Guest lecture by Dr. Stefan Lee"),
    (dt.date(2017, 10, 10), ExceptionKind.NO_CLASS, NoClassReason.BREAK, "Fall break"),
    (dt.date(2017, 11, 23), ExceptionKind.NO_CLASS, NoClassReason.HOLIDAY, "Thanksgiving"),
]

ANNOUNCEMENTS = [
    ("HW2 + PS2 out", "Homework 2 and problem set 2 are out."),
    ("No class on Tuesday 10/03", ""),
    (
        "Guest lecture by Dr. Stefan Lee on 10/05",
        "No papers to read. No student presentations.\nUse the time wisely to work (hint: HW+PS!)",
    ),
    ("No class on 10/10", "Fall break."),
    ("Next paper reading / student presentations: 10/12", ""),
]


# Six groups of two students; ranked dates (ISO) for the scheduler.
PRESENTER_GROUPS = [
    ("Visualizations", ["student1", "student2"], ["2017-10-12", "2017-10-17"]),
    ("Explanations", ["student3", "student4"], ["2017-10-12"]),
    ("Saliency maps", ["student5", "student6"], ["2017-10-12", "2017-10-19"]),
    ("Deconvnets", ["student7", "student8"], ["2017-10-17"]),
    ("Grad-CAM", ["student9", "student10"], ["2017-10-19"]),
    ("Adversarial examples", ["student11", "student12"], ["2017-10-24"]),
]


@dataclass(frozen=True)
class DemoResult:
    course: Course
    usernames: dict[str, list[str]]
    token: str


@transaction.atomic
def seed_demo() -> DemoResult:
    course = Course.objects.filter(code="CS 7643", term="Fall 2017").first()
    if course is None:
        course = services.course_create(
            code="CS 7643",
            title="Deep Learning",
            term="Fall 2017",
            time_zone="America/New_York",
            first_day=dt.date(2017, 8, 22),
            last_day=dt.date(2017, 12, 7),
            meeting_days=["Tue", "Thu"],
            meeting_start=dt.time(16, 30),
            meeting_end=dt.time(17, 45),
            presenters_per_class=6,
        )

    people: list[tuple[str, str, str, Role]] = [
        ("instructor", "Dhruv", "Batra", Role.INSTRUCTOR),
        ("ta", "Michael", "Cogswell", Role.TA),
        *[
            (f"student{i}", first, last, Role.STUDENT)
            for i, (first, last) in enumerate(STUDENT_NAMES, start=1)
        ],
        ("autograder", "Gradescope", "Autograder", Role.AUTOGRADER),
    ]
    usernames: dict[str, list[str]] = {}
    user_model = get_user_model()
    instructor = None
    for username, first, last, role in people:
        user, _ = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.edu"},
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        services.membership_set(course=course, user=user, role=role)
        usernames.setdefault(role.value, []).append(username)
        if role is Role.INSTRUCTOR:
            instructor = user

    for date, kind, reason, title in EXCEPTIONS:
        if not CalendarException.objects.filter(course=course, date=date).exists():
            services.calendar_exception_create(
                course=course, date=date, kind=kind, reason=reason, title=title
            )

    # Newest first on the page: create them in reverse so they read in the slide's order.
    for title, body in reversed(ANNOUNCEMENTS):
        if not Announcement.objects.filter(course=course, title=title).exists():
            services.announcement_create(course=course, author=instructor, title=title, body=body)

    _seed_presenter_groups(course)
    _seed_lab(course)

    # A token's key is shown only when it is made: replace the demo token on every run.
    autograder = user_model.objects.get(username="autograder")
    for old in ApiToken.objects.filter(user=autograder, name=DEMO_TOKEN_NAME, revoked_at=None):
        services.api_token_revoke(token=old)
    _, key = services.api_token_create(user=autograder, name=DEMO_TOKEN_NAME)
    return DemoResult(course=course, usernames=usernames, token=key)


def _seed_presenter_groups(course: Course) -> None:
    user_model = get_user_model()
    for name, usernames, preferences in PRESENTER_GROUPS:
        if PresenterGroup.objects.filter(course=course, name=name).exists():
            continue
        group_create(
            course=course,
            name=name,
            members=[user_model.objects.get(username=u) for u in usernames],
            preferences=[dt.date.fromisoformat(day) for day in preferences],
        )


def _seed_lab(course: Course) -> None:
    from convlab.models import Assignment

    # HW2 came out on 2017-09-26. Late work is accepted without penalty in the demo, so that
    # the lab can be tried today.
    Assignment.objects.get_or_create(
        course=course,
        slug="transposed-convolutions",
        defaults={
            "title": "Lab 2: transposed convolutions",
            "suite": "transposed-convolutions",
            "opens_at": dt.datetime(2017, 9, 26, 9, 0, tzinfo=dt.UTC),
            "due_at": dt.datetime(2017, 10, 19, 23, 59, tzinfo=dt.UTC),
            "late_penalty_percent_per_day": 0,
        },
    )
