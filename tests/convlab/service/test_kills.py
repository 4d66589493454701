"""Kill tests (issue #14's acceptance), with real processes: a grading worker that runs celery
beat (the sweeper and the webhook deliverer) inside it, a redis-server of the test's own on a
free port (the broker), the test database, bubblewrap, and a webhook receiver that
de-duplicates by delivery id.

- the worker's main process SIGKILLed mid-grading, a new worker started;
- Redis stopped for 10 s during a stream of submits (to a real web process) and gradings;
- Redis unreachable just as a grading finishes;
- a grading hitting its soft time limit (the signal Celery's pool sends at the limit).

In each: every accepted submission ends in exactly one final state, no answer is a 5xx, no
sandbox process or per-run cgroup of the test's own workers outlives its grading, and every
finished grading's webhook reaches the receiver, at least once and under exactly one delivery
id, which the receiver accepts once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from convlab.models import Assignment, GradingRun, Submission
from tests.conftest import (
    ROOT,
    database_url,
    start_worker,
    stop_worker,
    wait_until_ready,
    worker_env,
)
from tests.convlab.service.conftest import Receiver
from tests.convlab.service.test_fault_injection import (
    RELU,
    assert_each_graded_once,
    create_in_subprocess,
    wait_all_final,
)
from tests.convlab.service.test_faults import free_port, start_redis, wait_status

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
# Long enough that a test can act while it is being graded.
SLOW = b"import time\ntime.sleep(4)\n" + RELU
# Never finishes by itself: each function sleeps for longer than any limit.
HANGS = b"import time\n\n\ndef relu(x):\n    time.sleep(600)\n"


@dataclass
class Redis:
    """A redis-server of the test's own (no persistence: a restart comes back empty)."""

    tmp_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.starts += 1
        self.process = start_redis(self.port, self.tmp_path / f"redis-{self.starts}.log")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[Redis]:
    server = Redis(tmp_path)
    server.start()
    yield server
    server.stop()


def env_for(queue: str, suites: Path, redis: Redis, **extra: str) -> dict[str, str]:
    """A worker's environment: the test's queue, database, suites and Redis; the sweeper and
    the webhook deliverer every second; a grading presumed lost after 15 s."""
    return worker_env(
        DATABASE_URL=database_url(),
        REDIS_URL=redis.url,
        CELERY_BROKER_URL=None,
        CONVLAB_QUEUE=queue,
        CONVLAB_SWEEP_QUEUE=f"{queue}-sweep",
        CONVLAB_SUITES_DIR=str(suites),
        CONVLAB_SWEEP_EVERY="1",
        CONVLAB_STUCK_AFTER="15",
        **extra,
    )


def started(
    env: dict[str, str], tmp_path: Path, name: str, processes: list, concurrency: int = 1
) -> subprocess.Popen[bytes]:
    """A worker of the test's queues, running celery beat; the default queue too (on the
    test's own Redis no other worker reads it), whatever a task is routed to."""
    queues = f"{env['CONVLAB_QUEUE']},{env['CONVLAB_SWEEP_QUEUE']},celery"
    schedule = str(tmp_path / f"{name}-beat-schedule")
    worker = start_worker(
        env, tmp_path / f"{name}.log", queues, concurrency=concurrency, extra=("-B", "-s", schedule)
    )
    processes.append(worker)
    wait_until_ready(worker, tmp_path / f"{name}.log")
    return worker


# --- What a worker leaves behind ---------------------------------------------------------------


def _parents() -> dict[int, int]:
    """Every live process's parent, from /proc (zombies count as gone)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            found[int(stat.parent.name)] = int(fields[1])
    return found


def descendants(pids: Iterable[int]) -> set[int]:
    parents = _parents()
    found: set[int] = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        for child, parent in parents.items():
            if parent == pid and child not in found:
                found.add(child)
                todo.append(child)
    return found


def pool(worker: subprocess.Popen[bytes]) -> set[int]:
    """The worker's child processes: its pool (the grading processes) and embedded beat."""
    return {pid for pid, parent in _parents().items() if parent == worker.pid}


def sandboxes(pool_pids: Iterable[int]) -> set[int]:
    """The sandbox processes (bubblewrap and the student's code) the grading processes run."""
    return descendants(pool_pids)


def run_cgroups(pool_pids: Iterable[int]) -> list[Path]:
    """The per-run cgroups of these grading processes still on the machine (the sandbox names
    each `convlab-<pid of the grading process>-<random>`, under the grader's own cgroup)."""
    own: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(","):
            own[controller] = path
    found: list[Path] = []
    for controller in ("memory", "pids", "cpuacct"):
        base = Path("/sys/fs/cgroup") / controller / own.get(controller, "/").lstrip("/")
        for pid in pool_pids:
            found += base.glob(f"convlab-{pid}-*")
    return found


def wait_sandbox(pool_pids: Iterable[int], timeout: float = 60) -> set[int]:
    """The sandbox processes once the grading has started some."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = sandboxes(pool_pids)
        if running:
            return running
        time.sleep(0.05)
    raise AssertionError("no sandbox process started")


def assert_nothing_left(seen: set[int], pool_pids: set[int], timeout: float = 20) -> None:
    """Every sandbox process seen has exited and no grading process has a sandbox or a per-run
    cgroup left (a killed run is torn down in milliseconds; `timeout` only bounds the wait)."""
    deadline = time.monotonic() + timeout
    while True:
        alive = set(_parents())
        left = (seen & alive) | sandboxes(pool_pids & alive)
        groups = run_cgroups(pool_pids)
        if not left and not groups:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"left behind: processes {sorted(left)}, cgroups {groups}")
        time.sleep(0.1)


def kill_all(pids: Iterable[int]) -> None:
    """SIGKILL processes this test's workers started that outlived them."""
    alive = set(_parents())
    for pid in pids:
        if pid in alive:
            os.kill(pid, signal.SIGKILL)


# --- Webhooks -----------------------------------------------------------------------------------


def hook(assignment: Assignment, receiver: Receiver) -> None:
    Assignment.objects.filter(pk=assignment.pk).update(
        webhook_url=receiver.url, webhook_secret="s3cret"
    )


def assert_webhooks_once(ids: Iterable[int], receiver: Receiver, timeout: float = 60) -> None:
    """Each finished submission's event reaches the receiver, under one delivery id for the
    submission, delivered at least once and accepted once."""
    ids = sorted(ids)
    deadline = time.monotonic() + timeout
    while set(ids) - set(receiver.submissions()):
        if time.monotonic() > deadline:
            missing = sorted(set(ids) - set(receiver.submissions()))
            raise AssertionError(f"no webhook for submissions {missing}")
        time.sleep(0.2)
    time.sleep(2)  # a second delivery id for a submission, which must not come, would come now
    heard = receiver.submissions()
    assert sorted(heard) == ids
    for pk in ids:
        [delivery] = heard[pk]
        assert delivery, f"submission {pk}: the event came without a delivery id"
        assert receiver.posts[delivery] >= 1
        assert receiver.handled.count(delivery) == 1
        status = Submission.objects.get(pk=pk).status
        assert {body["status"] for d, body in receiver.received if d == delivery} == {status}


# --- The tests --------------------------------------------------------------------------------


def test_the_worker_killed_mid_grading(
    warmup, alice, queue, suites, tmp_path, processes, redis_server, receiver
):
    hook(warmup, receiver)
    env = env_for(queue, suites, redis_server)
    first = started(env, tmp_path, "first", processes)
    first_pool = pool(first)
    [made] = create_in_subprocess(env, warmup, alice, 1, content=SLOW)
    wait_status(made, "running")
    seen = wait_sandbox(first_pool)
    first.kill()  # SIGKILL to the main process, mid-grading
    first.wait()
    try:
        second = started(env, tmp_path, "second", processes)
        wait_all_final([made], timeout=60, logs=[tmp_path / "first.log", tmp_path / "second.log"])
        assert_each_graded_once([made])
        assert_webhooks_once([made], receiver)
        stop_worker(second)
        assert_nothing_left(seen, first_pool | pool(second))
    finally:
        kill_all(first_pool)


def post_json(url: str, token: str, body: dict[str, object], key: str) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - the test's own web process
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {"body": error.read()[:500].decode(errors="replace")}


def start_web(env: dict[str, str], tmp_path: Path, processes: list) -> str:
    """The portal in a real web process, with the production settings (the rate limits and the
    kept reads in Redis, not in the test settings' memory); its base URL once it answers."""
    port = free_port()
    web_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "courseportal.settings",
        "DEBUG": "true",
        "SECRET_KEY": "kill-tests-only",
    }
    web = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=web_env,
        stdout=(tmp_path / "web.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    processes.append(web)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=5).close()  # noqa: S310
            return base
        except OSError:
            assert web.poll() is None, (tmp_path / "web.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the web process never answered"
            time.sleep(0.2)


def test_redis_down_for_10_s_during_submits_and_gradings(
    warmup, alice, queue, suites, tmp_path, processes, redis_server, receiver
):
    from courses.services import api_token_create

    hook(warmup, receiver)
    env = env_for(queue, suites, redis_server)
    worker = started(env, tmp_path, "worker", processes, concurrency=2)
    worker_pool = pool(worker)
    base = start_web(env, tmp_path, processes)
    _, token = api_token_create(user=alice, name="kill test")
    url = f"{base}/api/v1/courses/{warmup.course_id}/assignments/{warmup.slug}/submissions/"
    answers: list[tuple[int, dict]] = []
    seen: set[int] = set()

    def submit(n: int) -> None:
        answers.append(post_json(url, token, {"source": SLOW.decode()}, f"kill-{n}"))
        seen.update(sandboxes(worker_pool))

    for n in range(3):
        submit(n)
    wait_sandbox(worker_pool)
    redis_server.stop()
    down = time.monotonic()
    for n in range(3, 6):
        submit(n)
        time.sleep(1)
    while time.monotonic() - down < 10:
        seen.update(sandboxes(worker_pool))
        time.sleep(0.1)
    redis_server.start()
    for n in range(6, 8):
        submit(n)
    statuses = [status for status, _ in answers]
    assert all(status < 500 for status in statuses), answers
    assert statuses == [202] * 8, answers
    ids = [body["id"] for _, body in answers]
    logs = [tmp_path / "worker.log", tmp_path / "web.log"]
    wait_all_final(ids, timeout=120, logs=logs)
    assert_each_graded_once(ids)
    assert Submission.objects.count() == 8
    assert_webhooks_once(ids, receiver)
    assert_nothing_left(seen, worker_pool | pool(worker))


def test_redis_unreachable_as_a_grading_finishes(
    warmup, alice, queue, suites, tmp_path, processes, redis_server, receiver
):
    """The event is not lost with the message that would have delivered it: it is delivered
    once Redis is back."""
    hook(warmup, receiver)
    env = env_for(queue, suites, redis_server)
    worker = started(env, tmp_path, "worker", processes)
    worker_pool = pool(worker)
    [made] = create_in_subprocess(env, warmup, alice, 1, content=SLOW)
    wait_status(made, "running")
    seen = wait_sandbox(worker_pool)
    redis_server.stop()
    wait_all_final([made], timeout=60, logs=[tmp_path / "worker.log"])
    time.sleep(1)  # the worker has tried to queue the delivery, and could not
    redis_server.start()
    assert_each_graded_once([made])
    assert_webhooks_once([made], receiver)
    assert_nothing_left(seen, worker_pool | pool(worker))


def test_a_grading_that_hits_its_soft_time_limit(
    warmup, alice, queue, suites, tmp_path, processes, redis_server, receiver
):
    """The pool's soft-limit signal (SIGUSR1, what Celery sends at CONVLAB_GRADING_SOFT_LIMIT)
    arrives while the student's code hangs: not gradable, nothing left running."""
    hook(warmup, receiver)
    env = env_for(queue, suites, redis_server)
    worker = started(env, tmp_path, "worker", processes)
    worker_pool = pool(worker)
    [made] = create_in_subprocess(env, warmup, alice, 1, content=HANGS)
    running = wait_status(made, "running")
    seen = wait_sandbox(worker_pool)
    [grading] = {pid for pid in worker_pool if descendants([pid])}
    os.kill(grading, signal.SIGUSR1)
    wait_all_final([made], timeout=60, logs=[tmp_path / "worker.log"])
    final = Submission.objects.get(pk=made)
    assert (final.status, final.gradable, final.score) == ("error", False, None)
    [run] = GradingRun.objects.filter(submission=final)
    assert (run.status, run.task_id) == ("error", running.task_id)
    assert "time limit" in run.error
    assert_webhooks_once([made], receiver)
    assert_nothing_left(seen, worker_pool | pool(worker))
