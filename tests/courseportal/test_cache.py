"""The Redis cache backend that keeps one client per pool, against the real Redis."""

from __future__ import annotations

import os
import threading

import pytest

from courseportal.cache import SharedClientRedisCache
from tests.conftest import require


@pytest.fixture
def cache():
    url = os.environ.get("REDIS_URL", "")
    require(url.startswith("redis"), "REDIS_URL is not set (Redis tests)")
    backend = SharedClientRedisCache(url, {"KEY_PREFIX": f"test-cache-{os.getpid()}"})
    try:
        backend.get("ping")
    except Exception as error:  # a missing service: skip locally, fail in CI
        require(False, f"Redis does not answer at {url}: {error}")
    yield backend
    backend.clear()


def test_it_reuses_one_client_per_pool(cache: SharedClientRedisCache) -> None:
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client("any key", write=True) is client


def test_it_stores_reads_counts_and_expires_like_the_stock_backend(
    cache: SharedClientRedisCache,
) -> None:
    cache.set("history", [1.5, 2.5], 30)
    assert cache.get("history") == [1.5, 2.5]
    assert cache.add("n", 1) is True
    assert cache.incr("n", 5) == 6
    cache.set("gone", 1, 0)  # a timeout of 0 expires at once
    assert cache.get("gone") is None
    cache.delete("history")
    assert cache.get("history", "default") == "default"


def test_threads_share_the_client_safely(cache: SharedClientRedisCache) -> None:
    cache.set("count", 0)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(50):
                cache.incr("count")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.get("count") == 400
