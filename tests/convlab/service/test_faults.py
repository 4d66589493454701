"""Faults during grading end with every submission in exactly one final state, nothing lost.

Each test starts its own worker on a queue of its own (and, for Redis, its own redis-server on
a free port); the machine's services are never stopped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.utils import timezone
from pytest_django import Settings

from convlab import services
from convlab.models import GradingRun, Submission
from tests.conftest import ROOT, database_url, require, start_worker, stop_worker, worker_env
from tests.convlab.service.conftest import REFERENCE, wait_final

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SLOW = b"import time\ntime.sleep(3)\n" + REFERENCE


@pytest.fixture
def fault_queue(settings: Settings, tmp_path: Path) -> str:
    from convlab.sandbox import bwrap_path

    require(bwrap_path() is not None, "bubblewrap is not installed (apt-get install bubblewrap)")
    settings.CONVLAB_QUEUE = f"fault-{os.getpid()}-{time.monotonic_ns()}"
    return settings.CONVLAB_QUEUE


def wait_status(submission_id: int, status: str, timeout: float = 60) -> Submission:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission = Submission.objects.get(pk=submission_id)
        if submission.status == status:
            return submission
        time.sleep(0.05)
    raise AssertionError(f"submission {submission_id} never became {status}")


def pool_children(worker: subprocess.Popen[bytes]) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-P", str(worker.pid)], capture_output=True, text=True, check=False
    )
    return [int(pid) for pid in found.stdout.split()]


def test_it_finishes_exactly_once_when_the_grading_process_is_killed(
    lab, alice, fault_queue, tmp_path
):
    worker = start_worker(
        worker_env(DATABASE_URL=database_url(), CONVLAB_QUEUE=fault_queue),
        tmp_path / "worker.log",
        queues=fault_queue,
    )
    try:
        made = services.submission_create(
            assignment=lab, student=alice, submitted_by=alice, content=SLOW
        ).submission
        wait_status(made.pk, "running")
        children = pool_children(worker)
        assert children
        for pid in children:
            os.kill(pid, signal.SIGKILL)  # the process grading it dies mid-way
        final = wait_final(made.pk)
    finally:
        stop_worker(worker)
    assert (final.status, final.score, final.max_score) == ("done", 100, 100)
    runs = list(GradingRun.objects.filter(submission=final).order_by("number"))
    assert [run.status for run in runs] == ["superseded", "done"]
    assert Submission.objects.count() == 1


def test_it_finishes_exactly_once_when_the_whole_worker_dies(
    lab, alice, fault_queue, tmp_path, settings
):
    env = worker_env(DATABASE_URL=database_url(), CONVLAB_QUEUE=fault_queue)
    first = start_worker(env, tmp_path / "first.log", queues=fault_queue)
    made = services.submission_create(
        assignment=lab, student=alice, submitted_by=alice, content=SLOW
    ).submission
    try:
        wait_status(made.pk, "running")
    finally:
        children = pool_children(first)
        first.kill()
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        first.wait()
    second = start_worker(env, tmp_path / "second.log", queues=fault_queue)
    try:
        # celery beat's sweeper, run now instead of after CONVLAB_STUCK_AFTER seconds.
        later = timezone.now() + dt.timedelta(seconds=settings.CONVLAB_STUCK_AFTER + 1)
        assert services.submissions_requeue_stuck(now=later)["running"] == 1
        final = wait_final(made.pk)
    finally:
        stop_worker(second)
    assert (final.status, final.score) == ("done", 100)
    assert list(GradingRun.objects.filter(submission=final).values_list("status", flat=True)) == [
        "superseded",
        "done",
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_redis(port: int, log: Path) -> subprocess.Popen[bytes]:
    server = shutil.which("redis-server")
    require(server is not None, "redis-server is not installed")
    assert server is not None
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.05)
    raise AssertionError("redis-server did not start")


def test_it_grades_a_submission_made_while_redis_was_down_once_it_is_back(
    lab, alice, fault_queue, tmp_path
):
    from courses.services import api_token_create

    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    _, key = api_token_create(user=alice, name="fault test")
    web_port = free_port()
    env = worker_env(DATABASE_URL=database_url(), REDIS_URL=url, CONVLAB_QUEUE=fault_queue)
    env["ALLOWED_HOSTS"] = "127.0.0.1"
    web = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{web_port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "web.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    redis_server = None
    worker = None
    try:
        deadline = time.monotonic() + 30
        body = json.dumps({"source": REFERENCE.decode()}).encode()
        path = f"/api/v1/courses/{lab.course_id}/assignments/{lab.slug}/submissions/"
        while True:
            request = urllib.request.Request(
                f"http://127.0.0.1:{web_port}{path}",
                data=body,
                method="POST",
                headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
                    status, made = response.status, json.loads(response.read())
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)  # the web server is still starting
        assert status == 202
        assert made["status"] == "received"  # saved, though nothing could be queued
        redis_server = start_redis(port, tmp_path / "redis.log")
        worker = start_worker(env, tmp_path / "worker.log", queues=fault_queue)
        sweep = subprocess.run(
            # As the sweeper would a moment later (it leaves a submission received in the
            # last 2 s to the request that made it).
            [sys.executable, "manage.py", "shell", "-c",
             "import datetime as d; from django.utils import timezone as t; "
             "from convlab.services import submissions_requeue_stuck as s; "
             "print(s(now=t.now() + d.timedelta(seconds=5)))"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        assert "'received': 1" in sweep.stdout
        final = wait_final(made["id"])
        assert (final.status, final.score) == ("done", 100)
        assert Submission.objects.count() == 1
    finally:
        if worker is not None:
            stop_worker(worker)
        for process in (web, redis_server):
            if process is not None:
                process.terminate()
                process.wait(timeout=20)
