"""Rate limits: failed logins (per username and address), the analyzer, submissions."""

from __future__ import annotations

import datetime as dt
import threading
from typing import TYPE_CHECKING

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from rest_framework.settings import api_settings

from convlab.apis import SubmitThrottle
from convlab.models import Submission
from courseportal import login
from reviews.apis import AnalyzeThrottle
from tests.convlab.service.conftest import submit_url
from tests.factories import PASSWORD, make_user

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


def test_it_counts_a_fullwidth_username_as_the_one_django_logs_in(client, alice):
    """Django logs alice in when her name is typed with a fullwidth a (U+FF41), since it
    NFKC-normalises usernames: the count is hers."""
    for _ in range(5):
        fail(client)
    refused = client.post(
        LOGIN, {"username": " \uff41lice ", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_counts_a_fullwidth_username_at_the_admin_login_too(client):
    make_user("root", is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post(
            "/admin/login/", {"username": "root", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
        )
    refused = client.post(
        "/admin/login/", {"username": "\uff52oot", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_lets_no_more_than_the_limit_reach_the_password_check_concurrently(settings):
    """Each attempt takes its place before the password is checked: of 20 concurrent failures
    only LOGIN_FAILURE_LIMIT reach the check, although none of them has finished yet."""
    checked: list[int] = []
    refused: list[int] = []
    decided = threading.Condition()
    finish = threading.Event()

    def password_check(request: HttpRequest) -> HttpResponse:
        with decided:
            checked.append(1)
            decided.notify_all()
        finish.wait(timeout=30)  # every attempt is still in flight until all are decided
        return HttpResponse(status=200)  # the form shown again: a failure

    view = login.throttle_login(password_check)
    factory = RequestFactory()

    def attempt() -> None:
        request = factory.post(
            LOGIN, {"username": "alice", "password": "x"}, REMOTE_ADDR="10.0.0.1"
        )
        request.user = AnonymousUser()
        if view(request).status_code == 429:
            with decided:
                refused.append(1)
                decided.notify_all()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    with decided:
        decided.wait_for(lambda: len(checked) + len(refused) == 20, timeout=30)
    finish.set()
    for thread in threads:
        thread.join()
    assert (len(checked), len(refused)) == (settings.LOGIN_FAILURE_LIMIT, 15)


def test_it_limits_a_username_across_addresses(client, alice, settings):
    settings.LOGIN_FAILURE_USERNAME_LIMIT = 8
    for address in ("10.0.1.1", "10.0.1.2"):
        assert [fail(client, address=address).status_code for _ in range(4)] == [200] * 4
    refused = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.1.3"
    )
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW


def test_one_address_cannot_use_up_the_per_username_limit(client, alice, settings):
    """Attempts refused per username and address count nowhere else."""
    for _ in range(settings.LOGIN_FAILURE_USERNAME_LIMIT * 2):
        fail(client, address="10.0.2.66")
    ok = client.post(LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.2.1")
    assert ok.status_code == 302


def test_an_attempt_refused_for_csrf_is_not_counted(alice):
    forged = Client(enforce_csrf_checks=True)
    for _ in range(10):
        response = forged.post(
            LOGIN, {"username": "alice", "password": "x"}, REMOTE_ADDR="10.0.0.1"
        )
        assert response.status_code == 403
    ok = Client().post(LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert ok.status_code == 302


def test_it_believes_no_forwarded_header_unless_a_proxy_is_configured(client, alice, settings):
    """Without TRUSTED_PROXY_COUNT, X-Forwarded-For is the client's to write: a new value for
    each attempt gets no fresh count."""
    assert settings.TRUSTED_PROXY_COUNT == 0
    for n in range(5):
        response = client.post(
            LOGIN, {"username": "alice", "password": "wrong"}, REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )  # fmt: skip
        assert response.status_code == 200
    response = client.post(
        LOGIN, {"username": "alice", "password": "wrong"}, REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )  # fmt: skip
    assert response.status_code == 429


def test_behind_a_configured_proxy_each_client_has_its_own_count(client, alice, settings):
    """One proxy (10.0.0.1, the REMOTE_ADDR of everyone): the client is the last entry it
    appended; what the client wrote before it changes nothing."""
    settings.TRUSTED_PROXY_COUNT = 1

    def through_proxy(forwarded: str, *, right: bool = False) -> int:
        return client.post(
            LOGIN, {"username": "alice", "password": PASSWORD if right else "wrong"},
            REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code  # fmt: skip

    for n in range(5):
        assert through_proxy(f"198.51.100.{n}, 203.0.113.5") == 200
    assert through_proxy("198.51.100.77, 203.0.113.5") == 429  # the same client, spoofing
    assert through_proxy("203.0.113.6", right=True) == 302  # alice, elsewhere


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.1"),
        (1, "198.51.100.1, 203.0.113.5", "203.0.113.5"),
        (2, "198.51.100.1, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.1"),  # shorter than the chain of proxies: not believed
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_it_takes_the_client_address_from_the_trusted_proxies_only(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post(LOGIN, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert login.client_address(request) == expected


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


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TRUSTED_PROXY_COUNT", "-1", "TRUSTED_PROXY_COUNT=-1 must be at least 0"),
        ("TRUSTED_PROXY_COUNT", "one", "TRUSTED_PROXY_COUNT='one' is not an integer"),
        ("LOGIN_FAILURE_USERNAME_LIMIT", "3", "must be at least LOGIN_FAILURE_LIMIT=5"),
    ],
)
def test_a_bad_login_limit_setting_stops_start_up(tmp_path, variable, value, message):
    import subprocess
    import sys

    from tests.security.test_deploy import ROOT, production_env

    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, capture_output=True,
        text=True, timeout=60, env=production_env(tmp_path, **{variable: value}),
    )  # fmt: skip
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert message in done.stderr


def test_drf_throttles_believe_the_same_proxy_as_the_login_limiter(rf, settings):
    """DRF identifies an anonymous caller by address: with TRUSTED_PROXY_COUNT proxies, the
    entry the outermost one appended, as login.client_address does, not the client's own."""
    from rest_framework.request import Request
    from rest_framework.throttling import BaseThrottle

    assert api_settings.NUM_PROXIES == settings.TRUSTED_PROXY_COUNT
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(api_settings, "NUM_PROXIES", 1)
        settings.TRUSTED_PROXY_COUNT = 1
        assert BaseThrottle().get_ident(Request(request)) == "203.0.113.7"
        assert login.client_address(request) == "203.0.113.7"
