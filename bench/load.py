"""Load benchmark of the portal under gunicorn on PostgreSQL (not a test: nothing asserts a time).

``python bench/load.py [--postgres postgres://postgres@127.0.0.1:5432] [--database NAME]
[--redis redis://127.0.0.1:6379/13] [--connections 32] [--duration 10] [--warmup 2]
[--threads 1] [--only sessions reviews ...] [--keep]``

It drops and creates the PostgreSQL database NAME (default ``courseportal_load``; never point it
at a database you want to keep), migrates it, seeds the demo course (`seed_demo`) with a
published presentation schedule, two released papers with twelve 400-word reviews each and
helpfulness ratings, and 64 students for the autograder to submit for. It starts gunicorn with
two worker processes of ``--threads`` threads each (1: sync workers, as in the Dockerfile; more
gives gthread workers) on 127.0.0.1 with production settings (DEBUG off, a random SECRET_KEY,
ALLOWED_HOSTS), checks that every endpoint answers 2xx with what it should, and drives each one
with wrk (Debian package ``wrk``; ``bench/load.lua`` builds the requests) for ``--warmup``
seconds, unmeasured, then ``--duration`` seconds at ``--connections`` connections:

- ``sessions``: GET /api/v1/courses/<id>/sessions/ as a student (API token);
- ``reviews``: GET /api/v1/courses/<id>/papers/<id>/reviews/ as a student: the public (released)
  reviews of a paper;
- ``ics``: GET /feeds/<key>/courses/<id>.ics, the private iCalendar feed calendar apps poll;
- ``analyze``: POST /api/v1/reviews/analyze/ with a 400-word review, as a student;
- ``submit``: POST /api/v1/courses/<id>/assignments/<slug>/submissions/ as the course's
  autograder: a multipart file (the reference solution), a `student` field and a fresh
  Idempotency-Key per request, while a real Celery worker (one process) grades from Redis.

The rate limits are raised for the run (ANALYZE_RATE and SUBMIT_RATE at 100000/s): the figures
are the portal's capacity, not its limits (120 analyses and 30 submissions a minute per user,
which the API tests cover). The throttles still run, with their Redis round trips. The window is
one second because DRF keeps a timestamp per request in the window: a minute of this load (about
18,000 timestamps, read and written back on every request) would measure that list instead of
the endpoint; in production the lists hold at most 120 and 30.

The Redis database given is emptied at the start and at the end (the submit run leaves a backlog
of gradings). It prints one Markdown table: requests per second, p50/p99 latency and the count
of responses that were not 2xx plus socket errors. Everything it started (gunicorn, the worker,
wrk) is stopped at the end, also on Ctrl-C, and the database is dropped unless ``--keep``. Run
as root with bubblewrap installed (the worker grades in the sandbox), from the repository root;
under two minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg
import redis
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.grading import free_port, manage, start_worker, stop, wait_http  # noqa: E402
from bench.reviews import make_reviews  # noqa: E402

PYTHON = sys.executable
LUA = ROOT / "bench" / "load.lua"
SOLUTION = ROOT / "demo" / "solutions" / "transposed_convolutions.py"
WRK_THREADS = 2
STUDENTS_PER_THREAD = 32
NAMES = ("sessions", "reviews", "ics", "analyze", "submit")

SETUP = """
import datetime as dt, json, os
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.contrib.auth import get_user_model
from django.utils import timezone
from convlab.models import Assignment
from courses import services
from demo.seed import seed_demo
from presentations.services.calendar_feeds import calendar_feed_get
from presentations.services.schedules import schedule_generate, schedule_publish
from reviews.models import Review
from reviews.services import paper_create, review_create, review_rate

spec = json.loads(open(os.environ["LOAD_SEED"]).read())
demo = seed_demo()
course = demo.course
User = get_user_model()
instructor = User.objects.get(username="instructor")
draft = schedule_generate(course=course, actor=instructor)
schedule_publish(schedule=draft, actor=instructor)

released = timezone.now() - dt.timedelta(days=1)
students = list(User.objects.filter(username__in=demo.usernames["student"]).order_by("pk"))
papers = [
    paper_create(course=course, session_date=dt.date.fromisoformat(day), title=title,
                 review_deadline=released)
    for day, title in (("2017-10-12", "Deconvolution and Checkerboard Artifacts"),
                       ("2017-10-17", "Fully Convolutional Networks"))
]
texts = iter(spec["reviews"])
for paper in papers:
    for student in students:
        parts = [*next(texts).split("\\n\\n"), "", "", ""]
        review_create(paper=paper, author=student, now=released - dt.timedelta(hours=2),
                      summary=parts[0], strengths=parts[1], weaknesses=parts[2],
                      questions="\\n\\n".join(p for p in parts[3:] if p), rating=3, confidence=3)
for i, review in enumerate(Review.objects.filter(paper=papers[0])):
    for rater in students[i % 4 : i % 4 + 3]:
        if rater.pk != review.author_id:
            review_rate(review=review, rater=rater, helpful=i % 3 != 0, tags=[], now=timezone.now())

for i in range(spec["submitters"]):
    user = User.objects.create_user(f"load{i}")
    services.membership_set(course=course, user=user, role="student")
lab = Assignment.objects.get(course=course)
Assignment.objects.filter(pk=lab.pk).update(max_submissions_per_day=32767)
_, reader = services.api_token_create(user=students[0], name="load")
feed = calendar_feed_get(user=students[0])
print(json.dumps({"course": course.pk, "paper": papers[0].pk, "lab": lab.slug,
                  "reader": reader, "autograder": demo.token, "feed": feed.key}))
"""


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    token: str = ""
    body: Path | None = None
    content_type: str = "-"
    submit: bool = False


class Stopped(Exception):
    """SIGTERM or SIGHUP: unwind like Ctrl-C so that everything started is stopped."""


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signal.Signals(signum).name)


@contextmanager
def fresh_database(admin_url: str, name: str, *, keep: bool) -> Iterator[str]:
    """A new, empty database NAME (dropped first if it exists); dropped again at the end."""
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as conn:
        conn.execute(drop)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{admin_url}/{name}"
    finally:
        if not keep:
            with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as conn:
                conn.execute(drop)


@contextmanager
def empty_redis(url: str) -> Iterator[str]:
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


def seed(env: dict[str, str], folder: Path) -> dict[str, Any]:
    spec = folder / "seed.json"
    spec.write_text(json.dumps({"reviews": make_reviews(24), "submitters": 64}))
    out = manage({**env, "LOAD_SEED": str(spec)}, "shell", "-c", SETUP)
    # Statistics and the visibility map of the freshly filled tables now, as a database in
    # service has them: else autovacuum does it during the first endpoint's run. Then a
    # checkpoint, so that writing out the seed's pages does not either.
    manage(env, "shell", "-c", VACUUM)
    return dict(json.loads(out.strip().splitlines()[-1]))


VACUUM = (
    "from django.db import connection\n"
    "connection.cursor().execute('VACUUM ANALYZE')\n"
    "connection.cursor().execute('CHECKPOINT')"
)


def endpoints(ids: dict[str, Any], folder: Path) -> list[Endpoint]:
    analyze = folder / "analyze.json"
    analyze.write_text(json.dumps({"text": make_reviews(2)[1]}))
    course = ids["course"]
    return [
        Endpoint("sessions", "GET", f"/api/v1/courses/{course}/sessions/", ids["reader"]),
        Endpoint(
            "reviews",
            "GET",
            f"/api/v1/courses/{course}/papers/{ids['paper']}/reviews/",
            ids["reader"],
        ),
        Endpoint("ics", "GET", f"/feeds/{ids['feed']}/courses/{course}.ics"),
        Endpoint(
            "analyze",
            "POST",
            "/api/v1/reviews/analyze/",
            ids["reader"],
            analyze,
            "application/json",
        ),
        Endpoint(
            "submit",
            "POST",
            f"/api/v1/courses/{course}/assignments/{ids['lab']}/submissions/",
            ids["autograder"],
            SOLUTION,
            submit=True,
        ),
    ]


def preflight(base: str, endpoint: Endpoint) -> None:
    """One request by hand: the endpoint must answer 2xx with what it is meant to return."""
    headers = {"Authorization": f"Bearer {endpoint.token}"} if endpoint.token else {}
    data = None
    if endpoint.submit:
        assert endpoint.body is not None
        source = endpoint.body.read_text()
        data = json.dumps({"source": source, "student": "load0"}).encode()
        headers["Content-Type"] = "application/json"
    elif endpoint.body is not None:
        data = endpoint.body.read_bytes()
        headers["Content-Type"] = endpoint.content_type
    request = urllib.request.Request(
        base + endpoint.path, data=data, method=endpoint.method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{endpoint.name}: {error.code} {error.read()[:500]!r}") from None
    expected = {
        "sessions": b'"has_presentations"',
        "reviews": b'"helpful_count"',
        "ics": b"Presenters: ",
        "analyze": b'"findings"',
        "submit": b'"attempt"',
    }[endpoint.name]
    if expected not in body.replace(b"\r\n ", b""):  # iCalendar folds long lines
        raise SystemExit(f"{endpoint.name}: {expected!r} not in the response {body[:300]!r}")


def wrk(base: str, endpoint: Endpoint, *, connections: int, seconds: int, phase: str) -> dict:
    submit = "-"
    if endpoint.submit:
        submit = f"{phase}-{secrets.token_hex(4)},load,{STUDENTS_PER_THREAD}"
    headers = [f"Authorization: Bearer {endpoint.token}"] if endpoint.token else []
    command = [
        "wrk", "--threads", str(WRK_THREADS), "--connections", str(connections),
        "--duration", f"{seconds}s", "--timeout", "10s", "--script", str(LUA),
        base + endpoint.path, "--", endpoint.method, str(endpoint.body or "-"),
        endpoint.content_type, submit, *headers,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def row(name: str, figures: dict) -> str:
    seconds = figures["duration_us"] / 1e6
    socket_errors = sum(figures[k] for k in ("connect", "read", "write", "timeout"))
    return (
        f"| {name} | {figures['requests'] / seconds:,.0f} | {figures['p50_us'] / 1000:.1f} | "
        f"{figures['p99_us'] / 1000:.1f} | {figures['non_2xx']} | {socket_errors} | "
        f"{figures['requests']:,} |"
    )


def measure(
    args: argparse.Namespace,
    env: dict[str, str],
    folder: Path,
    processes: list[subprocess.Popen[bytes]],
) -> list[tuple[str, dict]]:
    """Seed, start gunicorn (and the worker before submit), and run wrk on each endpoint."""
    ids = seed(env, folder)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes.append(
        subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "courseportal.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", "2", "--threads", str(args.threads),
             "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=(folder / "web.log").open("wb"), stderr=subprocess.STDOUT,
        )
    )  # fmt: skip
    wait_http(f"{base}/api/v1/")
    results: list[tuple[str, dict]] = []
    for endpoint in endpoints(ids, folder):
        if args.only and endpoint.name not in args.only:
            continue
        if endpoint.submit:
            processes.append(start_worker(env, "load", folder / "worker.log"))
        preflight(base, endpoint)
        options = {"connections": args.connections}
        if args.warmup:
            wrk(base, endpoint, seconds=args.warmup, phase="warmup", **options)
        figures = wrk(base, endpoint, seconds=args.duration, phase="run", **options)
        results.append((endpoint.name, figures))
        print(f"{endpoint.name}: {json.dumps(figures)}", file=sys.stderr)
    return results


@contextmanager
def stopped_at_exit() -> Iterator[list[subprocess.Popen[bytes]]]:
    """A list for the processes started; each is stopped when the block ends, however it ends."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        yield processes
    finally:
        for process in reversed(processes):
            stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="courseportal_load")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--only", nargs="+", choices=NAMES)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    began = time.monotonic()
    # Left in reverse order: the processes stop before Redis is emptied, the database dropped
    # and the folder removed, also on Ctrl-C.
    with (
        tempfile.TemporaryDirectory(prefix="courseportal-load-") as tmp,
        fresh_database(args.postgres, args.database, keep=args.keep) as database_url,
        empty_redis(args.redis),
        stopped_at_exit() as processes,
    ):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "courseportal.settings",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on the loopback, as behind a TLS-terminating proxy that redirects itself.
            "SECURE_SSL_REDIRECT": "false",
            "COURSEPORTAL_VAR_DIR": tmp,
            "DATABASE_URL": database_url,
            "REDIS_URL": args.redis,
            # Per second: DRF keeps one timestamp per request in the window, so a
            # per-minute limit this high would make the throttle itself the bottleneck.
            "ANALYZE_RATE": "100000/s",
            "SUBMIT_RATE": "100000/s",
            "LOG_LEVEL": "WARNING",
        }
        results = measure(args, env, Path(tmp), processes)
    print(
        f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"PostgreSQL {args.postgres}/{args.database}, Redis {args.redis}; gunicorn 2 workers x "
        f"{args.threads} thread(s); wrk {WRK_THREADS} threads, {args.connections} connections, "
        f"{args.warmup} s warm-up + {args.duration} s per endpoint; total "
        f"{time.monotonic() - began:.0f} s"
    )
    print("| endpoint | req/s | p50 ms | p99 ms | non-2xx | socket errors | requests |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, figures in results:
        print(row(name, figures))


if __name__ == "__main__":
    try:
        main()
    except (KeyboardInterrupt, Stopped):
        sys.exit("bench/load.py: interrupted; everything it started was stopped")
