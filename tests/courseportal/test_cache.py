"""The caches as production configures them: with REDIS_URL, django-redis's backend (tested
against the real Redis) for what every process shares — rate-limit counters and the
content versions of the kept reads (courseportal/caching.py) — and local memory for the reads
each process keeps; without it, nothing kept."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django_redis.cache import RedisCache

from tests.conftest import require


@pytest.fixture
def redis_cache() -> Iterator[Any]:
    url = os.environ.get("REDIS_URL", "")
    require(url.startswith("redis"), "REDIS_URL is not set (Redis tests)")
    backend = RedisCache(url, {"KEY_PREFIX": f"test-cache-{os.getpid()}"})
    try:
        backend.get("ping")
    except Exception as error:  # a missing service: skip locally, fail in CI
        require(False, f"Redis does not answer at {url}: {error}")
    yield backend
    backend.clear()


def test_production_settings_use_django_redis(monkeypatch: Any) -> None:
    import importlib

    import courseportal.settings as production

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        settings = importlib.reload(production)
        assert settings.CACHES["default"] == {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
        assert settings.CACHES["local"]["BACKEND"].endswith("LocMemCache")
        assert settings.READ_CACHE_ENTRIES > 0
        monkeypatch.delenv("REDIS_URL")
        settings = importlib.reload(production)
        assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
        assert settings.CACHES["local"]["BACKEND"].endswith("DummyCache")  # nothing kept
    finally:
        monkeypatch.undo()
        importlib.reload(production)


def test_it_stores_reads_counts_and_expires(redis_cache: Any) -> None:
    redis_cache.set("history", [1.5, 2.5], 30)
    assert redis_cache.get("history") == [1.5, 2.5]
    assert redis_cache.add("n", 1) is True
    assert redis_cache.add("n", 2) is False
    assert redis_cache.incr("n", 5) == 6
    redis_cache.set("gone", 1, 0)  # a timeout of 0 expires at once
    assert redis_cache.get("gone") is None
    redis_cache.set_many({"a": "1", "b": "2"}, timeout=None)
    assert redis_cache.get_many(["a", "b", "c"]) == {"a": "1", "b": "2"}
    redis_cache.delete("history")
    assert redis_cache.get("history", "default") == "default"
