"""Every page, as each role that can see it: no serious or critical axe-core violation, and
nothing wider than a 375 px phone screen.

The page list is checked against the URL configuration (like a permission matrix), so a new page
that nobody added here fails `test_it_lists_every_page_url`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from convlab import selectors as convlab_selectors
from convlab import services as convlab_services
from convlab.models import Assignment, Submission
from convlab.suites import transposed_convolutions as suite
from courses import services as course_services
from courses.models import Announcement, Course, Membership
from demo.seed import DEMO_PASSWORD, seed_demo
from gradebook import services as gradebook_services
from jobs import services as job_services
from presentations.models import IssueKind, PresenterGroup, ScheduleIssue
from presentations.services.schedules import schedule_generate, schedule_publish
from presentations.services.slides import slides_set_link
from presentations.services.swaps import swap_accept, swap_request
from reviews import services as review_services
from roster import jobs as roster_jobs
from roster import services as roster_services
from tests.browser.axe import PHONE_VIEWPORT, accessibility_problems, phone_width_problems
from tests.convlab.grading.test_transposed_convolutions import BUGS
from tests.convlab.service.conftest import REFERENCE, wait_final
from tests.factories import make_course
from tests.jobs.conftest import wait_job

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# URL names that are not pages a person reads, and why; every other name must be in VISITS.
NOT_PAGES = {
    "healthz": "JSON for load balancers",
    "healthz-ready": "JSON for monitors and site staff",
    "logout": "POST only, redirects",
    "review-guidance": "htmx fragment of review-edit, checked inside it",
    "review-rate": "POST only, redirects (or an htmx text answer)",
    "review-export": "CSV download",
    "review-revision": "POST only, redirects (tests/browser/test_review_revision.py drives it)",
    "presentations-preferences": "POST only, redirects",
    "presentations-slides": "POST only, redirects",
    "presentations-slides-file": "PDF download",
    "presentations-group-start": "POST only, redirects",
    "presentations-invite": "POST only, redirects",
    "presentations-invitation-decide": "POST only, redirects",
    "presentations-swap": "POST only, redirects",
    "presentations-swap-decide": "POST only, redirects",
    "presentations-manage-action": "POST only, redirects",
    "presentations-csv": "CSV download",
    "course-ics": "iCalendar download",
    "presentations-feed-rotate": "POST only, redirects",
    "feed-course": "iCalendar feed",
    "feed-mine": "iCalendar feed",
    "lab-regrade": "POST only, redirects",
    "submission-status": "htmx fragment of submission, checked inside it",
    "submission-regrade": "POST only, redirects",
    "course-calendar-exception-delete": "POST only, redirects",
    "submission-source": "Python file download",
    "grade-export": "CSV download",
    "presentation-grade": "POST only, redirects",
    "roster-apply": "POST only, redirects (or the roster page with its errors)",
    "job-progress": "htmx fragment of job, checked inside it",
    "my-grades": "redirects to the student's own student-grades page, checked there",
    "course-panel": "htmx fragment of course-home, checked inside it",
    # Issue #16, the lab page slice.
    "lab-starter": "Python file download",
    # Staff pages for papers (issue #16, papers slice).
    "paper-release": "POST only, redirects",
    # Issue #18, the scheduling half (branch h18core).
    "presentations-issue-resolve": "POST only, redirects (or the scheduling page, 400)",
    "presentations-repair": "POST only, redirects (or the scheduling page, 400)",
    "presentations-window": "POST only, redirects (or the scheduling page, 400)",
    # Issue #19, the LTI 1.3 tool (branch h19lti).
    "lti-launch": "the LMS's form POST: redirects, or the refused page (checked at lti-login)",
    "lti-jwks": "JSON: the tool's public keys",
}
# Outside the portal's own pages: the REST API and its schema (JSON), Django's admin site.
OTHER_PREFIXES = ("api/", "admin/")


@dataclass(frozen=True)
class Scene:
    """The demo course with something on every page: released and open papers with reviews,
    a published schedule and a newer draft, a swap to approve, a graded submission, a scored
    presentation, a roster preview run by the jobs worker, an invitation not yet used."""

    course: Course
    released_paper: int
    open_paper: int
    assignment: Assignment
    submission: Submission
    student1: int
    roster_job: int
    # The invitation email's link, and the page it leads to (the token moved to the session).
    invitation: str
    set_password: str


# (who, URL name, how to build its URL from the scene, expected status)
Visit = tuple[str, str, Callable[[Scene], str], int]


def course_url(name: str) -> Callable[[Scene], str]:
    return lambda scene: reverse(name, args=[scene.course.pk])


def _group(scene: Scene) -> int:
    """A presenter group of the scene's course (h16-groups)."""
    return PresenterGroup.objects.filter(course=scene.course).values_list("pk", flat=True)[0]


VISITS: list[Visit] = [
    # Issue #19 (branch h19lti): the LTI registration page, and the page of a refused LTI
    # login / launch and of the deep linking page with no request open.
    ("instructor", "lti-registrations", course_url("lti-registrations"), 200),
    (
        "instructor",
        "lti-registration-edit",
        lambda scene: reverse("lti-registration-edit", args=[scene.course.pk, _lti(scene)]),
        200,
    ),
    ("anonymous", "lti-login", lambda scene: reverse("lti-login"), 400),
    ("instructor", "lti-deep-link", lambda scene: reverse("lti-deep-link"), 400),
    ("anonymous", "login", lambda scene: reverse("login"), 200),
    # student1 is in two courses, so the home page lists them instead of redirecting.
    ("student1", "home", lambda scene: reverse("home"), 200),
    ("student1", "course-home", course_url("course-home"), 200),
    ("student1", "course-calendar", course_url("course-calendar"), 200),
    ("student1", "paper-list", course_url("paper-list"), 200),
    (
        "student1",
        "paper-detail",
        lambda scene: reverse("paper-detail", args=[scene.course.pk, scene.released_paper]),
        200,
    ),
    (
        "student1",
        "review-edit",
        lambda scene: reverse("review-edit", args=[scene.course.pk, scene.open_paper]),
        200,
    ),
    ("student1", "presentations", course_url("presentations"), 200),
    ("student1", "presentations-group", course_url("presentations-group"), 200),
    # Django's 403 page, as a student meets it.
    ("student1", "presentations-manage", course_url("presentations-manage"), 403),
    ("student1", "labs", course_url("labs"), 200),
    (
        "student1",
        "lab-assignment",
        lambda scene: reverse("lab-assignment", args=[scene.course.pk, scene.assignment.slug]),
        200,
    ),
    (
        "student1",
        "submission",
        lambda scene: reverse("submission", args=[scene.submission.pk]),
        200,
    ),
    ("student1", "account", lambda scene: reverse("account"), 200),
    ("ta", "course-home", course_url("course-home"), 200),
    ("ta", "paper-list", course_url("paper-list"), 200),
    (
        "ta",
        "paper-detail",
        lambda scene: reverse("paper-detail", args=[scene.course.pk, scene.open_paper]),
        200,
    ),
    ("ta", "review-dashboard", course_url("review-dashboard"), 200),
    ("ta", "presentations", course_url("presentations"), 200),
    (
        "ta",
        "lab-assignment",
        lambda scene: reverse("lab-assignment", args=[scene.course.pk, scene.assignment.slug]),
        200,
    ),
    ("ta", "submission", lambda scene: reverse("submission", args=[scene.submission.pk]), 200),
    ("ta", "staff-home", course_url("staff-home"), 200),
    ("ta", "gradebook", course_url("gradebook"), 200),
    (
        "ta",
        "student-grades",
        lambda scene: reverse("student-grades", args=[scene.course.pk, scene.student1]),
        200,
    ),
    (
        "student1",
        "student-grades",
        lambda scene: reverse("student-grades", args=[scene.course.pk, scene.student1]),
        200,
    ),
    ("ta", "roster", course_url("roster"), 200),
    ("ta", "jobs", course_url("jobs"), 200),
    ("ta", "job", lambda scene: reverse("job", args=[scene.course.pk, scene.roster_job]), 200),
    # A student meets the staff pages as Django's 403 page.
    ("student1", "staff-home", course_url("staff-home"), 403),
    ("invited", "set-password", lambda scene: scene.set_password, 200),
    ("instructor", "course-calendar", course_url("course-calendar"), 200),
    ("instructor", "presentations-manage", course_url("presentations-manage"), 200),
    # Issue #18, the scheduling half (branch h18core): the scene has a draft after publishing.
    (
        "instructor",
        "presentations-publish-preview",
        course_url("presentations-publish-preview"),
        200,
    ),
    ("ta", "presentations-start-over", course_url("presentations-start-over"), 200),
    # Issue #16, presenter groups on the staff pages (h16-groups).
    ("instructor", "presentations-groups", course_url("presentations-groups"), 200),
    ("student1", "presentations-groups", course_url("presentations-groups"), 403),
    (
        "ta",
        "presentations-group-edit",
        lambda scene: reverse("presentations-group-edit", args=[scene.course.pk, _group(scene)]),
        200,
    ),
    (
        "instructor",
        "presentations-group-delete",
        lambda scene: reverse("presentations-group-delete", args=[scene.course.pk, _group(scene)]),
        200,
    ),
    # Staff pages for papers (issue #16, papers slice).
    ("ta", "paper-add", course_url("paper-add"), 200),
    ("ta", "paper-import", course_url("paper-import"), 200),
    (
        "ta",
        "paper-edit",
        lambda scene: reverse("paper-edit", args=[scene.course.pk, scene.open_paper]),
        200,
    ),
    # The paper has reviews: the page says why it cannot be removed.
    (
        "instructor",
        "paper-delete",
        lambda scene: reverse("paper-delete", args=[scene.course.pk, scene.released_paper]),
        200,
    ),
    ("student1", "paper-add", course_url("paper-add"), 403),
    # Django's 404 page: a course the instructor is not in.
    ("instructor", "course-home", lambda scene: reverse("course-home", args=[999_999]), 404),
    # Issue #16, staff pages slice: announcements and staff roles.
    ("ta", "announcements", course_url("announcements"), 200),
    ("student1", "announcements", course_url("announcements"), 403),
    (
        "ta",
        "announcement-edit",
        lambda scene: reverse("announcement-edit", args=[scene.course.pk, _announcement(scene)]),
        200,
    ),
    (
        "ta",
        "announcement-delete",
        lambda scene: reverse("announcement-delete", args=[scene.course.pk, _announcement(scene)]),
        200,
    ),
    ("instructor", "course-staff", course_url("course-staff"), 200),
    # h18edges: course-ta-remove became course-staff-remove (TAs and co-instructors).
    (
        "instructor",
        "course-staff-remove",
        lambda scene: reverse("course-staff-remove", args=[scene.course.pk, _ta(scene)]),
        200,
    ),
    (
        "instructor",
        "course-staff-remove",
        lambda scene: reverse("course-staff-remove", args=[scene.course.pk, _instructor(scene)]),
        400,  # the course's only instructor: the staff page says why
    ),
    # h16fin: the course settings page (instructors only).
    ("instructor", "course-settings", course_url("course-settings"), 200),
    ("ta", "course-settings", course_url("course-settings"), 403),
    # Issue #16, staff pages slice: password reset (a forged link shows the "expired" page).
    ("anonymous", "password_reset", lambda scene: reverse("password_reset"), 200),
    ("anonymous", "password_reset_done", lambda scene: reverse("password_reset_done"), 200),
    (
        "anonymous",
        "password_reset_confirm",
        lambda scene: reverse("password_reset_confirm", args=["MQ", "forged-token"]),
        200,
    ),
    ("anonymous", "password_reset_complete", lambda scene: reverse("password_reset_complete"), 200),
    # Issue #16, the lab staff pages slice: create, edit and open labs.
    ("ta", "lab-create", course_url("lab-create"), 200),
    ("student1", "lab-create", course_url("lab-create"), 403),
    (
        "instructor",
        "lab-edit",
        lambda scene: reverse("lab-edit", args=[scene.course.pk, scene.assignment.slug]),
        200,
    ),
    # The demo's lab is open already: the page says so instead of asking.
    (
        "ta",
        "lab-open",
        lambda scene: reverse("lab-open", args=[scene.course.pk, scene.assignment.slug]),
        200,
    ),
]


def _lti(scene: Scene) -> int:
    """A registration of the course's LMS (issue #19), made on first visit."""
    from lti.models import Registration

    made, _ = Registration.objects.get_or_create(
        issuer="https://canvas.instructure.com",
        client_id="10000000000042",
        defaults={
            "name": "Canvas",
            "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
            "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
            "jwks_url": "https://sso.canvaslms.com/api/lti/security/jwks",
            "deployment_ids": ["1:8865aa05b4b79b64a91a86042e43af5ea8ae79eb"],
            "course": scene.course,
        },
    )
    return made.pk


def _announcement(scene: Scene) -> int:
    return Announcement.objects.filter(course=scene.course).values_list("pk", flat=True)[0]


def _instructor(scene: Scene) -> int:
    return Membership.objects.get(course=scene.course, user__username="instructor").pk


def _ta(scene: Scene) -> int:
    return Membership.objects.get(course=scene.course, user__username="ta").pk


def page_url_names() -> set[str]:
    """Names (with their namespace, as `reverse` takes them: "roster:page") of every URL
    pattern outside the API and the admin site."""
    names: set[str] = set()

    def walk(patterns: list[Any], route: str, namespace: str) -> None:
        for pattern in patterns:
            full = route + str(pattern.pattern)
            if full.startswith(OTHER_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, full, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "", "")
    return names


def test_it_lists_every_page_url() -> None:
    visited = {name for _, name, _, _ in VISITS}
    assert visited.isdisjoint(NOT_PAGES)
    assert page_url_names() - visited - set(NOT_PAGES) == set(), "pages nobody checks"
    assert (visited | set(NOT_PAGES)) - page_url_names() == set(), "names that no longer exist"


def build_scene() -> Scene:
    demo = seed_demo()
    course = demo.course
    users = {m.user.username: m.user for m in course.memberships.select_related("user")}
    student1 = users["student1"]
    other = make_course(
        code="CS 4803", term="Spring 2018", first_day="2018-01-08", last_day="2018-04-24"
    )
    course_services.membership_set(course=other, user=student1, role="student")

    now = timezone.now()
    released = review_services.paper_create(
        course=course,
        session_date=dt.date(2017, 10, 12),
        title="Visualizing and Understanding Convolutional Networks",
        authors="Zeiler, Fergus",
        link="https://arxiv.org/abs/1311.2901",
        review_deadline=now - dt.timedelta(hours=1),
    )
    for number, username in enumerate(["student1", "student2", "student3"], start=1):
        review_services.review_create(
            paper=released,
            author=users[username],
            now=now - dt.timedelta(days=1, hours=number),
            summary="Deconvnets project activations back to pixel space.",
            strengths="Figure 2 shows which patterns each layer responds to.",
            weaknesses="Section 4 evaluates only on ImageNet; a second dataset would help.",
            questions="Would the occlusion study of Section 4.2 hold for ResNets?",
            rating=4,
            confidence=3,
        )
    opened = review_services.paper_create(
        course=course,
        session_date=dt.date(2017, 10, 17),
        title="Deconvolution and Checkerboard Artifacts",
        review_deadline=now + dt.timedelta(days=1),
    )
    review_services.review_create(
        paper=opened,
        author=student1,
        summary="Uneven overlap of transposed convolutions makes checkerboards.",
        strengths="The overlap figures make the cause easy to see.",
        weaknesses="The experiments could have been done better.",
        rating=3,
        confidence=2,
    )

    instructor = users["instructor"]
    published = schedule_generate(course=course, actor=instructor)
    schedule_publish(schedule=published, actor=instructor)
    schedule_generate(course=course, actor=instructor)
    mine = PresenterGroup.objects.get(course=course, name="Visualizations")
    theirs = PresenterGroup.objects.get(course=course, name="Deconvnets")
    swap = swap_request(from_group=mine, to_group=theirs, actor=student1)
    swap_accept(swap=swap, actor=users["student7"])
    slides_set_link(
        group=mine,
        url="https://docs.google.com/presentation/d/visualizations",
        now=dt.datetime(2017, 10, 1, tzinfo=dt.UTC),
    )
    course_services.api_token_create(user=student1, name="my laptop")

    assignment = convlab_selectors.assignment_get(course=course, slug="transposed-convolutions")
    made = convlab_services.submission_create(
        assignment=assignment,
        student=student1,
        submitted_by=student1,
        content=REFERENCE + BUGS[suite.OVERLAP][1].encode(),
    )
    gradebook_services.presentation_grade_set(
        course=course, group_id=mine.pk, score=9, comment="Clear walkthrough.", actor=instructor
    )
    invited = get_user_model().objects.create_user(
        "ghinton3@gatech.edu", email="ghinton3@gatech.edu", password=None
    )
    invitation = roster_services.set_password_link(user=invited, base_url="")
    uidb64 = invitation.rstrip("/").split("/")[-2]
    # Issue #18 (branch h18core): a decision and a broken rule on the scheduling page.
    for name, kind in (("Grad-CAM", IssueKind.UNPLACED), ("Explanations", IssueKind.UNAVAILABLE)):
        ScheduleIssue.objects.create(
            course=course,
            group=PresenterGroup.objects.get(course=course, name=name),
            kind=kind,
            message=f"{name} lost its date (a cancelled class) and no date has room for it",
        )
    return Scene(
        course=course,
        released_paper=released.pk,
        open_paper=opened.pk,
        assignment=assignment,
        submission=wait_final(made.submission.pk),
        student1=student1.pk,
        roster_job=_roster_preview(course, users["ta"]),
        invitation=invitation,
        set_password=reverse("set-password", args=[uidb64, "set-password"]),
    )


def _roster_preview(course: Course, ta: Any) -> int:
    """A roster preview run by the jobs worker: one new student, one section change."""
    content = (
        b"First Name,Last Name,SID,Email,Role,Section\n"
        b"Yoshua,Bengio,903000124,ybengio3@gatech.edu,Student,A\n"
        b"Ada,Lovelace,,student1@example.edu,Student,B\n"
    )
    job = job_services.job_create(
        course=course,
        kind=roster_jobs.KIND,
        created_by=ta,
        input=roster_jobs.roster_job_input(
            content=content, apply=False, importer_role="ta", base_url="http://testserver"
        ),
    )
    done = wait_job(job.pk)
    assert done.status == "done", done.message
    return job.pk


def log_in(browser: Any, base: str, who: str, scene: Scene) -> Any:
    """A phone-sized page signed in as `who`; "invited" is someone who followed the link of
    their invitation email (not signed in, the token in their session)."""
    page = browser.new_context(viewport=PHONE_VIEWPORT).new_page()
    page.set_default_timeout(15_000)
    if who == "invited":
        page.goto(base + scene.invitation)
        page.wait_for_url(base + scene.set_password)
    elif who != "anonymous":
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Username").fill(who)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def test_it_passes_axe_and_fits_a_phone_on_every_page(
    browser: Any, live_server: Any, grading_worker: Any, jobs_worker: Any, live_worker: Any
) -> None:
    """The workers are real: gradings and the roster preview run on them, and the staff home
    shows the health check answered by one (instead of waiting for none)."""
    scene = build_scene()
    pages: dict[str, Any] = {}
    problems: list[str] = []
    for who, name, url, status in VISITS:
        if who not in pages:
            pages[who] = log_in(browser, live_server.url, who, scene)
        page = pages[who]
        path = url(scene)
        response = page.goto(live_server.url + path)
        if response.status != status or page.url != live_server.url + path:
            problems.append(f"{who} {name}: HTTP {response.status} at {page.url}, not {status}")
            continue
        for problem in (accessibility_problems(page), phone_width_problems(page)):
            if problem:
                problems.append(f"{who} {name}: {problem}")
    for page in pages.values():
        page.context.close()
    assert not problems, "\n".join(problems)
