"""What a term's rows weigh in PostgreSQL, and what a queue of pending gradings weighs in Redis
(docs/scaling.md). Not a test: it measures and prints.

``python bench/term_size.py [--graded 40] [--submissions 4000] [--reviews 400] [--students 2000]
[--queue 20000]`` (as root, bubblewrap installed, from the repository root):

1. creates a fresh PostgreSQL database (``--postgres``, dropped at the end), migrates it and
   fills one course the way a term does: ``--students`` users and memberships, one assignment of
   the built-in suite, ``--graded`` submissions graded for real by the sandbox (half the reference
   solution, half a buggy one: conv2d with its kernel flipped), cloned to
   ``--submissions`` rows with their grading runs, and ``--reviews`` 400-word reviews written
   through ``reviews.services.review_create`` (the analyzer's real findings in each version);
   then VACUUM ANALYZE and, for each table, ``pg_total_relation_size`` (heap, TOAST and indexes)
   divided by its rows;
2. on an emptied Redis database (``--redis``), sends ``--queue`` grading messages to a queue no
   worker reads, exactly as the portal sends them (``convlab.tasks.grade_submission``), and reads
   ``INFO memory``'s used_memory before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import redis
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.grading import manage  # noqa: E402 - after the sys.path line

FILL = """
import datetime as dt, json, os, random
from django.contrib.auth import get_user_model
from django.db import connection
from courseportal.celery import app
from courses import services as courses
from convlab import services
from convlab.models import Assignment, GradingRun, Submission
from reviews.models import Paper
from reviews.services import review_create
from bench.reviews import make_reviews

spec = json.loads(os.environ["TERM_SPEC"])
app.conf.task_always_eager = True  # grade in this process, for real (sandbox), as a worker does
course = courses.course_create(code="TERM 1", title="Term", term="Now", time_zone="UTC",
    first_day=dt.date(2026, 1, 1), last_day=dt.date(2026, 12, 31), meeting_days=["Mon"],
    meeting_start=dt.time(9), meeting_end=dt.time(10))
User = get_user_model()
robot = User.objects.create_user("robot")
courses.membership_set(course=course, user=robot, role="autograder")
students = []
for i in range(spec["students"]):
    student = User.objects.create_user(f"student{i}", email=f"student{i}@example.edu",
                                       first_name="Student", last_name=f"Number {i}")
    courses.membership_set(course=course, user=student, role="student")
    students.append(student)
lab = Assignment.objects.create(course=course, slug="lab", title="Lab",
    suite="transposed-convolutions", opens_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    due_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC), max_submissions_per_day=10000)
good = spec["solution"]
bad = good.replace("return _conv(x, w, b, stride, padding, dilation, groups, 2)",
                   "return _conv(x, w[..., ::-1, ::-1], b, stride, padding, dilation, groups, 2)")
assert bad != good
for i in range(spec["graded"]):
    source = good if i % 2 == 0 else bad
    services.submission_create(assignment=lab, student=students[i % len(students)],
                               submitted_by=robot, content=source.encode())
graded = list(Submission.objects.filter(status="done").prefetch_related("runs"))
assert len(graded) == spec["graded"], [s.status for s in Submission.objects.all()]
attempt = 1000
clones, runs = [], []
while len(graded) + len(clones) < spec["submissions"]:
    for model in graded:
        if len(graded) + len(clones) >= spec["submissions"]:
            break
        attempt += 1
        copy = Submission(**{f.attname: getattr(model, f.attname)
                             for f in Submission._meta.concrete_fields if f.attname != "id"})
        copy.attempt = attempt
        clones.append(copy)
Submission.objects.bulk_create(clones, batch_size=500)
for index, copy in enumerate(clones):
    for run in graded[index % len(graded)].runs.all():
        runs.append(GradingRun(**{f.attname: getattr(run, f.attname)
                                  for f in GradingRun._meta.concrete_fields
                                  if f.attname not in {"id", "submission_id"}},
                               submission_id=copy.pk))
GradingRun.objects.bulk_create(runs, batch_size=500)
texts = make_reviews(spec["reviews"])
papers = [Paper.objects.create(course=course, title=f"Paper {k}",
          session_date=dt.date(2026, 3, 2) + dt.timedelta(7 * k),
          review_deadline=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
          for k in range(spec["reviews"] // len(students) + 1)]
for i, text in enumerate(texts):
    lines = text.splitlines()
    quarter = max(1, len(lines) // 4)
    fields = ["\\n".join(lines[k * quarter:(k + 1) * quarter]) or "-" for k in range(3)]
    fields.append("\\n".join(lines[3 * quarter:]))
    review_create(paper=papers[i // len(students)], author=students[i % len(students)],
                  acknowledged=True, summary=fields[0], strengths=fields[1],
                  weaknesses=fields[2], questions=fields[3], rating=3, confidence=3)
print("filled", json.dumps({"graded": len(graded), "mean_source_bytes":
      sum(len(s.source.encode()) for s in graded) / len(graded)}))
"""

TABLES = [
    "auth_user",
    "courses_membership",
    "convlab_submission",
    "convlab_gradingrun",
    "reviews_review",
    "reviews_reviewversion",
]

QUEUE = """
import json, os
import redis
from courseportal.celery import app
from convlab import tasks
client = redis.Redis.from_url(os.environ["REDIS_URL"])
before = client.info("memory")["used_memory"]
count = int(os.environ["QUEUE_COUNT"])
for i in range(count):  # as convlab.services.submission_enqueue sends each
    tasks.grade_submission.apply_async(args=(100000 + i,), queue="term-size-nobody")
after = client.info("memory")["used_memory"]
print("queue", json.dumps({"count": count, "before": before, "after": after,
      "length": client.llen("term-size-nobody")}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--graded", type=int, default=40)
    parser.add_argument("--submissions", type=int, default=4000)
    parser.add_argument("--reviews", type=int, default=400)
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--queue", type=int, default=20000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="courseportal-term-size-"))
    name = "courseportal_term_size"
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as conn:
        conn.execute(drop)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "courseportal.settings",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "COURSEPORTAL_VAR_DIR": str(folder),
        "DATABASE_URL": f"{args.postgres}/{name}",
        "REDIS_URL": args.redis,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    spec = {
        "students": args.students,
        "graded": args.graded,
        "submissions": args.submissions,
        "reviews": args.reviews,
        "solution": (ROOT / "demo" / "solutions" / "transposed_convolutions.py").read_text(),
    }
    try:
        manage(env, "migrate", "--no-input", "-v", "0")
        out = manage({**env, "TERM_SPEC": json.dumps(spec)}, "shell", "-c", FILL)
        print(next(line for line in out.splitlines() if line.startswith("filled")))
        with psycopg.connect(f"{args.postgres}/{name}", autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            print("| table | rows | total bytes | bytes per row |\n|---|---:|---:|---:|")
            for table in TABLES:
                rows = conn.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
                ).fetchone()
                size = conn.execute("SELECT pg_total_relation_size(%s)", [table]).fetchone()
                assert rows is not None
                assert size is not None
                per = size[0] / rows[0] if rows[0] else 0
                print(f"| {table} | {rows[0]:,} | {size[0]:,} | {per:,.0f} |")
            whole = conn.execute("SELECT pg_database_size(current_database())").fetchone()
            assert whole is not None
            print(f"database: {whole[0]:,} bytes in all")
        client = redis.Redis.from_url(args.redis)
        client.flushdb()
        try:
            out = manage({**env, "QUEUE_COUNT": str(args.queue)}, "shell", "-c", QUEUE)
            found = json.loads(next(x for x in out.splitlines() if x.startswith("queue"))[6:])
            grew = found["after"] - found["before"]
            print(
                f"redis: {found['length']:,} pending grading messages, used_memory "
                f"{found['before']:,} -> {found['after']:,} bytes "
                f"(+{grew:,}, {grew / found['count']:,.0f} bytes per message)"
            )
        finally:
            client.flushdb()
    except subprocess.CalledProcessError as error:
        raise SystemExit(error.stderr) from None
    finally:
        with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as conn:
            conn.execute(drop)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
