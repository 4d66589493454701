"""The cache the rate limits count in: the shared one, or this process's own while it is down.

The login limiter (`login.py`) and DRF's throttles (submit, analyze, ...) keep their counters in
the default cache: Redis in production, shared by every web process. When Redis cannot be
reached, its client raises (django-redis: `ConnectionInterrupted`) and every request that counts
would answer 500; a login page that nobody can use during an outage, or a limit that stops
applying, are both worse than the middle way taken here: each call falls back to a cache of this
process (LocMemCache), so every limit still holds, per web process, until Redis answers again.

After a failure the shared cache is left alone for OUTAGE_BACKOFF seconds, so that a request
does not wait for Redis's connect timeout on every one of its counter calls. A counter's value
is not carried between the two caches: an outage, or its end, starts the counts afresh (at most
one window's worth of attempts more than the limit, per process).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger(__name__)

# Seconds the shared cache is not tried again after it failed.
OUTAGE_BACKOFF = 5.0


class CounterCache(BaseCache):
    """Django's cache API, on the `alias` cache, falling back to a cache of this process while
    that one raises. A ValueError (incr/decr of a missing key) is the cache's answer, not a
    failure, and reaches the caller from either cache. The methods the limiters use (DRF's
    throttles: get, set; login.py: add, incr, decr, get, delete_many) are the ones forwarded."""

    def __init__(self, alias: str = "default") -> None:
        super().__init__({})
        self.alias = alias
        self.local: BaseCache = LocMemCache(
            f"courseportal-counters-{alias}", {"OPTIONS": {"MAX_ENTRIES": 10_000}}
        )
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= self._down_until:
            try:
                return getattr(caches[self.alias], method)(*args, **kwargs)
            except ValueError:
                raise
            except Exception as error:
                with self._lock:
                    first = self._down_until == 0.0 or time.monotonic() >= self._down_until
                    self._down_until = time.monotonic() + OUTAGE_BACKOFF
                if first:
                    logger.warning(
                        "the %r cache is unreachable (%s: %s); rate limits count in this "
                        "process for now",
                        self.alias,
                        type(error).__name__,
                        error,
                    )
        return getattr(self.local, method)(*args, **kwargs)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call("get", key, default, version=version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._call("set", key, value, timeout, version=version)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return bool(self._call("add", key, value, timeout, version=version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return int(self._call("incr", key, delta, version=version))

    def decr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return int(self._call("decr", key, delta, version=version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return bool(self._call("delete", key, version=version))

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._call("delete_many", keys, version=version)

    def clear_local(self) -> None:
        """Forget this process's counters and the outage (tests)."""
        self.local.clear()
        self._down_until = 0.0


counters = CounterCache()
