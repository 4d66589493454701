"""Rate limits: failed logins (per username and address), the analyzer, submissions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from rest_framework.settings import api_settings

from convlab.apis import SubmitThrottle
from convlab.models import Submission
from reviews.apis import AnalyzeThrottle
from tests.convlab.service.conftest import submit_url
from tests.factories import PASSWORD

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def fail(client: Client, username: str = "alice", address: str = "10.0.0.1") -> TestResponse:
    return client.post(LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=address)


def test_it_refuses_logins_with_429_after_five_failures(client, alice, settings):
    assert settings.LOGIN_FAILURE_LIMIT == 5
    assert [fail(client).status_code for _ in range(5)] == [200] * 5
    refused = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert refused.status_code == 429  # even the right password: no answer to guessing
    assert 0 < int(refused.headers["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW
    assert "Too many failed logins" in refused.text
    assert "_auth_user_id" not in client.session


def test_the_limit_is_per_username_and_address(client, alice, tara):
    for _ in range(5):
        fail(client)
    assert fail(client, address="10.0.0.2").status_code == 200  # alice elsewhere: her own count
    ok = client.post(LOGIN, {"username": "tara", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert ok.status_code == 302  # another user on the same address
    # Usernames are matched without case, so ALICE is the same username.
    assert fail(client, username="ALICE").status_code == 429


def test_the_lock_lifts_after_the_window(client, alice, settings, time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC), tick=False)
    for _ in range(5):
        fail(client)
    assert fail(client).status_code == 429
    time_machine.shift(dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW + 1))
    ok = client.post(LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert ok.status_code == 302


def test_a_successful_login_clears_the_count(client, alice):
    for _ in range(4):
        fail(client)
    ok = client.post(LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert ok.status_code == 302
    client.logout()
    assert [fail(client).status_code for _ in range(5)] == [200] * 5
    assert fail(client).status_code == 429


def test_the_admin_login_is_limited_too(client, ines):
    for _ in range(5):
        response = client.post(
            "/admin/login/", {"username": "ines", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
        )
        assert response.status_code == 200
    refused = client.post(
        "/admin/login/", {"username": "ines", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0


@pytest.fixture
def rates(monkeypatch):
    """Low per-user rates for the analyzer and submissions (the classes read them at import)."""
    low = {**api_settings.DEFAULT_THROTTLE_RATES, "analyze": "2/min", "submit": "2/min"}
    monkeypatch.setattr(AnalyzeThrottle, "THROTTLE_RATES", low)
    monkeypatch.setattr(SubmitThrottle, "THROTTLE_RATES", low)
    return low


def test_submissions_are_rate_limited_per_user_with_retry_after(api, lab, alice, course, rates):
    from tests.factories import make_member

    lab.max_submissions_per_day = 50
    lab.save()
    api.force_authenticate(alice)
    codes = [
        api.post(submit_url(lab), {"source": "x = 1\n"}, format="json").status_code
        for _ in range(3)
    ]
    assert codes == [202, 202, 429]
    refused = api.post(submit_url(lab), {"source": "x = 1\n"}, format="json")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert Submission.objects.filter(student=alice).count() == 2  # nothing stored when refused
    carol = make_member(course, "carol", "student")
    api.force_authenticate(carol)
    assert api.post(submit_url(lab), {"source": "x = 1\n"}, format="json").status_code == 202
    api.force_authenticate(alice)
    assert api.get(submit_url(lab)).status_code == 200  # reading is not limited


def test_the_analyzer_is_rate_limited_per_user_with_retry_after(api, alice, tara, rates):
    url = "/api/v1/reviews/analyze/"
    api.force_authenticate(alice)
    codes = [api.post(url, {"text": "Fine."}, format="json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert int(api.post(url, {"text": "Fine."}, format="json").headers["Retry-After"]) > 0
    api.force_authenticate(tara)
    assert api.post(url, {"text": "Fine."}, format="json").status_code == 200
