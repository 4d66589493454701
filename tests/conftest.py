"""Shared fixtures. In CI (CI=true) a missing service is a failure, never a skip."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import make_course, make_member

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip when a service or tool is missing on a developer's machine; fail in CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_sessionstart(session: pytest.Session) -> None:
    if not IN_CI:
        return
    problems = []
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")):
        problems.append("DATABASE_URL must point at PostgreSQL")
    if not os.environ.get("REDIS_URL", "").startswith("redis"):
        problems.append("REDIS_URL must point at Redis")
    if problems:
        pytest.exit("CI runs on the real services: " + "; ".join(problems), returncode=3)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Every test starts, and leaves, with every cache empty: rate-limit counters, rendered
    feeds, content versions, the reads this process keeps (courseportal/caching.py) and the
    counters kept while Redis is down (courseportal/counters.py)."""
    from django.core.cache import caches

    from courseportal.counters import counters

    for cache in caches.all():
        cache.clear()
    counters.clear_local()
    yield
    for cache in caches.all(initialized_only=True):
        cache.clear()
    counters.clear_local()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def course(db):
    return make_course()


@pytest.fixture
def redis_down(settings):
    """The production cache (django-redis), pointed at a port where no Redis answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
    }


@pytest.fixture
def alice(course):
    """A student of `course`."""
    return make_member(course, "alice", "student")


@pytest.fixture
def tara(course):
    """A TA of `course`."""
    return make_member(course, "tara", "ta")


@pytest.fixture
def ines(course):
    """An instructor of `course`."""
    return make_member(course, "ines", "instructor")


@pytest.fixture
def bob(db):
    """A student of another course."""
    other = make_course(
        code="CS 4803", term="Spring 2018", first_day="2018-01-08", last_day="2018-04-24"
    )
    return make_member(other, "bob", "student")


def start_worker(
    env: dict[str, str],
    log: Path,
    queues: str,
    *,
    concurrency: int = 1,
    extra: tuple[str, ...] = (),
) -> subprocess.Popen[bytes]:
    """Start a real `celery worker` process (prefork, one child by default) with the given
    environment; `extra` adds options (e.g. `-B` to run celery beat's sweeper inside it)."""
    command = [
        sys.executable, "-m", "celery", "-A", "courseportal", "worker",
        "--loglevel", "INFO", "--concurrency", str(concurrency), "--without-gossip",
        "--without-mingle", "--queues", queues,
        "--hostname", f"test-{os.getpid()}-{time.monotonic_ns()}@%h", *extra,
    ]  # fmt: skip
    handle = log.open("wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


def wait_until_ready(process: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    """Wait for the worker's "ready." line, so that a test's first message finds it consuming
    (a busy machine can take many seconds to import Django and fork the pool)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the worker exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        if log.exists() and " ready." in log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    stop_worker(process)
    pytest.fail(f"the worker was not ready after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker_env(**overrides: str | None) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "courseportal.settings_test"}
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@pytest.fixture(scope="session")
def live_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[bytes]]:
    """A worker on the broker the settings name (Redis in CI, the embedded one otherwise).

    It serves only the default queue (health pings): gradings need the test database, which
    `grading_worker` has.
    """
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    process = start_worker(worker_env(), log, queues="celery")
    wait_until_ready(process, log)
    yield process
    stop_worker(process)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    require(Path(path).exists(), "Debian chromium is not installed (apt-get install chromium)")
    return path


def database_url() -> str:
    """The URL of the test database (after pytest-django created it), for worker processes."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    auth = f"{user}:{db['PASSWORD']}@" if db.get("PASSWORD") else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def grading_worker(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[subprocess.Popen[bytes]]:
    """A real worker process grading from the test database (use with transactional tests)."""
    from convlab.sandbox import bwrap_path

    require(bwrap_path() is not None, "bubblewrap is not installed (apt-get install bubblewrap)")
    log = tmp_path_factory.mktemp("grading-worker") / "worker.log"
    process = start_worker(worker_env(DATABASE_URL=database_url()), log, queues="grading")
    wait_until_ready(process, log)
    yield process
    stop_worker(process)


@pytest.fixture(scope="session")
def jobs_worker(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[subprocess.Popen[bytes]]:
    """A real worker process running staff jobs (roster import, bulk regrade) from the test
    database (use with transactional tests)."""
    from django.conf import settings

    log = tmp_path_factory.mktemp("jobs-worker") / "worker.log"
    process = start_worker(worker_env(DATABASE_URL=database_url()), log, queues=settings.JOBS_QUEUE)
    wait_until_ready(process, log)
    yield process
    stop_worker(process)


@pytest.fixture
def mail_worker(django_db_setup: None, settings: Any, tmp_path: Path) -> Iterator[Path]:
    """A worker on a jobs queue of this test's own, writing the mail it sends to files."""
    settings.JOBS_QUEUE = f"mail-{os.getpid()}-{time.monotonic_ns()}"
    outbox = tmp_path / "mail"
    outbox.mkdir()
    env = worker_env(
        DATABASE_URL=database_url(),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(outbox),
    )
    log = tmp_path / "worker.log"
    process = start_worker(env, log, queues=settings.JOBS_QUEUE)
    try:
        wait_until_ready(process, log)
        yield outbox
    finally:
        stop_worker(process)


def mail_sent(outbox: Path, count: int, timeout: float = 60) -> str:
    """The text of the mail files once `count` messages are in them."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = "".join(p.read_text() for p in sorted(outbox.glob("*.log")))
        if text.count("Subject: ") >= count:
            return text
        time.sleep(0.2)
    raise AssertionError(f"{text.count('Subject: ')} of {count} messages after {timeout} s")
