"""The Content-Security-Policy blocks nothing the portal itself does: no violation on any page
a student or instructor reaches, htmx runs, and the guidance panel updates as one types."""

from __future__ import annotations

from typing import Any

import pytest

from reviews.models import Paper
from tests.security.site import crawl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WATCH = """() => { window.__violations = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI)); }"""


def log_in(page: Any, base: str, username: str) -> None:
    from tests.factories import PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/courses/*/")


@pytest.mark.parametrize("username", ["student1", "instructor"])
def test_no_page_violates_the_policy(page, live_server, settings, tmp_path, username):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from tests.factories import PASSWORD
    from tests.security.site import build_world

    settings.MEDIA_ROOT = tmp_path
    world = build_world(tmp_path)
    user = get_user_model().objects.get(username=username)
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    client.force_login(user)
    # Whole pages (htmx fragments and downloads are parts of them).
    urls = [
        url
        for url, found in crawl(client, world.start_urls()).items()
        if found.status == 200 and "<html" in found.text
    ]
    assert len(urls) > 8
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.add_init_script(f"({WATCH})()")
    log_in(page, live_server.url, username)
    for url in urls:
        assert page.goto(f"{live_server.url}{url}").status == 200, url
        assert page.evaluate("typeof htmx") == "object", url
        assert page.evaluate("window.__violations") == [], url
    assert not [m for m in messages if "Content Security Policy" in m]


def test_the_guidance_panel_updates_under_the_policy(page, live_server, settings, tmp_path):
    from tests.factories import PASSWORD
    from tests.security.site import build_world

    settings.MEDIA_ROOT = tmp_path
    world = build_world(tmp_path)
    student = world.users["student1"]
    student.set_password(PASSWORD)
    student.save()
    paper = Paper.objects.get(course=world.course)
    page.add_init_script(f"({WATCH})()")
    log_in(page, live_server.url, "student1")
    page.goto(f"{live_server.url}/courses/{world.course.pk}/papers/{paper.pk}/review/")
    page.get_by_label("Weaknesses").fill(
        "The experimental settings are not reasonable. Details are missing."
    )
    page.locator("mark.finding").first.wait_for()
    assert page.evaluate("window.__violations") == []
