"""Deep linking: an instructor launching with an LtiDeepLinkingRequest picks labs and papers of
the course, the LMS gets a signed LtiDeepLinkingResponse, and the links it makes land students
on those labs and papers."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lti.models import ResourceLink
from tests.lti.platform import DL, LEARNER, LTI, LtiPlatform
from tests.lti.tool import LAUNCH, counts, course_with_platform, launch

pytestmark = pytest.mark.django_db


def deep_link_claims(platform: LtiPlatform, roles: list[str] | None = None) -> dict[str, object]:
    return platform.deep_linking_claims(
        user_id="lms-teacher", context_id="ctx-1", target_link_uri=LAUNCH, roles=roles, data="op-7"
    )


def test_instructor_places_a_lab_and_a_paper(lti_platform: LtiPlatform) -> None:
    setup = course_with_platform(lti_platform)
    client = Client()
    answer = launch(client, lti_platform, deep_link_claims(lti_platform))
    assert answer.status_code == 302, answer.content[:400]
    assert answer["Location"] == "/lti/deep-link/"
    page = client.get("/lti/deep-link/")
    assert page.status_code == 200
    assert setup.lab.title in page.content.decode()
    assert setup.paper.title in page.content.decode()
    answer = client.post(
        "/lti/deep-link/", {"item": [f"lab-{setup.lab.pk}", f"paper-{setup.paper.pk}"]}
    )
    assert answer.status_code == 200
    body = answer.content.decode()
    assert f'action="{lti_platform.deep_link_return_url}"' in body
    # The form may post to the LMS: the page's CSP names its origin in form-action.
    assert lti_platform.base_url in answer["Content-Security-Policy"]
    token = re.search(r'name="JWT" value="([^"]+)"', body)
    assert token is not None
    lti_platform.tool_jwks = client.get("/lti/jwks/").json()
    claims = lti_platform.deep_link_response({"JWT": token.group(1)})
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[DL + "data"] == "op-7"
    items = claims[DL + "content_items"]
    assert [item["type"] for item in items] == ["ltiResourceLink", "ltiResourceLink"]
    assert [item["title"] for item in items] == [setup.lab.title, setup.paper.title]
    assert all(item["url"] == LAUNCH for item in items)
    # The request is used up.
    assert client.get("/lti/deep-link/").status_code == 400

    # The LMS made a link of the first item; a student launching it lands on the lab.
    student = lti_platform.resource_link_claims(
        user_id="lms-student",
        context_id="ctx-1",
        resource_link_id="rl-from-deep-link",
        target_link_uri=LAUNCH,
        custom=items[0]["custom"],
        roles=[LEARNER],
    )
    answer = launch(Client(), lti_platform, student)
    assert answer["Location"] == f"/courses/{setup.course.pk}/labs/{setup.lab.slug}/"
    assert ResourceLink.objects.get(resource_link_id="rl-from-deep-link").assignment == setup.lab


def test_picking_nothing_is_refused(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    client = Client()
    launch(client, lti_platform, deep_link_claims(lti_platform))
    answer = client.post("/lti/deep-link/", {"item": ["lab-999999"]})
    assert answer.status_code == 400
    assert "Pick at least one" in answer.content.decode()


def test_one_item_where_the_lms_takes_one(lti_platform: LtiPlatform) -> None:
    setup = course_with_platform(lti_platform)
    client = Client()
    claims = lti_platform.deep_linking_claims(
        user_id="t", context_id="ctx-1", target_link_uri=LAUNCH, accept_multiple=False
    )
    launch(client, lti_platform, claims)
    assert 'type="radio"' in client.get("/lti/deep-link/").content.decode()
    both = {"item": [f"lab-{setup.lab.pk}", f"paper-{setup.paper.pk}"]}
    answer = client.post("/lti/deep-link/", both)
    assert answer.status_code == 400
    assert "takes one item" in answer.content.decode()
    answer = client.post("/lti/deep-link/", {"item": [f"lab-{setup.lab.pk}"]})
    assert answer.status_code == 200
    assert 'name="JWT"' in answer.content.decode()


def test_place_that_takes_no_links_is_refused(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    client = Client()
    claims = deep_link_claims(lti_platform)
    claims[DL + "deep_linking_settings"]["accept_types"] = ["file", "html"]  # type: ignore[index]
    before = counts()
    answer = launch(client, lti_platform, claims)
    assert answer.status_code == 400
    assert "takes no LTI links" in answer.content.decode()
    assert {k: v for k, v in counts().items() if k != "sessions"} == {
        k: v for k, v in before.items() if k != "sessions"
    }


def test_student_cannot_deep_link(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    before = counts()
    answer = launch(Client(), lti_platform, deep_link_claims(lti_platform, roles=[LEARNER]))
    assert answer.status_code == 403
    assert "Only the course&#x27;s instructors and TAs" in answer.content.decode()
    assert {k: v for k, v in counts().items() if k != "sessions"} == {
        k: v for k, v in before.items() if k != "sessions"
    }


def test_deep_link_page_without_a_request(lti_platform: LtiPlatform) -> None:
    setup = course_with_platform(lti_platform)
    client = Client()
    # Signed in through an ordinary launch: no deep linking request is open.
    launch(
        client,
        lti_platform,
        lti_platform.resource_link_claims(
            user_id="t", context_id="ctx-1", resource_link_id="r", target_link_uri=LAUNCH
        ),
    )
    answer = client.get("/lti/deep-link/")
    assert answer.status_code == 400
    assert "No deep linking request" in answer.content.decode()
    assert setup.lab.title not in answer.content.decode()
