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

``python bench/grading.py --workers 1,2,4 [--rounds 3] [--submissions 100] [--concurrency 2]``
measures instead how throughput grows with worker *hosts*: for each N it starts N `celery
worker` processes (each with ``--concurrency`` pool children, 2 as docker-compose.worker.yml
deploys), every one with its own private COURSEPORTAL_VAR_DIR and MEDIA_ROOT folder (hosts
simulated by folders: web and workers share only PostgreSQL and Redis), submits all the
solutions at once through the REST API and prints submissions per minute. The values of N
alternate within each round (the order rotates from round to round) so that every N sees the
same machine; it prints each run, then the median per N and its ratio to the median of the first
N. The database is a fresh PostgreSQL one (``--postgres``, dropped at the end); Redis db 14 is
emptied first.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import secrets
import shutil
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


def start_worker(
    env: dict[str, str], name: str, log: Path, *, concurrency: int = 1, loglevel: str = "WARNING"
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "courseportal", "worker", "--queues", "celery,grading",
         "--concurrency", str(concurrency), "--without-gossip", "--without-mingle", "--hostname",
         f"{name}@%h", "--loglevel", loglevel],
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


def wait_ready(workers: list[tuple[subprocess.Popen[bytes], Path]], timeout: float = 120) -> None:
    """Every worker has logged its "ready." line: it consumes, its pool is forked."""
    deadline = time.monotonic() + timeout
    pending = list(workers)
    while pending and time.monotonic() < deadline:
        for process, log in list(pending):
            if process.poll() is not None:
                raise SystemExit(f"a worker exited:\n{log.read_text()[-2000:]}")
            if " ready." in log.read_text(errors="replace"):
                pending.remove((process, log))
        time.sleep(0.2)
    if pending:
        raise SystemExit(f"{len(pending)} worker(s) not ready after {timeout:.0f} s")


def private_host(root: Path, name: str) -> dict[str, str]:
    """A simulated host: its own var and media folders, nothing shared with the others."""
    var, media = root / name / "var", root / name / "media"
    var.mkdir(parents=True)
    media.mkdir()
    return {"COURSEPORTAL_VAR_DIR": str(var), "MEDIA_ROOT": str(media)}


def burst(portal: Portal, count: int) -> tuple[int, float]:
    """Submit COUNT solutions at once (8 clients in parallel) and wait for all of them; returns
    how many were graded and the span from the first received_at to the last finished_at (the
    server's own timestamps: the waiting loop's polling does not enter the figure)."""
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(portal.submit, [f"s{i % 4}" for i in range(count)]))
    deadline = time.monotonic() + 900
    pending = list(ids)
    while pending and time.monotonic() < deadline:  # cheap polling: stop at the first unfinished
        if portal.call("GET", f"/api/v1/submissions/{pending[0]}/")["status"] in {"done", "error"}:
            pending.pop(0)
        else:
            time.sleep(0.25)
    states = [portal.call("GET", f"/api/v1/submissions/{pid}/") for pid in ids]
    finished = [s for s in states if s["status"] == "done"]
    if len(finished) < count:
        raise SystemExit(f"only {len(finished)} of {count} graded: {states[-1]}")
    from datetime import datetime

    first = min(datetime.fromisoformat(s["received_at"]) for s in states)
    last = max(datetime.fromisoformat(s["finished_at"]) for s in states)
    return len(finished), (last - first).total_seconds()


def scaling(args: argparse.Namespace) -> None:
    import psycopg
    import redis
    from psycopg import sql

    counts = [int(n) for n in args.workers.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="courseportal-bench-hosts-"))
    name = "courseportal_bench_grading"
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as conn:
        conn.execute(drop)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    redis.Redis.from_url(args.redis).flushdb()
    shared = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "courseportal.settings",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"{args.postgres}/{name}",
        "REDIS_URL": args.redis,
        "SUBMIT_RATE": "100000/min",
        "LOG_LEVEL": "WARNING",
    }
    web_env = {**shared, **private_host(folder, "web")}
    manage(web_env, "migrate", "--no-input", "-v", "0")
    course, key = manage(web_env, "shell", "-c", SETUP).strip().splitlines()[-1].split()
    port = free_port()
    web = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "courseportal.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"],
        cwd=ROOT, env=web_env, stdout=(folder / "web.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    rates: dict[int, list[float]] = {n: [] for n in counts}
    print(
        f"machine: {os.cpu_count()} CPUs; PostgreSQL {args.postgres}/{name}; Redis {args.redis};"
        f" {args.submissions} submissions per run; {args.concurrency} pool processes per worker"
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v1/")
        portal = Portal(web_env, port, int(course), key)
        for round_ in range(args.rounds):
            shift = round_ % len(counts)
            for n in counts[shift:] + counts[:shift]:
                run = folder / f"round{round_}-n{n}"
                workers = []
                for i in range(n):
                    env = {**shared, **private_host(run, f"worker{i}")}
                    log = run / f"worker{i}.log"
                    process = start_worker(
                        env, f"r{round_}n{n}w{i}", log, concurrency=args.concurrency,
                        loglevel="INFO",
                    )  # fmt: skip
                    workers.append((process, log))
                try:
                    wait_ready(workers)
                    portal.wait([portal.submit("s0")])  # warm up: the pools' first imports
                    done, span = burst(portal, args.submissions)
                finally:
                    for process, _ in workers:
                        stop(process)
                rate = 60 * done / span
                rates[n].append(rate)
                print(f"round {round_ + 1}, N={n}: {done} graded in {span:.1f} s = {rate:.0f}/min")
                written = sum(
                    1 for i in range(n) for _ in (run / f"worker{i}" / "media").rglob("*")
                )
                if written:
                    print(
                        f"  note: the workers wrote {written} files into their private MEDIA_ROOTs"
                    )
    finally:
        stop(web)
        with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as conn:
            conn.execute(drop)
        redis.Redis.from_url(args.redis).flushdb()
    shutil.rmtree(folder)
    base = statistics.median(rates[counts[0]])
    print(f"| worker processes (x{args.concurrency} pool) | runs (per minute) | median | ratio |")
    print("|---:|---|---:|---:|")
    for n in counts:
        runs = ", ".join(f"{r:.0f}" for r in rates[n])
        median = statistics.median(rates[n])
        print(f"| {n} | {runs} | {median:.0f} | {median / base:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--workers", default="", help="e.g. 1,2,4: the scaling run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=2, help="pool size per worker")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    if args.workers:
        scaling(args)
        return
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
