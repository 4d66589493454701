"""While the shared cache (Redis) is unreachable, submitting still works: the API accepts the
submission (202) and the upload page too, never a 500. The submit rate limit counts in the web
process's own cache then (courseportal/counters.py), and the assignment's daily limit, kept in
the database, still bounds every student."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from convlab.models import Submission
from tests.convlab.service.conftest import REFERENCE, submit_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_500s() -> APIClient:
    """A client that gets a 500 as the response a user would see, not as an exception."""
    return APIClient(raise_request_exception=False)


def test_the_api_accepts_a_submission_while_redis_is_down(api_500s, lab, alice, redis_down):
    api_500s.force_authenticate(alice)
    response = api_500s.post(submit_url(lab), {"source": REFERENCE.decode()}, format="json")
    assert response.status_code == 202, response.content[:300]
    made = Submission.objects.get()
    assert response.json()["id"] == made.pk
    # Saved; the sweeper queues it should the broker be down too.
    assert made.status in {"received", "queued"}
    # Polling it works as well.
    assert api_500s.get(response.headers["Location"]).status_code == 200
    assert api_500s.get(submit_url(lab)).status_code == 200


def test_the_daily_limit_still_holds_while_redis_is_down(api_500s, lab, alice, redis_down):
    api_500s.force_authenticate(alice)
    answers = [
        api_500s.post(submit_url(lab), {"source": REFERENCE.decode()}, format="json").status_code
        for _ in range(lab.max_submissions_per_day + 1)
    ]
    assert answers == [202] * lab.max_submissions_per_day + [429]


def test_the_upload_page_accepts_a_submission_while_redis_is_down(client, lab, alice, redis_down):
    client.raise_request_exception = False
    client.force_login(alice)
    page = f"/courses/{lab.course_id}/labs/{lab.slug}/"
    assert client.get(page).status_code == 200
    upload = SimpleUploadedFile("solution.py", REFERENCE, content_type="text/x-python")
    response = client.post(page, {"file": upload})
    assert response.status_code in {200, 302}, response.content[:300]
    made = Submission.objects.get()
    assert client.get(f"/submissions/{made.pk}/").status_code == 200
