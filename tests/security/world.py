"""One course with an object of every kind, and a caller for each of the seven roles.

The permission matrix, the API fuzzing and the query-count tests all run against this world.
Its term is laid around today (the course meets every day, from 60 days ago to 60 days ahead),
so that papers are released or still open, slides are not yet due and the lab is open, whatever
day the tests run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve
from django.utils import timezone

from convlab import services as convlab_services
from convlab.jobs import KIND as BULK_REGRADE
from convlab.models import Assignment, Submission, SubmissionStatus
from courses import services as course_services
from courses.models import Announcement, ApiToken, CalendarException, Course
from gradebook import services as gradebook_services
from gradebook.models import PresentationGrade
from jobs import services as job_services
from jobs.models import Job
from presentations.models import PresentationSchedule, PresenterGroup, SwapRequest
from presentations.services.calendar_feeds import calendar_feed_get
from presentations.services.groups import group_create
from presentations.services.schedules import schedule_generate, schedule_publish
from presentations.services.slides import slides_upload
from presentations.services.swaps import swap_accept, swap_request
from reviews import services as review_services
from reviews.models import Paper, Review
from roster import services as roster_services
from tests.factories import make_course, make_member
from tests.reviews.conftest import ReviewValues

# The seven callers, in the order the matrix lists their expected statuses.
ROLES = (
    "anonymous",
    "student",
    "other_student",
    "ta",
    "instructor",
    "autograder",
    "other_autograder",
)

REVIEW: ReviewValues = {
    "summary": "The paper replaces strided transposed convolutions with resize-convolutions.",
    "strengths": "Figure 3 shows clearly that the checkerboard artifacts disappear.",
    "weaknesses": "Table 2 lacks a comparison with the bilinear-upsampling baseline of Section 4.",
    "questions": "How does the method behave with kernel size 4 and stride 2?",
    "rating": 4,
    "confidence": 3,
}
SOURCE = "def conv1d(x, w):\n    return x\n"
PDF = b"%PDF-1.4\n% slides\n"
# A roster file that adds one new student (and would deactivate the students not in it).
ROSTER = "Name,Email,SID,Role\nZed Zhao,zed@gatech.edu,900009,Student\n"


@dataclass
class World:
    course: Course
    other_course: Course
    today: dt.date
    users: dict[str, Any]  # role -> user (no entry for anonymous)
    keys: dict[str, str]  # role -> API token key
    carol: Any  # another student of the course: author of the review others rate
    dave: Any  # another student of the course, in a third group
    exception: CalendarException
    announcement: Announcement
    released_paper: Paper  # its review deadline has passed: reviews are public
    open_paper: Paper  # reviews not public yet; the student has not reviewed it
    spare_paper: Paper  # no reviews: it may be deleted
    own_review: Review  # the student's review of the released paper
    carol_review: Review  # carol's review of the released paper
    group: PresenterGroup  # the student's group, on the published schedule, with slides
    carol_group: PresenterGroup
    dave_group: PresenterGroup
    published: PresentationSchedule
    draft: PresentationSchedule  # generated after publishing
    swap_to_student: SwapRequest  # requested by carol's group; the student's group may accept
    swap_accepted: SwapRequest  # accepted by carol's group; staff may approve
    assignment: Assignment
    submission: Submission  # the student's, graded
    spare_token: ApiToken  # the student's second token, to revoke
    job: Job  # a bulk regrade of the lab, queued by the instructor
    presentation_grade: PresentationGrade  # carol's group's score (the student's has none)
    # The set-password link of an account a roster import created, which has no password yet.
    invitation: dict[str, str] = field(default_factory=dict)  # {"uidb64": ..., "token": ...}
    feed_keys: dict[str, str] = field(default_factory=dict)  # role -> private calendar key

    def day(self, offset: int) -> dt.date:
        return self.today + dt.timedelta(days=offset)


def build_world() -> World:
    """Create the world through the services, as users would have made it."""
    now = timezone.now()
    today = timezone.localdate(now)
    course = make_course(
        code="CS 7643",
        term="Matrix term",
        first_day=today - dt.timedelta(days=60),
        last_day=today + dt.timedelta(days=60),
        meeting_days=[0, 1, 2, 3, 4, 5, 6],
    )
    other = make_course(code="CS 4803", term="Matrix term", first_day=today, last_day=today)
    users = {
        "student": make_member(course, "alice", "student"),
        "other_student": make_member(other, "bob", "student"),
        "ta": make_member(course, "tara", "ta"),
        "instructor": make_member(course, "ines", "instructor"),
        "autograder": make_member(course, "robot", "autograder"),
        "other_autograder": make_member(other, "foreign-robot", "autograder"),
    }
    carol = make_member(course, "carol", "student")
    dave = make_member(course, "dave", "student")
    keys = {
        role: course_services.api_token_create(user=user, name="matrix")[1]
        for role, user in users.items()
    }
    spare_token, _ = course_services.api_token_create(user=users["student"], name="spare")

    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    exception = course_services.calendar_exception_create(
        course=course, date=day(40), kind="guest_lecture", title="Guest lecture"
    )
    announcement = course_services.announcement_create(
        course=course, author=users["instructor"], title="HW2 + PS2 out"
    )
    released = review_services.paper_create(
        course=course,
        session_date=day(-20),
        title="Deconvolution and Checkerboard Artifacts",
        review_deadline=now - dt.timedelta(days=1),
    )
    open_paper = review_services.paper_create(
        course=course,
        session_date=day(20),
        title="Fully Convolutional Networks",
        review_deadline=now + dt.timedelta(days=1),
    )
    spare_paper = review_services.paper_create(
        course=course, session_date=day(21), title="Striving for Simplicity"
    )
    before = released.review_deadline - dt.timedelta(hours=2)
    own_review = review_services.review_create(
        paper=released, author=users["student"], now=before, **REVIEW
    )
    carol_review = review_services.review_create(paper=released, author=carol, now=before, **REVIEW)

    group = group_create(
        course=course, name="Visualizations", members=[users["student"]], preferences=[day(30)]
    )
    carol_group = group_create(
        course=course, name="Explanations", members=[carol], preferences=[day(31)]
    )
    dave_group = group_create(
        course=course, name="Saliency maps", members=[dave], preferences=[day(32)]
    )
    first = schedule_generate(course=course, actor=users["instructor"])
    published = schedule_publish(schedule=first, actor=users["instructor"])
    draft = schedule_generate(course=course, actor=users["instructor"])
    group = slides_upload(
        group=group, upload=SimpleUploadedFile("slides.pdf", PDF, "application/pdf")
    )
    swap_to_student = swap_request(from_group=carol_group, to_group=group, actor=carol)
    swap_accepted = swap_request(from_group=group, to_group=carol_group, actor=users["student"])
    swap_accepted = swap_accept(swap=swap_accepted, actor=carol)

    assignment = Assignment.objects.create(
        course=course,
        slug="transposed-convolutions",
        title="Lab 2",
        suite="transposed-convolutions",
        opens_at=now - dt.timedelta(days=10),
        due_at=now + dt.timedelta(days=10),
    )
    made = convlab_services.submission_create(
        assignment=assignment,
        student=users["student"],
        submitted_by=users["student"],
        content=SOURCE.encode(),
    )
    graded(made.submission)

    job = job_services.job_create(
        course=course,
        kind=BULK_REGRADE,
        created_by=users["instructor"],
        input={"assignment_id": assignment.pk},
    )
    presentation_grade = gradebook_services.presentation_grade_set(
        course=course, group_id=carol_group.pk, score=9.0, actor=users["instructor"]
    )
    invited = get_user_model().objects.create_user(username="zoe@gatech.edu", password=None)
    link = roster_services.set_password_link(user=invited, base_url="http://testserver")
    invitation = dict(resolve(link.removeprefix("http://testserver")).kwargs)

    feed_keys = {role: calendar_feed_get(user=user).key for role, user in users.items()}
    return World(
        course=course,
        other_course=other,
        today=today,
        users=users,
        keys=keys,
        carol=carol,
        dave=dave,
        exception=exception,
        announcement=announcement,
        released_paper=released,
        open_paper=open_paper,
        spare_paper=spare_paper,
        own_review=own_review,
        carol_review=carol_review,
        group=group,
        carol_group=carol_group,
        dave_group=dave_group,
        published=published,
        draft=draft,
        swap_to_student=swap_to_student,
        swap_accepted=swap_accepted,
        assignment=assignment,
        submission=made.submission,
        spare_token=spare_token,
        job=job,
        presentation_grade=presentation_grade,
        invitation=invitation,
        feed_keys=feed_keys,
    )


def graded(submission: Submission, score: float = 8.0) -> Submission:
    """Mark a submission graded, as a worker would have left it (no worker runs here)."""
    results = {
        "score": score,
        "execution_time": 0.5,
        "output": "",
        "tests": [
            {"name": "conv1d", "score": score, "max_score": 10.0, "status": "passed",
             "visibility": "visible", "output": ""},
        ],
    }  # fmt: skip
    Submission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.DONE,
        gradable=True,
        raw_score=score,
        score=score,
        max_score=10.0,
        results=results,
        finished_at=timezone.now(),
    )
    submission.refresh_from_db()
    return submission
