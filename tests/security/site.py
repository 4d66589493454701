"""A course with something on every page, and a crawler that visits every page a user can reach.

The security tests (CSRF, escaping) walk the site the way a user does: from the home page,
following every link and htmx fragment of the portal, as a student, a TA and an instructor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlsplit

from django.contrib.auth import get_user_model
from django.test import Client

from convlab import services as convlab_services
from convlab.models import Assignment, Submission
from courseportal.courses import services as course_services
from courseportal.courses.demo import seed_demo
from courseportal.courses.models import Course
from presentations import services as presentation_services
from presentations.models import PresenterGroup
from reviews import services as review_services

# Downloads and feeds are not HTML pages (their own tests cover them); logging out ends the walk.
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
        if response.streaming:  # a download (tests/security/test_files.py checks those)
            b"".join(response.streaming_content)  # read to the end: the client then closes it
            pages[url] = Page(url, response.status_code, "")
            continue
        text = response.content.decode(errors="replace")
        page = Page(url, response.status_code, text)
        pages[url] = page
        if response.status_code in {301, 302}:
            todo.append(response.headers["Location"])
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        parser = _Parser(url)
        parser.feed(text)
        page.links, page.forms = parser.links, parser.forms
        todo.extend(link for link in parser.links if urlsplit(link).netloc == "")
    return pages


@dataclass
class World:
    course: Course
    users: dict[str, Any]
    submission: Submission
    tags: list[str]

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
    presentation_services.group_update(group=group, name=text("group-name"), topic=text("topic"))
    schedule = presentation_services.schedule_generate(course=course, actor=instructor)
    presentation_services.schedule_publish(schedule=schedule, actor=instructor)
    other = PresenterGroup.objects.get(course=course, name="Adversarial examples")
    presentation_services.swap_request(from_group=group, to_group=other, actor=student1)
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
    return World(course=course, users=users, submission=made, tags=tags)
