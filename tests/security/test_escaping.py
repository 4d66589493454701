"""User text is never rendered as HTML: every page shows markup typed into any field as text."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.html import escape

from tests.security.site import crawl, payload

pytestmark = pytest.mark.django_db
VIEWERS = ("instructor", "ta", "student1", "student3")


@pytest.fixture
def pages(world):
    """Every page each viewer reaches, as {(viewer, url): page}."""
    found = {}
    for viewer in VIEWERS:
        client = Client()
        client.force_login(world.users[viewer])
        for url, page in crawl(client, world.start_urls()).items():
            found[(viewer, url)] = page
    return found


def test_the_walk_reaches_the_pages_of_every_app(pages, world):
    urls = {url for _, url in pages}
    c = world.course.pk
    for expected in (
        f"/courses/{c}/",
        f"/courses/{c}/papers/",
        f"/courses/{c}/presentations/",
        f"/courses/{c}/presentations/group/",
        f"/courses/{c}/presentations/manage/",
        f"/courses/{c}/labs/",
        f"/submissions/{world.submission.pk}/",
        "/account/",
        f"/courses/{c}/staff/",
        f"/courses/{c}/grades/",
        f"/courses/{c}/grades/mine/",
        f"/courses/{c}/grades/students/{world.users['student1'].pk}/",
        f"/courses/{c}/roster/",
        f"/courses/{c}/jobs/",
        f"/courses/{c}/jobs/{world.roster_job}/",
    ):
        assert expected in urls
    assert all(page.status in {200, 301, 302, 403, 404} for page in pages.values())
    # The staff pages are walked as staff, not only refused to students.
    staff = {url for (viewer, url), page in pages.items() if viewer == "ta" and page.status == 200}
    assert {f"/courses/{c}/grades/", f"/courses/{c}/roster/", f"/courses/{c}/jobs/"} <= staff


def test_no_page_renders_user_text_as_markup(pages, world):
    for (viewer, url), page in pages.items():
        for tag in world.tags:
            assert payload(tag) not in page.text, f"{tag} unescaped on {url} for {viewer}"
        assert "<script>alert(" not in page.text, url
        assert "<img src=x" not in page.text, url


def test_every_field_is_shown_somewhere_escaped(pages, world):
    """So that the test above cannot pass by not showing the fields at all."""
    everything = "\n".join(page.text for page in pages.values())
    missing = [tag for tag in world.tags if escape(payload(tag)) not in everything]
    assert missing == []


def test_the_live_guidance_panel_escapes_what_is_typed(world):
    """The analyzer highlights spans of the text itself (reviews.views.highlight)."""
    client = Client()
    client.force_login(world.users["student1"])
    typed = {
        # Vague sentences around the markup, so that highlights come next to it.
        "summary": f"Details are missing. {payload('g-summary')}",
        "strengths": "",
        "weaknesses": f'{payload("g-weaknesses")} <b title="x">x</b>\n'
        "The experimental settings are not reasonable. Details are missing.",
        "questions": '"><script>alert("g-q")</script> Details are missing.',
    }
    response = client.post(f"/courses/{world.course.pk}/guidance/", typed, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<mark" in response.text  # the analyzer did highlight something
    assert "<script>" not in response.text
    assert "<img src=x" not in response.text
    assert "<b title" not in response.text
    assert "&lt;b title=&quot;x&quot;&gt;" in response.text  # shown, as text
