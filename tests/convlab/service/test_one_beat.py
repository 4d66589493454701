"""Two `celery beat` processes started by mistake: each periodic task's work is done once per
period, by the run that takes the period's lease; a lost holder's lease expires (issue #20)."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from convlab import services, tasks
from convlab.models import PeriodicLease, Submission
from tests.conftest import (
    ROOT,
    database_url,
    start_worker,
    stop_worker,
    wait_until_ready,
    worker_env,
)
from tests.convlab.service.conftest import REFERENCE


@pytest.mark.django_db
def test_a_lease_is_taken_once_until_it_expires():
    now = timezone.now()
    assert services.periodic_lease_take(name="sweep", seconds=30, holder="beat-a", now=now)
    later = now + dt.timedelta(seconds=29)
    assert not services.periodic_lease_take(name="sweep", seconds=30, holder="beat-b", now=later)
    # Another task's lease is its own.
    assert services.periodic_lease_take(name="deliver", seconds=30, holder="beat-b", now=later)
    # The holder is lost (its host went away): once the lease expires, another run takes it.
    expired = now + dt.timedelta(seconds=30)
    assert services.periodic_lease_take(name="sweep", seconds=30, holder="beat-b", now=expired)
    assert PeriodicLease.objects.get(name="sweep").holder == "beat-b"


def run_together(work: Any, count: int = 2) -> list[Any]:
    """`work()` in `count` threads started at the same moment, each on its own database
    connection (Django opens one per thread); what each returned."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_sent_at_once_do_the_work_once(lab, alice, settings):
    # A queue nobody consumes: the sweep's messages are counted here, not graded.
    settings.CONVLAB_QUEUE = f"one-beat-{os.getpid()}-{time.monotonic_ns()}"
    settings.CONVLAB_SWEEP_LEASE = 60
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    ids = []
    for n in range(3):
        made = services.submission_create(
            assignment=lab, student=alice, submitted_by=alice, content=REFERENCE + b"#%d" % n
        ).submission
        ids.append(made.pk)
    # As if the broker had been down: received, never queued.
    Submission.objects.filter(pk__in=ids).update(status="received", received_at=long_ago)

    results = run_together(tasks.requeue_stuck)

    did = [result for result in results if result]
    assert did == [{"received": 3, "queued": 0, "running": 0}], results
    assert results.count({}) == 1
    assert set(Submission.objects.values_list("status", flat=True)) == {"queued"}


@pytest.mark.django_db(transaction=True)
def test_two_deliverers_sent_at_once_do_the_work_once(settings):
    settings.CONVLAB_SWEEP_LEASE = 60
    results = run_together(tasks.deliver_webhooks)
    assert sorted(map(str, results)) == ["{}", "{}"]  # nothing due: both return no states
    lease = PeriodicLease.objects.get(name="convlab.deliver_webhooks")
    assert lease.expires_at > timezone.now()
    # The run that lost says so; the next period's run (lease expired) does the work again.
    PeriodicLease.objects.update(expires_at=timezone.now())
    assert tasks._this_period("convlab.deliver_webhooks")
    assert not tasks._this_period("convlab.deliver_webhooks")


def start_beat(env: dict[str, str], folder: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "celery", "-A", "courseportal", "beat", "--loglevel", "INFO",
               "--schedule", str(folder / "celerybeat-schedule")]  # fmt: skip
    log = (folder / "beat.log").open("wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def sweeps_in(log: Path) -> list[str]:
    """What each run of the sweeper returned, from the worker's log."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return re.findall(r"Task convlab\.requeue_stuck\[[^\]]+\] succeeded in [^:]+: (.*)", text)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_beat_processes_do_the_sweep_once(lab, alice, tmp_path, processes):
    stamp = f"{os.getpid()}-{time.monotonic_ns()}"
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    for n in range(3):
        services.submission_create(
            assignment=lab, student=alice, submitted_by=alice, content=REFERENCE + b"#%d" % n
        )
    # As if the broker had been down: received, never queued.
    Submission.objects.update(status="received", received_at=long_ago)
    # A period long enough that both beats' first sweeps fall in it, however far apart the two
    # processes start on a busy machine; queues of this test's own.
    env = worker_env(
        DATABASE_URL=database_url(),
        CONVLAB_SWEEP_EVERY="20",
        CONVLAB_SWEEP_QUEUE=f"sweep-{stamp}",
        CONVLAB_QUEUE=f"nobody-{stamp}",
    )
    log = tmp_path / "worker.log"
    processes.append(start_worker(env, log, queues=f"sweep-{stamp}"))
    wait_until_ready(processes[0], log)
    for name in ("beat-a", "beat-b"):
        (tmp_path / name).mkdir()
        processes.append(start_beat(env, tmp_path / name))
    deadline = time.monotonic() + 120
    while len(sweeps_in(log)) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    for beat in processes[1:]:
        stop_worker(beat)
    runs = sweeps_in(log)
    assert len(runs) >= 2, (log.read_text()[-3000:], (tmp_path / "beat-b" / "beat.log").read_text())
    first_period = runs[:2]
    assert sorted(first_period) == ["{'received': 3, 'queued': 0, 'running': 0}", "{}"], runs
    assert set(Submission.objects.values_list("status", flat=True)) == {"queued"}
