"""Fixtures of the LTI tests: the test platform (tests/lti/platform.py) on the loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

# The labs, grading queue, suites and process list of the convlab service tests, as fixtures.
from tests.convlab.service.conftest import lab, processes, queue, suites, warmup  # noqa: F401
from tests.convlab.service.test_kills import redis_server  # noqa: F401 - a Redis of the test's
from tests.lti.platform import AGS_CLAIM, NRPS_CLAIM, LtiPlatform


@pytest.fixture
def lti_platform() -> Iterator[LtiPlatform]:
    """A fresh LTI 1.3 platform listening on 127.0.0.1 (a free port) for this test."""
    with LtiPlatform().running() as platform:
        yield platform


@dataclass
class Linked:
    """A portal course linked to an LMS course of the test platform: the registration, the
    context, a lab placed as a resource link, and alice's LMS identity."""

    platform: LtiPlatform
    registration: Any
    context: Any
    link: Any
    lab: Any
    sub: str


def tool_jwks() -> dict[str, Any]:
    from lti.models import ToolKey

    ToolKey.signing_key()
    return {"keys": [dict(key.public_jwk) for key in ToolKey.published()]}


def link_course(platform: LtiPlatform, course: Any, assignment: Any, student: Any) -> Linked:
    """The LTI rows a first launch of `student` into `assignment` leaves (made directly)."""
    from lti.models import CourseContext, Identity, Registration, ResourceLink

    registration = Registration.objects.create(
        name="Test LMS",
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_login_url=platform.auth_url,
        auth_token_url=platform.token_url,
        jwks_url=platform.jwks_url,
        deployment_ids=[platform.deployment_id],
        course=course,
    )
    platform.add_context("ctx-1", label="CS 1", title="Intro")
    claims = platform.resource_link_claims(user_id="sub-alice", context_id="ctx-1",
                                           resource_link_id="rl-lab2")  # fmt: skip
    ags = claims[AGS_CLAIM]
    context = CourseContext.objects.create(
        registration=registration,
        deployment_id=platform.deployment_id,
        context_id="ctx-1",
        course=course,
        title="Intro",
        label="CS 1",
        memberships_url=claims[NRPS_CLAIM]["context_memberships_url"],
        lineitems_url=ags["lineitems"],
        ags_scopes=ags["scope"],
    )
    link = ResourceLink.objects.create(
        context=context, resource_link_id="rl-lab2", title="Lab 2", assignment=assignment,
        ags_scopes=ags["scope"],
    )  # fmt: skip
    Identity.objects.create(registration=registration, sub="sub-alice", user=student)
    # A snapshot: the platform's threads do not share the test's database connection.
    platform.tool_jwks = tool_jwks()
    return Linked(platform, registration, context, link, assignment, "sub-alice")
