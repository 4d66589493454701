"""CPU per call of the shared cache's backends, side by side (not a test: nothing asserts a time).

``python bench/cache.py [--redis redis://127.0.0.1:6379/13] [--calls 2000] [--repeats 7]``

An API request reads and writes the shared cache several times (the throttle's history, the
content versions of the kept reads): what each call costs in the web process's CPU adds up.
Django's own Redis backend makes a redis-py client for every call; django-redis (the project's
backend, courseportal/settings.py) keeps one per connection pool. Each backend does the same
`get` and `get_many` calls against the same Redis, alternated, and the script prints the median
CPU microseconds per call of each and their ratio. Uses keys under its own prefix, deleted at
the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def cpu_per_call(cache: Any, calls: int) -> float:
    """Median-ready sample: CPU microseconds per call over `calls` get + get_many pairs."""
    started = time.process_time()
    for _ in range(calls):
        cache.get("history")
        cache.get_many(["history", "version"])
    return (time.process_time() - started) / (2 * calls) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=7)
    options = parser.parse_args()

    import django
    from django.conf import settings

    settings.configure()
    django.setup()
    from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
    from django_redis.cache import RedisCache as DjangoRedisPackageCache

    params = {"KEY_PREFIX": "bench-cache"}
    backends = {
        "django (stock)": DjangoRedisCache(options.redis, params),
        "django-redis": DjangoRedisPackageCache(options.redis, params),
    }
    for cache in backends.values():
        cache.set("history", [1.5, 2.5], 60)
    samples: dict[str, list[float]] = {name: [] for name in backends}
    for _ in range(options.repeats):  # alternated, so that both see the same machine
        for name, cache in backends.items():
            samples[name].append(cpu_per_call(cache, options.calls))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"{options.repeats} repeats of {2 * options.calls} calls, Redis {options.redis}")
    print("| backend | CPU µs per call (median) |")
    print("|---|---:|")
    for name, median in medians.items():
        print(f"| {name} | {median:.1f} |")
    ratio = medians["django (stock)"] / medians["django-redis"]
    print(f"stock / django-redis: {ratio:.2f}x")
    backends["django-redis"].delete_many(["history", "version"])


if __name__ == "__main__":
    main()
