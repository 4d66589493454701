"""LTI 1.3 in a real browser against the test platform (tests/lti/platform.py): the platform's
link starts the OIDC login, its auto-submitting form posts the id_token, and the student lands
on the lab; an instructor places a lab by deep linking and the response posts itself back; a
bad launch shows the refused page. Every page passes axe and fits a phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.axe import PHONE_VIEWPORT, accessibility_problems, phone_width_problems
from tests.lti.platform import INSTRUCTOR, LEARNER, LtiPlatform
from tests.lti.tool import Setup, course_with_platform

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def platform() -> Iterator[LtiPlatform]:
    with LtiPlatform().running() as running:
        yield running


@pytest.fixture
def base(live_server: Any, settings: Any) -> str:
    # The platform listens on 127.0.0.1: the portal is reached there too, so that the launch's
    # form POST is same-site and the (non-Secure, plain-HTTP) state and session cookies go with
    # it. Over HTTPS with LTI_ENABLED they are SameSite=None; Secure and cross-site works too.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    return str(live_server.url).replace("localhost", "127.0.0.1")


def _scene(platform: LtiPlatform, base: str) -> Setup:
    setup = course_with_platform(platform)
    platform.tool_login_url = f"{base}/lti/login/"
    platform.tool_redirect_uris = [f"{base}/lti/launch/"]
    platform.tool_jwks_url = f"{base}/lti/jwks/"
    return setup


def _problems(page: Any) -> list[str]:
    return [p for p in (accessibility_problems(page), phone_width_problems(page)) if p]


def _phone(browser: Any) -> Any:
    page = browser.new_context(viewport=PHONE_VIEWPORT).new_page()
    page.set_default_timeout(15_000)
    return page


def test_student_launch_lands_on_the_lab(browser: Any, platform: LtiPlatform, base: str) -> None:
    setup = _scene(platform, base)
    page = _phone(browser)
    claims = platform.resource_link_claims(
        user_id="lms-ada",
        context_id="ctx-1",
        resource_link_id="rl-1",
        target_link_uri=f"{base}/lti/launch/",
        roles=[LEARNER],
        custom={"portal_assignment": str(setup.lab.pk)},
        person={"name": "Ada Lovelace", "email": "ada@example.edu"},
    )
    page.goto(platform.login_url(claims))
    page.wait_for_url(f"{base}/courses/{setup.course.pk}/labs/{setup.lab.slug}/")
    assert setup.lab.title in page.content()
    assert not _problems(page), _problems(page)
    page.context.close()


def test_instructor_places_a_lab_by_deep_linking(
    browser: Any, platform: LtiPlatform, base: str
) -> None:
    setup = _scene(platform, base)
    page = _phone(browser)
    claims = platform.deep_linking_claims(
        user_id="lms-teacher",
        context_id="ctx-1",
        target_link_uri=f"{base}/lti/launch/",
        roles=[INSTRUCTOR],
    )
    page.goto(platform.login_url(claims))
    page.wait_for_url(f"{base}/lti/deep-link/")
    assert not _problems(page), _problems(page)
    page.get_by_label(setup.lab.title, exact=False).check()
    page.get_by_role("button", name="Place in the LMS").click()
    # The response page posts itself to the platform's deep link return URL.
    page.wait_for_url(platform.deep_link_return_url)
    assert "Linked." in page.content()
    (response,) = platform.deep_link_responses
    items = response["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert [item["title"] for item in items] == [setup.lab.title]
    page.context.close()


def test_refused_launch_page(browser: Any, platform: LtiPlatform, base: str) -> None:
    _scene(platform, base)
    page = _phone(browser)
    claims = platform.resource_link_claims(
        user_id="lms-ada",
        context_id="ctx-1",
        resource_link_id="rl-1",
        target_link_uri=f"{base}/lti/launch/",
    )
    page.goto(platform.login_url(claims, bad="expired"))
    page.wait_for_url(f"{base}/lti/launch/")
    assert "Expired id_token" in page.content()
    assert not _problems(page), _problems(page)
    page.context.close()
