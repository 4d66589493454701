"""A course with something on every page, and a crawler that visits every page a user can reach.

The security tests (CSRF, escaping) walk the site the way a user does: from the home page,
following every link and htmx fragment of the portal, as a student, a TA and an instructor.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlsplit

from django.contrib.auth import get_user_model
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import Client

from convlab import services as convlab_services
from convlab.models import Assignment, Submission
from courses import services as course_services
from courses.models import Course
from demo.seed import seed_demo
from gradebook import services as gradebook_services
from jobs import services as job_services
from jobs.registry import kind_get
from presentations.models import PresenterGroup
from presentations.services.groups import group_update
from presentations.services.schedules import schedule_generate, schedule_publish
from presentations.services.swaps import swap_request
from reviews import services as review_services
from roster import jobs as roster_jobs

# Downloads and feeds are not HTML pages (their own tests cover them); logging out ends the walk.
# A download reached by another URL is visited, but only its status and type are kept.
SKIP = (".ics", ".csv", ".pdf", "/accounts/logout/", "/admin/", "/api/", "/static/")
FIELDS = frozenset({"input", "textarea", "select", "button"})


def payload(tag: str) -> str:
    """Markup that would run script if a page rendered it; `tag` says which field it was in."""
    if len(tag) % 2:
        return f'<script>alert("{tag}")</script>'
    return f'<img src=x onerror=alert("{tag}")>'


@dataclass
class Form:
    page: str
    method: str
    action: str
    inputs: dict[str, str]


@dataclass
class Page:
    url: str
    status: int
    text: str
    content_type: str = ""
    links: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name in ("href", "hx-get"):
            if values.get(name):
                self.links.append(values[name])
        if tag == "form":
            self._form = Form(
                self.url,
                values.get("method", "get").lower(),
                values.get("action") or self.url,
                {},
            )
            self.forms.append(self._form)
        elif self._form is not None and values.get("name") and tag in FIELDS:
            self._form.inputs[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def crawl(client: Client, start: Iterable[str], limit: int = 300) -> dict[str, Page]:
    """GET every page of the portal reachable from `start` by links and htmx fragments."""
    pages: dict[str, Page] = {}
    todo = list(start)
    while todo and len(pages) < limit:
        url = urldefrag(todo.pop(0)).url
        if url in pages or not url.startswith("/") or url.startswith(SKIP) or url.endswith(SKIP):
            continue
        response = client.get(url)
        content_type = response.headers.get("Content-Type", "")
        page = Page(url, response.status_code, html_of(response), content_type)
        pages[url] = page
        if response.status_code in {301, 302}:
            todo.append(response.headers["Location"])
            continue
        if "text/html" not in content_type:
            continue
        parser = _Parser(url)
        parser.feed(page.text)
        page.links, page.forms = parser.links, parser.forms
        todo.extend(link for link in parser.links if urlsplit(link).netloc == "")
    return pages


def html_of(response: HttpResponseBase) -> str:
    """The body of an HTML page, "" for anything else (a file download, a CSV export: no
    browser renders those as markup). A streamed body (FileResponse) is read to its end, which
    is what makes the test client close its file."""
    assert isinstance(response, HttpResponse | StreamingHttpResponse)
    body = response.getvalue()  # the content, or the streamed body read to its end
    if "text/html" not in response.headers.get("Content-Type", ""):
        return ""
    return body.decode(errors="replace")


@dataclass
class World:
    course: Course
    users: dict[str, Any]
    submission: Submission
    tags: list[str]
    roster_job: int

    def start_urls(self) -> list[str]:
        c = self.course.pk
        return [
            "/",
            "/account/",
            f"/courses/{c}/",
            f"/submissions/{self.submission.pk}/",
            f"/submissions/{self.submission.pk}/status/",
            f"/courses/{c}/presentations/manage/",
            f"/courses/{c}/reviews/dashboard/",
            f"/courses/{c}/staff/",
            f"/courses/{c}/grades/",
            f"/courses/{c}/grades/mine/",
            f"/courses/{c}/roster/",
            f"/courses/{c}/jobs/",
            f"/courses/{c}/jobs/{self.roster_job}/",
        ]


def build_world(media_root: Any) -> World:
    """The seed course, with user text in every field a user can write (each its own tag)."""
    tags: list[str] = []

    def text(tag: str) -> str:
        tags.append(tag)
        return payload(tag)

    demo = seed_demo()
    course = demo.course
    users = {u.username: u for u in get_user_model().objects.all()}
    instructor, student1, student3 = users["instructor"], users["student1"], users["student3"]
    course_services.course_update(course=course, title=text("course-title"))
    student1.first_name, student1.last_name = text("first-name"), text("last-name")
    student1.save()
    course_services.announcement_create(
        course=course, author=instructor, title=text("announcement-title"), body=text("ann-body")
    )
    course_services.calendar_exception_create(
        course=course, date=dt.date(2017, 11, 2), kind="guest_lecture", title=text("exc-title")
    )
    course_services.api_token_create(user=student1, name=text("token-name"))
    group = PresenterGroup.objects.get(course=course, name="Visualizations")
    group_update(group=group, name=text("group-name"), topic=text("topic"))
    schedule = schedule_generate(course=course, actor=instructor)
    schedule_publish(schedule=schedule, actor=instructor)
    other = PresenterGroup.objects.get(course=course, name="Adversarial examples")
    swap_request(from_group=group, to_group=other, actor=student1)
    paper = review_services.paper_create(
        course=course,
        session_date=dt.date(2017, 10, 12),
        title=text("paper-title"),
        authors=text("paper-authors"),
    )
    written = paper.review_deadline - dt.timedelta(days=1)
    review_services.review_create(
        paper=paper,
        author=student3,
        now=written,
        acknowledged=True,
        summary="The paper studies saliency. " + text("review-summary"),
        strengths=text("review-strengths"),
        weaknesses=text("review-weaknesses"),
        questions=text("review-questions"),
        rating=3,
        confidence=2,
    )
    lab = Assignment.objects.get(course=course)
    lab.title = text("lab-title")
    lab.save()
    made = convlab_services.submission_create(
        assignment=lab, student=student1, submitted_by=student1, content=b"print('hi')\n"
    ).submission
    # What the grader reports comes from the student's code: a check's name from a suite, its
    # output from what the student's program printed.
    Submission.objects.filter(pk=made.pk).update(
        status="done",
        gradable=True,
        score=1,
        max_score=2,
        results={
            "score": 1,
            "output": text("grader-output"),
            "tests": [
                {
                    "name": "check 1",
                    "score": 0,
                    "max_score": 1,
                    "status": "failed",
                    "visibility": "visible",
                    "output": text("student-stdout"),
                }
            ],
        },
    )
    made.refresh_from_db()
    gradebook_services.presentation_grade_set(
        course=course, group_id=other.pk, score=8, comment=text("grade-comment"), actor=instructor
    )
    roster_job = _roster_preview_job(course, instructor, text("roster-first"), text("roster-last"))
    return World(course=course, users=users, submission=made, tags=tags, roster_job=roster_job)


def _roster_preview_job(course: Course, instructor: Any, first: str, last: str) -> int:
    """A roster preview run as a job by the real roster kind: its page lists the file's rows,
    names as the file spells them, and offers to apply them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([["First Name", "Last Name", "Email", "Role"],
                      [first, last, "ghinton3@gatech.edu", "Student"]])  # fmt: skip
    job = job_services.job_create(
        course=course,
        kind=roster_jobs.KIND,
        created_by=instructor,
        input=roster_jobs.roster_job_input(
            content=out.getvalue().encode(),
            apply=False,
            importer_role="instructor",
            base_url="http://testserver",
        ),
    )
    claimed = job_services.job_claim(job_id=job.pk, task_id="walk-roster")
    kind = kind_get(roster_jobs.KIND)
    assert claimed is not None
    assert kind is not None
    job_services.job_step(job=claimed, step=kind.run)
    return job.pk
