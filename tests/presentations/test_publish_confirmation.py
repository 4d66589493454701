"""Publishing a schedule moves every group: the page asks first, and the server refuses a
publish that was not confirmed (400 naming the checkbox, nothing published)."""

from __future__ import annotations

import html

import pytest

from presentations.models import PresentationSchedule
from presentations.views import PUBLISH_CONFIRM

pytestmark = pytest.mark.django_db


@pytest.fixture
def manage(client, demo, users):
    client.force_login(users["instructor"])
    base = f"/courses/{demo.pk}/presentations/manage/"
    assert client.post(base + "generate/").status_code == 302
    return base


def test_it_asks_for_the_confirmation_next_to_the_publish_button(client, manage):
    page = html.unescape(client.get(manage).text)
    assert PUBLISH_CONFIRM in page
    assert 'name="confirm" value="yes" required' in page


@pytest.mark.parametrize("data", [{}, {"confirm": ""}, {"confirm": "no"}])
def test_it_refuses_an_unconfirmed_publish_and_publishes_nothing(client, demo, manage, data):
    response = client.post(manage + "publish/", data)
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert f"tick “{PUBLISH_CONFIRM}” to confirm" in page
    assert 'role="alert"' in page
    # The same action is offered again, with the checkbox, so no JavaScript is needed.
    assert 'name="confirm" value="yes" required' in page
    assert not PresentationSchedule.objects.filter(course=demo, status="published").exists()
    assert PresentationSchedule.objects.get(course=demo).status == "draft"


def test_it_publishes_once_confirmed(client, demo, manage):
    response = client.post(manage + "publish/", {"confirm": "yes"})
    assert response.status_code == 302
    assert PresentationSchedule.objects.get(course=demo).status == "published"


def test_it_still_refuses_a_confirmed_publish_to_students(client, demo, users):
    client.force_login(users["student1"])
    response = client.post(f"/courses/{demo.pk}/presentations/manage/publish/", {"confirm": "yes"})
    assert response.status_code == 403
