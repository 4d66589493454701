"""Fault injection: Redis restarted mid-batch, the worker's PostgreSQL connections dropped,
bubblewrap missing on a worker, the media folder not writable. Each ends with every submission
in exactly one final state, nothing lost and nothing half-written.

Like test_faults.py, every test starts its own worker on a queue of its own (and its own
redis-server on a free port); the machine's services are never stopped. Gradings use a small
course suite (relu-warmup) so that a batch of 50 finishes in reasonable time.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection

from convlab import services
from convlab.models import FINAL_STATUSES, Assignment, GradingRun, Submission
from tests.conftest import ROOT, database_url, require, start_worker, stop_worker, worker_env
from tests.convlab.service.test_faults import free_port, start_redis

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
RELU = b"import numpy as np\n\n\ndef relu(x):\n    return np.maximum(x, 0)\n"
# The sweeper (celery beat inside the test's worker) runs every 2 s and hands on what has been
# queued or running for 20 s: far longer than one relu grading takes.
SWEEPER = {"CONVLAB_SWEEP_EVERY": "2", "CONVLAB_STUCK_AFTER": "20"}


def env_for(queue: str, suites: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    return worker_env(
        DATABASE_URL=database_url(),
        CONVLAB_QUEUE=queue,
        CONVLAB_SWEEP_QUEUE=f"{queue}-sweep",
        CONVLAB_SUITES_DIR=str(suites),
        **SWEEPER,
        **extra,
    )


def start_with_sweeper(
    env: dict[str, str], tmp_path: Path, name: str, concurrency: int = 1
) -> subprocess.Popen[bytes]:
    """A grading worker that also runs celery beat, whose sweeper it consumes itself."""
    queues = f"{env['CONVLAB_QUEUE']},{env['CONVLAB_SWEEP_QUEUE']}"
    schedule = str(tmp_path / f"{name}-beat-schedule")
    return start_worker(
        env, tmp_path / f"{name}.log", queues, concurrency=concurrency, extra=("-B", "-s", schedule)
    )


def wait_all_final(ids: Iterable[int], timeout: float, logs: Iterable[Path] = ()) -> None:
    ids = list(ids)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = Submission.objects.filter(pk__in=ids).exclude(status__in=FINAL_STATUSES)
        if not waiting.exists():
            return
        time.sleep(0.25)
    states = dict(
        Submission.objects.filter(pk__in=ids)
        .exclude(status__in=FINAL_STATUSES)
        .values_list("pk", "status")
    )
    tails = "\n".join(path.read_text(errors="replace")[-3000:] for path in logs if path.exists())
    raise AssertionError(f"still not final after {timeout} s: {states}\n{tails}")


def assert_each_graded_once(ids: list[int], status: str = "done") -> None:
    """Every submission exists, is in `status`, and exactly one of its runs recorded it; any
    other run was superseded (its worker died or was presumed dead), never a second result."""
    found = {s.pk: s for s in Submission.objects.filter(pk__in=ids)}
    assert sorted(found) == sorted(ids)  # nothing lost
    for pk in ids:
        submission = found[pk]
        assert submission.status == status, (pk, submission.status, submission.results)
        runs = list(GradingRun.objects.filter(submission_id=pk).values_list("status", flat=True))
        assert runs.count(status) == 1, (pk, runs)
        assert set(runs) <= {status, "superseded"}, (pk, runs)
        if status == "done":
            assert (submission.score, submission.max_score) == (2, 2)


def create_in_subprocess(
    env: dict[str, str], assignment: Assignment, student: User, count: int, content: bytes = RELU
) -> list[int]:
    """Submit through the service in a process whose broker is `env`'s (the test's own Redis)."""
    code = (
        "import sys, django; django.setup()\n"
        "from django.contrib.auth import get_user_model\n"
        "from convlab.models import Assignment\n"
        "from convlab.services import submission_create\n"
        "a = Assignment.objects.get(pk=int(sys.argv[1]))\n"
        "u = get_user_model().objects.get(pk=int(sys.argv[2]))\n"
        "ids = [submission_create(assignment=a, student=u, submitted_by=u,\n"
        "       content=sys.argv[3].encode()).submission.pk for _ in range(int(sys.argv[4]))]\n"
        "print(','.join(map(str, ids)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(assignment.pk), str(student.pk), content.decode(),
         str(count)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return [int(pk) for pk in done.stdout.strip().split(",")]


def test_a_batch_of_50_survives_a_redis_restart(warmup, alice, queue, suites, tmp_path, processes):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    env = env_for(queue, suites, tmp_path, REDIS_URL=url)
    processes.append(start_redis(port, tmp_path / "redis-1.log"))
    processes.append(start_with_sweeper(env, tmp_path, "worker", concurrency=2))
    ids = create_in_subprocess(env, warmup, alice, 50)
    assert len(ids) == 50
    deadline = time.monotonic() + 120
    while not Submission.objects.filter(pk__in=ids, status="done").exists():
        assert time.monotonic() < deadline, "nothing was graded before the restart"
        time.sleep(0.1)
    processes[0].kill()  # Redis dies with the queue in it (no persistence)...
    processes[0].wait()
    lost = Submission.objects.filter(pk__in=ids).exclude(status__in=FINAL_STATUSES).count()
    assert lost > 0  # ...with work still waiting in it
    time.sleep(1)
    processes.append(start_redis(port, tmp_path / "redis-2.log"))  # ...and comes back empty
    logs = [tmp_path / "worker.log"]
    # The worker usually reconnects by itself. Now and then kombu's Redis transport dies of its
    # own race instead (closing the lost connection while restoring an unacknowledged message:
    # "Unrecoverable error: AttributeError('NoneType' object has no attribute 'hostname')",
    # celery/kombu#582 and #970). A worker that exits is restarted, as compose's
    # `restart: unless-stopped` does in production; what must hold is that the work survives.
    deadline = time.monotonic() + 3  # it dies within milliseconds of the lost connection
    while time.monotonic() < deadline and processes[1].poll() is None:
        time.sleep(0.25)
    if processes[1].poll() is not None:
        processes.append(start_with_sweeper(env, tmp_path, "worker-restarted", concurrency=2))
        logs.append(tmp_path / "worker-restarted.log")
    wait_all_final(ids, timeout=300, logs=logs)
    assert_each_graded_once(ids)
    assert Submission.objects.count() == 50


def test_the_worker_recovers_when_its_postgresql_connections_are_dropped(
    warmup, alice, queue, suites, tmp_path, processes
):
    require(connection.vendor == "postgresql", "dropping connections needs PostgreSQL")
    env = env_for(queue, suites, tmp_path)
    processes.append(start_with_sweeper(env, tmp_path, "worker"))
    ids = [
        services.submission_create(
            assignment=warmup, student=alice, submitted_by=alice, content=RELU
        ).submission.pk
        for _ in range(8)
    ]
    dropped = 0
    for target in (1, 3, 5):
        deadline = time.monotonic() + 120
        while Submission.objects.filter(pk__in=ids, status="done").count() < target:
            assert time.monotonic() < deadline, f"fewer than {target} graded"
            time.sleep(0.05)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            dropped += cursor.fetchone()[0]
    assert dropped > 0  # the worker's connections were really cut
    wait_all_final(ids, timeout=240, logs=[tmp_path / "worker.log"])
    assert_each_graded_once(ids)


def mails(folder: Path) -> list[str]:
    return [path.read_text() for path in sorted(folder.glob("*.log"))] if folder.exists() else []


def mails_once_sent(folder: Path, timeout: float = 30) -> list[str]:
    """The mails in folder once at least one is there: the worker sends the alert after its
    transaction commits, a moment after the submission is seen in its final state."""
    deadline = time.monotonic() + timeout
    while not mails(folder) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # a second mail, which must not come, would come now
    return mails(folder)


def test_a_worker_without_bubblewrap_marks_not_gradable_alerts_staff_and_regrades_later(
    api, client, warmup, alice, tara, ines, queue, suites, tmp_path, processes
):
    no_bwrap = tmp_path / "bin-without-bwrap"
    no_bwrap.mkdir()
    mail = tmp_path / "mail"
    broken = env_for(
        queue,
        suites,
        tmp_path,
        PATH=str(no_bwrap),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail),
    )
    processes.append(start_with_sweeper(broken, tmp_path, "broken"))
    made = services.submission_create(
        assignment=warmup, student=alice, submitted_by=alice, content=RELU
    ).submission
    wait_all_final([made.pk], timeout=120, logs=[tmp_path / "broken.log"])
    made.refresh_from_db()
    assert (made.status, made.gradable, made.score) == ("error", False, None)
    assert "bubblewrap" in made.results["output"]
    assert "does not count" in made.results["output"]
    # Staff were alerted: one mail to the TA and the instructor, naming the cause...
    sent = mails_once_sent(mail)
    assert len(sent) == 1
    assert "the grader is failing" in sent[0]
    assert "bubblewrap" in sent[0]
    assert "tara@example.edu" in sent[0]
    assert "ines@example.edu" in sent[0]
    assert "alice@example.edu" not in sent[0]
    # ...and the staff page says so; the student's does not.
    page = f"/courses/{warmup.course_id}/labs/{warmup.slug}/"
    client.force_login(tara)
    assert "The grader failed on 1 attempt" in client.get(page).text
    client.force_login(alice)
    assert "The grader failed" not in client.get(page).text
    stop_worker(processes.pop())
    # A working worker, and a regrade by the TA: graded, once.
    processes.append(start_with_sweeper(env_for(queue, suites, tmp_path), tmp_path, "fixed"))
    api.force_authenticate(tara)
    assert api.post(f"/api/v1/submissions/{made.pk}/regrade/").status_code == 202
    wait_all_final([made.pk], timeout=120, logs=[tmp_path / "fixed.log"])
    made.refresh_from_db()
    assert (made.status, made.gradable, made.score) == ("done", True, 2)
    runs = list(GradingRun.objects.filter(submission=made).values_list("status", flat=True))
    assert runs.count("done") == 1
    assert runs.count("error") == 1
    assert set(runs) <= {"done", "error", "superseded"}
