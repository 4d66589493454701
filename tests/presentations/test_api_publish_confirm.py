"""Publishing a schedule through the API is a bulk action: it runs only with an explicit
`{"confirm": true}`, otherwise a 400 naming `confirm` and nothing is published (issue #16)."""

from __future__ import annotations

import pytest

from presentations.models import PresentationSchedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(api, demo, users):
    api.force_authenticate(users["instructor"])
    made = api.post(f"/api/v1/courses/{demo.pk}/schedules/")
    assert made.status_code == 201, made.json()
    return f"/api/v1/courses/{demo.pk}/schedules/{made.json()['id']}/publish/", made.json()["id"]


@pytest.mark.parametrize("body", [None, {}, {"confirm": False}, {"confirm": "maybe"}])
def test_publish_needs_confirm(api, draft, body):
    url, schedule_id = draft
    response = api.post(url, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["confirm"]
    assert "nothing was done" in response.json()["confirm"][0]
    assert PresentationSchedule.objects.get(pk=schedule_id).status == "draft"


def test_publish_runs_once_confirmed(api, draft):
    url, _ = draft
    response = api.post(url, {"confirm": True}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "published"


def test_a_student_gets_403_whatever_the_body(api, draft, users):
    url, _ = draft
    api.force_authenticate(users["student1"])
    assert api.post(url, {"confirm": True}, format="json").status_code == 403
    assert api.post(url).status_code == 403
