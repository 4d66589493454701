"""Benchmark of the grading service end to end (not a test: nothing here asserts a time).

``python bench/grading.py [--submissions 100] [--redis redis://127.0.0.1:6379/14]
[--database-url sqlite:///...]`` starts a real portal (gunicorn), real Celery worker processes
and uses a real Redis; it submits solutions through the REST API as the course's autograder
and reads the phase timestamps back. It prints:

1. submit-to-done latency (p50/p95 of finished_at - received_at) with one worker, submitting
   one solution at a time;
2. throughput (submissions per minute) with two worker processes, all submitted at once.

Everything it creates lives in a temporary folder (SQLite by default) or the database given.
Run as root with bubblewrap installed, from the repository root.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SOLUTION = (ROOT / "demo" / "solutions" / "transposed_convolutions.py").read_text()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


SETUP = """
import datetime as dt
from django.contrib.auth import get_user_model
from courses import services
from courses.models import Course
from convlab.models import Assignment
course = services.course_create(code="BENCH 1", title="Bench", term="Now",
    time_zone="UTC", first_day=dt.date(2026, 1, 1), last_day=dt.date(2026, 12, 31),
    meeting_days=["Mon"], meeting_start=dt.time(9), meeting_end=dt.time(10))
User = get_user_model()
robot = User.objects.create_user("robot")
services.membership_set(course=course, user=robot, role="autograder")
for i in range(4):
    student = User.objects.create_user(f"s{i}")
    services.membership_set(course=course, user=student, role="student")
Assignment.objects.create(course=course, slug="lab", title="Lab", suite="transposed-convolutions",
    opens_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), due_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    max_submissions_per_day=10000)
_, key = services.api_token_create(user=robot, name="bench")
print(course.pk, key)
"""


class Portal:
    def __init__(self, env: dict[str, str], port: int, course: int, key: str) -> None:
        self.base, self.course, self.key = f"http://127.0.0.1:{port}", course, key

    def call(self, method: str, path: str, body: dict[str, object] | None = None) -> dict:
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def submit(self, student: str) -> int:
        path = f"/api/v1/courses/{self.course}/assignments/lab/submissions/"
        return int(self.call("POST", path, {"source": SOLUTION, "student": student})["id"])

    def wait(self, ids: list[int], timeout: float = 600) -> list[dict]:
        deadline = time.monotonic() + timeout
        done: dict[int, dict] = {}
        while len(done) < len(ids) and time.monotonic() < deadline:
            for pid in ids:
                if pid not in done:
                    state = self.call("GET", f"/api/v1/submissions/{pid}/")
                    if state["status"] in {"done", "error"}:
                        done[pid] = state
            time.sleep(0.05)
        return [done[i] for i in ids if i in done]


def seconds(state: dict, start: str, end: str) -> float:
    from datetime import datetime

    return (
        datetime.fromisoformat(state[end]) - datetime.fromisoformat(state[start])
    ).total_seconds()


def start_worker(env: dict[str, str], name: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "courseportal", "worker", "--queues", "celery,grading",
         "--concurrency", "1", "--without-gossip", "--without-mingle", "--hostname",
         f"{name}@%h", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="courseportal-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "courseportal.settings",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on the loopback, as behind a TLS-terminating proxy that redirects itself.
        "SECURE_SSL_REDIRECT": "false",
        "COURSEPORTAL_VAR_DIR": str(folder),
        "DATABASE_URL": args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}",
        "REDIS_URL": args.redis,
        "SUBMIT_RATE": "100000/min",
        "LOG_LEVEL": "WARNING",
    }
    manage(env, "migrate", "--no-input", "-v", "0")
    course, key = manage(env, "shell", "-c", SETUP).strip().splitlines()[-1].split()
    port = free_port()
    web = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "courseportal.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=(folder / "web.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    workers: list[subprocess.Popen[bytes]] = []
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v1/")
        portal = Portal(env, port, int(course), key)
        workers.append(start_worker(env, "bench1", folder / "worker1.log"))
        portal.wait([portal.submit("s0")])  # warm up: imports, page cache
        latencies = []
        for i in range(args.submissions):
            (state,) = portal.wait([portal.submit(f"s{i % 4}")])
            latencies.append(seconds(state, "received_at", "finished_at"))
        workers.append(start_worker(env, "bench2", folder / "worker2.log"))
        time.sleep(3)  # the second worker connects
        began = time.monotonic()
        ids = [portal.submit(f"s{i % 4}") for i in range(args.submissions)]
        states = portal.wait(ids)
        elapsed = time.monotonic() - began
    finally:
        for process in [*workers, web]:
            stop(process)
    quantiles = statistics.quantiles(latencies, n=20)
    finished = sum(1 for s in states if s["status"] == "done")
    print(f"machine: {os.cpu_count()} CPUs; broker {args.redis}; database {env['DATABASE_URL']}")
    print("| measure | value | target |\n|---|---:|---:|")
    print(
        f"| submit-to-done p50, 1 worker ({len(latencies)} sequential) | "
        f"{statistics.median(latencies):.3f} s | <= 1.5 s |"
    )
    print(f"| submit-to-done p95, 1 worker | {quantiles[18]:.3f} s | |")
    print(
        f"| throughput, 2 workers ({finished}/{len(ids)} done in {elapsed:.1f} s) | "
        f"{60 * finished / elapsed:.0f} per minute | >= 100 |"
    )


if __name__ == "__main__":
    main()
