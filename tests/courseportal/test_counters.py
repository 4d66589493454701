"""While the shared cache (Redis) is unreachable, the rate limits count in each process's own
cache: logging in and the analyzer answer as usual, never 500, and their limits still hold."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from courseportal import counters as counters_module
from courseportal.counters import CounterCache, counters
from reviews.throttles import AnalyzeThrottle
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
ANALYZE = "/api/v1/reviews/analyze/"


def test_the_dead_cache_really_raises(redis_down):
    # What the limiters met before: every call to the shared cache fails.
    with pytest.raises(Exception, match=r"(?i)connect"):
        caches["default"].get("anything")


def test_logging_in_works_while_redis_is_down(client, alice, redis_down):
    client.raise_request_exception = False
    wrong = client.post(LOGIN, {"username": "alice", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    assert wrong.status_code == 200
    right = client.post(LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_the_login_limit_still_holds_while_redis_is_down(client, alice, settings, redis_down):
    client.raise_request_exception = False
    answers = [
        client.post(
            LOGIN, {"username": "alice", "password": "wrong"}, REMOTE_ADDR="10.0.0.1"
        ).status_code
        for _ in range(settings.LOGIN_FAILURE_LIMIT + 1)
    ]
    assert answers == [200] * settings.LOGIN_FAILURE_LIMIT + [429]
    refused = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.fixture
def two_analyses_a_minute(monkeypatch):
    low = {**api_settings.DEFAULT_THROTTLE_RATES, "analyze": "2/min"}
    monkeypatch.setattr(AnalyzeThrottle, "THROTTLE_RATES", low)


def test_the_analyzer_answers_and_is_limited_while_redis_is_down(
    alice, redis_down, two_analyses_a_minute
):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(alice)
    answers = [
        api.post(ANALYZE, {"text": "The experiments are weak."}, format="json") for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0].json()["findings"] is not None
    assert int(answers[2].headers["Retry-After"]) > 0


def test_counts_go_to_the_shared_cache_when_it_answers():
    counters.add("k", 0, timeout=60)
    assert counters.incr("k") == 1
    assert caches["default"].get("k") == 1  # the shared cache holds it, not the fallback
    assert counters.local.get("k") is None


def test_a_missing_key_is_the_caches_answer_not_an_outage():
    with pytest.raises(ValueError, match="never-added"):
        counters.incr("never-added")
    counters.add("k", 0, timeout=60)
    assert caches["default"].get("k") == 0  # the shared cache is still used afterwards


def test_the_shared_cache_is_tried_again_after_the_backoff(settings, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(counters_module.time, "monotonic", lambda: clock[0])
    cache = CounterCache()
    healthy = settings.CACHES
    settings.CACHES = {
        **healthy,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # a port nothing listens on
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
    }
    cache.set("k", "during", 60)
    assert cache.local.get("k") == "during"
    settings.CACHES = healthy
    clock[0] += counters_module.OUTAGE_BACKOFF / 2
    cache.set("k", "still-backing-off", 60)
    assert caches["default"].get("k") is None
    clock[0] += counters_module.OUTAGE_BACKOFF
    cache.set("k", "after", 60)
    assert caches["default"].get("k") == "after"
