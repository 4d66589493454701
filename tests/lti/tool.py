"""Helpers of the tool's tests: a course with a lab and a paper, the platform registered for it,
and the browser's side of a launch (login initiation -> platform -> form POST to the tool)."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from convlab.models import Assignment
from courses.models import Course, Membership
from lti.models import CourseContext, Identity, Registration, ResourceLink, UsedNonce
from reviews.models import Paper
from tests.factories import make_course
from tests.lti.platform import LtiPlatform

LOGIN = "http://testserver/lti/login/"
LAUNCH = "http://testserver/lti/launch/"


@dataclass
class Setup:
    course: Course
    lab: Assignment
    paper: Paper
    registration: Registration


def register(platform: LtiPlatform, course: Course | None) -> Registration:
    """The platform registered with the tool (for `course`, or site-wide with None), as staff
    do it on the registration page, and the tool's URLs given to the platform."""
    values = platform.registration()
    registration = Registration.objects.create(
        name="Test LMS",
        issuer=values["issuer"],
        client_id=values["client_id"],
        auth_login_url=values["auth_url"],
        auth_token_url=values["token_url"],
        jwks_url=values["jwks_url"],
        deployment_ids=values["deployment_ids"],
        course=course,
    )
    platform.tool_login_url = LOGIN
    platform.tool_redirect_uris = [LAUNCH]
    return registration


def course_with_platform(platform: LtiPlatform, *, site_wide: bool = False) -> Setup:
    course = make_course()
    now = timezone.now()
    lab = Assignment.objects.create(
        course=course,
        slug="conv-backward",
        title="Conv backward",
        suite="transposed-convolutions",
        opens_at=now - dt.timedelta(days=1),
        due_at=now + dt.timedelta(days=7),
    )
    paper = Paper.objects.create(
        course=course,
        session_date=dt.date(2017, 9, 5),
        title="Deep Residual Learning",
        review_deadline=now + dt.timedelta(days=3),
    )
    registration = register(platform, None if site_wide else course)
    return Setup(course=course, lab=lab, paper=paper, registration=registration)


def start_login(
    client: Client, platform: LtiPlatform, claims: dict[str, Any], bad: str = ""
) -> Any:
    """The browser follows the platform's login initiation link to the tool."""
    return client.get(platform.login_url(claims, bad=bad))


def launch(client: Client, platform: LtiPlatform, claims: dict[str, Any], bad: str = "") -> Any:
    """A whole launch: login initiation, the platform's authorization, the id_token POSTed back.
    Returns the tool's answer to the POST."""
    answer = start_login(client, platform, claims, bad)
    assert answer.status_code == 302, answer.content[:500]
    location = answer["Location"]
    assert location.startswith(platform.auth_url), location
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    redirect_uri, form = platform.authorize(params)
    assert redirect_uri == LAUNCH
    return client.post("/lti/launch/", form)


def counts() -> dict[str, int]:
    """Rows that a launch may write: a refused launch leaves every count as it was."""
    return {
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "identities": Identity.objects.count(),
        "contexts": CourseContext.objects.count(),
        "links": ResourceLink.objects.count(),
        "nonces": UsedNonce.objects.count(),
        "sessions": Session.objects.count(),
    }
