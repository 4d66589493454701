"""CSRF: every form a user meets carries the token, a POST without it is refused, htmx sends it."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from reviews.models import Paper
from tests.factories import PASSWORD
from tests.security.site import Form, World, crawl

pytestmark = pytest.mark.django_db
VIEWERS = ("instructor", "ta", "student1", "student3")


@pytest.fixture
def post_forms(world: World) -> list[tuple[str, Form]]:
    """Every <form method=post> on every page each viewer reaches, with the viewer."""
    found: list[tuple[str, Form]] = []
    for viewer in VIEWERS:
        client = Client()
        client.force_login(world.users[viewer])
        for page in crawl(client, world.start_urls()).values():
            found.extend((viewer, form) for form in page.forms if form.method == "post")
    return found


def test_every_post_form_carries_the_csrf_token(post_forms):
    actions = {form.action for _, form in post_forms}
    # The walk found the forms of every app (logout, tokens, labs, reviews, presentations,
    # roster import, presentation scores, staff jobs).
    for pattern in (r"^/accounts/logout/$", r"^/account/$", r"/regrade/$", r"/rate/$",
                    r"/presentations/swaps/", r"/presentations/manage/", r"/review/$",
                    r"/roster/$", r"/roster/apply/$", r"/grades/presentations/$",
                    r"/jobs/$"):  # fmt: skip
        assert any(re.search(pattern, action) for action in actions), pattern
    for viewer, form in post_forms:
        token = form.inputs.get("csrfmiddlewaretoken", "")
        assert len(token) == 64, f"{form.action} on {form.page} for {viewer} has no CSRF token"


def test_the_login_form_carries_the_token_too():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    assert 'name="csrfmiddlewaretoken"' in page.text


def test_every_form_refuses_a_post_without_the_token(post_forms, world):
    """Posted as the viewer who saw the form, with the form's own fields, but no token."""
    clients: dict[str, Client] = {}
    seen = set()
    for viewer, form in post_forms:
        if (viewer, form.action) in seen:
            continue
        seen.add((viewer, form.action))
        if viewer not in clients:
            clients[viewer] = Client(enforce_csrf_checks=True)
            clients[viewer].force_login(world.users[viewer])
        fields = {k: v for k, v in form.inputs.items() if k != "csrfmiddlewaretoken"}
        response = clients[viewer].post(form.action, fields)
        assert response.status_code == 403, f"{form.action} for {viewer}: {response.status_code}"
    assert len(seen) > 10


def test_a_login_post_without_the_token_is_refused(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_htmx_requests_send_the_token_from_the_page(world):
    """base.html puts the token in hx-headers; a request with it (and no form field) passes."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["student1"])
    paper = Paper.objects.get(course=world.course)
    page = client.get(f"/courses/{world.course.pk}/papers/{paper.pk}/review/")
    assert page.status_code == 200
    found = re.search(r"<body hx-headers='([^']*)'>", page.text)
    assert found is not None
    token = json.loads(found.group(1))["X-CSRFToken"]
    url = f"/courses/{world.course.pk}/guidance/"
    typed = {"summary": "The experiments could have been done better."}
    assert client.post(url, typed, HTTP_HX_REQUEST="true").status_code == 403
    sent = client.post(url, typed, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert sent.status_code == 200
    assert "Writing guidance" in sent.text


def test_the_api_refuses_a_session_post_without_the_token(world):
    """A browser session reaches the API too (DRF's SessionAuthentication): same rule."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["student1"])
    response = client.post("/api/v1/tokens/", {"name": "sneaky"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
