"""The demo course of the seed lecture: CS 7643 Deep Learning, Georgia Tech, Fall 2017.

`seed_demo()` builds it, archived, exactly as the lecture's slides have it. With
`current_term=True` (the `seed_demo` command) it also builds the same course in the current term
(demo.terms): the seed's calendar pattern around today, papers with reviews in progress and
released, lab submissions (correct and buggy) queued for the grading worker, a published
presentation schedule and a pending swap, so that every page has something to do today.

Idempotent: running it again leaves the same courses, one of each exception, announcement, paper,
review, submission, schedule and swap, and the same accounts (their passwords reset to the demo
password).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from courses import services
from courses.academic_calendar import ExceptionKind, NoClassReason
from courses.models import Announcement, ApiToken, CalendarException, Course, Role
from courses.selectors import course_sessions
from demo.terms import TermPlan, plan_term
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
    course: Course  # Fall 2017, archived
    usernames: dict[str, list[str]]
    token: str
    current: Course | None = None  # the course in the current term, with current_term=True


COURSE_CODE = "CS 7643"
COURSE = {
    "code": COURSE_CODE,
    "title": "Deep Learning",
    "time_zone": "America/New_York",
    "meeting_days": ["Tue", "Thu"],
    "meeting_start": dt.time(16, 30),
    "meeting_end": dt.time(17, 45),
    "presenters_per_class": 6,
}


@transaction.atomic
def seed_demo(*, current_term: bool = False) -> DemoResult:
    """The Fall 2017 course (archived); with `current_term`, also the course of the term that
    contains today (in the portal's time zone, that of the courses)."""
    course = Course.objects.filter(code=COURSE_CODE, term="Fall 2017").first()
    if course is None:
        course = services.course_create(
            **COURSE,
            term="Fall 2017",
            first_day=dt.date(2017, 8, 22),
            last_day=dt.date(2017, 12, 7),
        )
    if not course.archived:
        services.course_update(course=course, archived=True)
    usernames = _seed_people(course)
    instructor = get_user_model().objects.get(username="instructor")

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

    current = None
    if current_term:
        current = _seed_current_term(timezone.localdate())

    # A token's key is shown only when it is made: replace the demo token on every run.
    autograder = get_user_model().objects.get(username="autograder")
    for old in ApiToken.objects.filter(user=autograder, name=DEMO_TOKEN_NAME, revoked_at=None):
        services.api_token_revoke(token=old)
    _, key = services.api_token_create(user=autograder, name=DEMO_TOKEN_NAME)
    return DemoResult(course=course, usernames=usernames, token=key, current=current)


def _seed_people(course: Course, *, reset_passwords: bool = True) -> dict[str, list[str]]:
    """The demo accounts, members of `course`; their usernames by role."""
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
    for username, first, last, role in people:
        user, _ = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.edu"},
        )
        if reset_passwords:  # slow on purpose (PBKDF2): once per run
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        services.membership_set(course=course, user=user, role=role)
        usernames.setdefault(role.value, []).append(username)
    return usernames


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


# The current term ---------------------------------------------------------------------------

SOLUTION = (Path(__file__).parent / "solutions" / "transposed_convolutions.py").read_bytes()
# Two misconceptions the lab's checks name: appended to the correct file, each replaces a function.
OVERLAP_BUG = b"""

def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    # Each input pixel's patch is written into the output: overlapping patches overwrite
    # each other instead of adding up.
    s, p, op, d = (_tup(v, 2) for v in (stride, padding, output_padding, dilation))
    k = w.shape[2:]
    cig, cog = x.shape[1] // groups, w.shape[1]
    full = [(n - 1) * ss + dd * (kk - 1) + 1 + o
            for n, ss, dd, kk, o in zip(x.shape[2:], s, d, k, op)]
    y = np.zeros((x.shape[0], cog * groups, *full))
    for g in range(groups):
        for i in range(x.shape[2]):
            for j in range(x.shape[3]):
                patch = np.einsum("nc,cokl->nokl", x[:, g * cig:(g + 1) * cig, i, j],
                                  w[g * cig:(g + 1) * cig])
                y[:, g * cog:(g + 1) * cog,
                  i * s[0]:i * s[0] + d[0] * (k[0] - 1) + 1:d[0],
                  j * s[1]:j * s[1] + d[1] * (k[1] - 1) + 1:d[1]] = patch
    y = y[:, :, p[0]:full[0] - p[0], p[1]:full[1] - p[1]]
    return y if b is None else y + b.reshape(1, -1, 1, 1)
"""
BIAS_BUG = b"""

def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(x, w, None, stride, padding, dilation, groups, 2)
"""
# Who submitted what: one correct solution, two with a misconception each.
SUBMISSIONS = [
    ("student1", SOLUTION),
    ("student2", SOLUTION + OVERLAP_BUG),
    ("student3", SOLUTION + BIAS_BUG),
]

# Two papers already discussed (their reviews released) and four still to read.
PAST_PAPERS = [
    (
        "Visualizing and Understanding Convolutional Networks",
        "Matthew D. Zeiler, Rob Fergus",
        "https://arxiv.org/abs/1311.2901",
    ),
    (
        "Deep Inside Convolutional Networks: Visualising Image Classification Models and "
        "Saliency Maps",
        "Karen Simonyan, Andrea Vedaldi, Andrew Zisserman",
        "https://arxiv.org/abs/1312.6034",
    ),
]
UPCOMING_PAPERS = [
    [
        (
            "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization",
            "Ramprasaath R. Selvaraju, Michael Cogswell, Abhishek Das, Ramakrishna Vedantam, "
            "Devi Parikh, Dhruv Batra",
            "https://arxiv.org/abs/1610.02391",
        ),
        (
            "Striving for Simplicity: The All Convolutional Net",
            "Jost Tobias Springenberg, Alexey Dosovitskiy, Thomas Brox, Martin Riedmiller",
            "https://arxiv.org/abs/1412.6806",
        ),
    ],
    [
        (
            "Intriguing properties of neural networks",
            "Christian Szegedy, Wojciech Zaremba, Ilya Sutskever, Joan Bruna, Dumitru Erhan, "
            "Ian Goodfellow, Rob Fergus",
            "https://arxiv.org/abs/1312.6199",
        ),
        (
            "Explaining and Harnessing Adversarial Examples",
            "Ian J. Goodfellow, Jonathon Shlens, Christian Szegedy",
            "https://arxiv.org/abs/1412.6572",
        ),
    ],
]

REVIEWS: list[dict[str, Any]] = [
    {
        "summary": "The paper projects the activations of each layer back to pixel space with a "
        "deconvolutional network, to show which input patterns excite a unit.",
        "strengths": "The figures make the hierarchy of features concrete, and the occlusion "
        "experiment in Section 4 checks that the classifier uses the object, not its context.",
        "weaknesses": "Only one architecture on ImageNet is studied, so it is unclear whether the "
        "findings hold for other networks; a comparison with a second model would help.",
        "questions": "How sensitive are the projections to the choice of the switch variables?",
        "rating": 4,
        "confidence": 3,
    },
    {
        "summary": "The authors visualise what a trained network has learned, layer by layer, and "
        "use the visualisations to improve the architecture.",
        "strengths": "The ablation in Table 1 shows the improved first layer helps, with numbers "
        "on the validation set.",
        "weaknesses": "The method explains single units only; the paper gives no measure of how "
        "faithful the projections are to what the network computes.",
        "questions": "",
        "rating": 3,
        "confidence": 4,
    },
    {
        "summary": "The paper computes class saliency maps from the gradient of the class score "
        "with respect to the input image, and uses them for weakly supervised segmentation.",
        "strengths": "The method needs one backward pass, and Section 3.2 links it to the "
        "deconvolutional network of Zeiler and Fergus.",
        "weaknesses": "The segmentation results rely on GraphCut with hand-set thresholds, so the "
        "contribution of the maps themselves is hard to separate.",
        "questions": "Would smoothing the gradient make the maps less noisy?",
        "rating": 4,
        "confidence": 4,
    },
]
DRAFT_REVIEW: dict[str, Any] = {
    "summary": "Grad-CAM weights the feature maps of the last convolutional layer by the "
    "gradient of the class score, giving a coarse map of where the evidence is.",
    "strengths": "It applies to many architectures without retraining.",
    "weaknesses": "I still have to read the human study in Section 5.",
    "questions": "",
    "rating": 4,
    "confidence": 2,
}


def _course_time(course: Course, day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(course.time_zone))


def _seed_current_term(today: dt.date) -> Course:
    """The demo course in the term that contains `today`, archiving earlier demo terms."""
    plan = plan_term(today)
    course = Course.objects.filter(code=COURSE_CODE, term=plan.term).first()
    created = course is None
    if course is None:
        course = services.course_create(
            **COURSE, term=plan.term, first_day=plan.first_day, last_day=plan.last_day
        )
    for old in Course.objects.filter(code=COURSE_CODE, archived=False).exclude(pk=course.pk):
        services.course_update(course=old, archived=True)
    _seed_people(course, reset_passwords=False)
    if created:
        # Everything below is made once, with the course: a later run leaves it as it is.
        _seed_current_calendar(course, plan)
        _seed_current_groups(course, today)
        _seed_current_papers(course, today)
        _seed_current_lab(course, plan, today)
    return course


def _seed_current_calendar(course: Course, plan: TermPlan) -> None:
    instructor = get_user_model().objects.get(username="instructor")
    exceptions: list[tuple[dt.date, str, str, str]] = [
        (plan.cancelled, ExceptionKind.NO_CLASS, NoClassReason.CANCELLED, ""),
        (plan.guest_lecture, ExceptionKind.GUEST_LECTURE, "", "Guest lecture by Dr. Stefan Lee"),
        (plan.break_day, ExceptionKind.NO_CLASS, NoClassReason.BREAK, plan.break_title),
    ]
    if plan.thanksgiving is not None:
        exceptions.append(
            (plan.thanksgiving, ExceptionKind.NO_CLASS, NoClassReason.HOLIDAY, "Thanksgiving")
        )
    for date, kind, reason, title in sorted(exceptions):
        services.calendar_exception_create(
            course=course, date=date, kind=kind, reason=reason, title=title
        )
    announcements = [
        ("Lab 2 out", "Lab 2 (transposed convolutions) is out: see Labs."),
        (f"No class on Tuesday {plan.cancelled:%m/%d}", ""),
        (
            f"Guest lecture by Dr. Stefan Lee on {plan.guest_lecture:%m/%d}",
            "No papers to read. No student presentations.\n"
            "Use the time wisely to work (hint: Lab 2!)",
        ),
        (f"No class on {plan.break_day:%m/%d}", f"{plan.break_title}."),
        (f"Next paper reading / student presentations: {plan.resumes:%m/%d}", ""),
    ]
    for title, body in reversed(announcements):
        services.announcement_create(course=course, author=instructor, title=title, body=body)


def _seed_current_groups(course: Course, today: dt.date) -> None:
    """The seed's six groups, their wishes moved to the next presentation days (at least two
    days ahead, so that slides can still be attached), a published schedule and one swap that
    waits for the other group."""
    from presentations.models import SwapRequest
    from presentations.services.schedules import schedule_generate, schedule_publish
    from presentations.services.swaps import swap_request

    users = {u.username: u for u in get_user_model().objects.all()}
    ahead = [
        s.date
        for s in course_sessions(course=course)
        if s.has_presentations and s.date > today + dt.timedelta(days=1)
    ]
    seed_days = sorted({day for _, _, days in PRESENTER_GROUPS for day in days})
    moved = dict(zip(seed_days, ahead, strict=False))
    groups = {}
    for name, usernames, preferences in PRESENTER_GROUPS:
        groups[name] = group_create(
            course=course,
            name=name,
            members=[users[u] for u in usernames],
            preferences=[moved[day] for day in preferences if day in moved],
        )
    schedule = schedule_generate(course=course, actor=users["instructor"])
    schedule_publish(schedule=schedule, actor=users["instructor"])
    if not SwapRequest.objects.filter(course=course).exists():
        swap_request(
            from_group=groups["Visualizations"],
            to_group=groups["Deconvnets"],
            actor=users["student1"],
        )


def _seed_current_papers(course: Course, today: dt.date) -> None:
    """Papers of the last two paper days (reviews released, a few rated) and of the next two
    (reviews in progress: students edit them until the deadline)."""
    from reviews.services import paper_create, review_create, review_rate, review_update

    users = {u.username: u for u in get_user_model().objects.all()}
    days = [s.date for s in course_sessions(course=course) if s.has_papers]
    past = [day for day in days if day < today][-len(PAST_PAPERS) :]
    upcoming = [day for day in days if day > today + dt.timedelta(days=1)][: len(UPCOMING_PAPERS)]
    now = timezone.now()
    for number, (day, (title, authors, link)) in enumerate(zip(past, PAST_PAPERS, strict=False)):
        paper = paper_create(
            course=course, session_date=day, title=title, authors=authors, link=link
        )
        written = paper.review_deadline - dt.timedelta(days=1)
        reviews = []
        for offset, values in enumerate(REVIEWS):
            author = users[f"student{number * len(REVIEWS) + offset + 1}"]
            reviews.append(review_create(paper=paper, author=author, now=written, **values))
        late = users[f"student{number * len(REVIEWS) + len(REVIEWS) + 1}"]
        after = paper.review_deadline + dt.timedelta(hours=3)
        review_create(paper=paper, author=late, now=after, **REVIEWS[0])
        review_rate(review=reviews[0], rater=users["student12"], helpful=True, tags=[], now=now)
        review_rate(
            review=reviews[1], rater=users["student12"], helpful=False, tags=["too_vague"], now=now
        )
    for day, papers in zip(upcoming, UPCOMING_PAPERS, strict=False):
        for title, authors, link in papers:
            paper_create(course=course, session_date=day, title=title, authors=authors, link=link)
    first = course.papers.filter(session_date__in=upcoming[:1]).order_by("title").first()
    if first is not None:
        draft = review_create(
            paper=first, author=users["student2"], now=now - dt.timedelta(hours=2), **DRAFT_REVIEW
        )
        review_update(
            review=draft,
            now=now - dt.timedelta(hours=1),
            weaknesses="The human study in Section 5 asks which of two models is more "
            "trustworthy, but the paper does not say how the image pairs were chosen.",
        )
        review_create(paper=first, author=users["student3"], now=now, **REVIEWS[2])


def _seed_current_lab(course: Course, plan: TermPlan, today: dt.date) -> None:
    """Lab 2, due ten days from today, with one correct and two buggy submissions queued for
    the grading worker (`make run` starts it)."""
    from convlab.models import Assignment
    from convlab.services import submission_create

    assignment = Assignment.objects.create(
        course=course,
        slug="transposed-convolutions",
        title="Lab 2: transposed convolutions",
        suite="transposed-convolutions",
        opens_at=_course_time(course, plan.first_day, dt.time(9, 0)),
        due_at=_course_time(course, today + dt.timedelta(days=10), dt.time(23, 59)),
        late_penalty_percent_per_day=10,
    )
    users: dict[str, Any] = {u.username: u for u in get_user_model().objects.all()}
    for username, content in SUBMISSIONS:
        student = users[username]
        submission_create(
            assignment=assignment, student=student, submitted_by=student, content=content
        )
