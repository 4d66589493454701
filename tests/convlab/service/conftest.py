from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pytest_django import Settings

from convlab.models import Assignment, Submission
from tests.conftest import require, stop_worker
from tests.convlab.grading.test_course_suites import COURSE_SUITE
from tests.factories import make_member

# The correct solution the demo submits too.
SOLUTIONS = Path(__file__).resolve().parents[3] / "demo" / "solutions"
REFERENCE = (SOLUTIONS / "transposed_convolutions.py").read_bytes()


@pytest.fixture
def lab(course):
    """The built-in suite, open since 2017 and due far ahead (hidden checks still hidden)."""
    return Assignment.objects.create(
        course=course,
        slug="transposed-convolutions",
        title="Lab 2",
        suite="transposed-convolutions",
        opens_at=dt.datetime(2017, 9, 26, tzinfo=dt.UTC),
        due_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        max_submissions_per_day=3,
    )


@pytest.fixture
def robot(course):
    """The course's autograder account."""
    return make_member(course, "robot", "autograder")


def submit_url(assignment: Assignment) -> str:
    return f"/api/v1/courses/{assignment.course_id}/assignments/{assignment.slug}/submissions/"


def wait_final(submission_id: int, timeout: float = 90) -> Submission:
    """Poll the database until a worker has finished the submission."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission = Submission.objects.get(pk=submission_id)
        if submission.is_final:
            return submission
        time.sleep(0.1)
    raise AssertionError(f"submission {submission_id} still {submission.status} after {timeout} s")


@pytest.fixture
def queue(settings: Settings) -> str:
    """A grading queue of the test's own, which only the workers it starts consume."""
    from convlab.sandbox import bwrap_path

    require(bwrap_path() is not None, "bubblewrap is not installed (apt-get install bubblewrap)")
    settings.CONVLAB_QUEUE = f"inject-{os.getpid()}-{time.monotonic_ns()}"
    return str(settings.CONVLAB_QUEUE)


@pytest.fixture
def suites(tmp_path: Path, settings: Settings) -> Path:
    folder = tmp_path / "suites"
    folder.mkdir()
    (folder / "relu_warmup.py").write_text(COURSE_SUITE)
    settings.CONVLAB_SUITES_DIR = str(folder)
    return folder


@pytest.fixture
def warmup(course, suites):
    """A small course suite (relu-warmup, 2 points), quick to grade."""
    return Assignment.objects.create(
        course=course,
        slug="relu-warmup",
        title="ReLU warm-up",
        suite="relu-warmup",
        opens_at=dt.datetime(2017, 9, 26, tzinfo=dt.UTC),
        due_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        max_submissions_per_day=100,
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts; stopped at the end whatever happens."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in reversed(started):
        if process.poll() is None:
            stop_worker(process)


@dataclass
class Receiver:
    """A real webhook receiver: answers each POST with the next of `answers` (then 204), notes
    every request's delivery id (header and body), and accepts each id once, as a receiver
    that de-duplicates does."""

    url: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    posts: Counter[str] = field(default_factory=Counter)  # every POST of each delivery id
    handled: list[str] = field(default_factory=list)  # each delivery id, when first accepted

    def submissions(self) -> dict[int, set[str]]:
        """Each submission the receiver heard of, with the delivery ids it came with."""
        found: dict[int, set[str]] = {}
        for delivery, body in self.received:
            found.setdefault(int(str(body["submission"])), set()).add(delivery)
        return found


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    lock = threading.Lock()

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            # Both must name it; a request that names none, or two, counts under neither.
            delivery = self.headers.get("X-Courseportal-Delivery") or ""
            if body.get("delivery") != delivery:
                delivery = ""
            with lock:
                state.received.append((delivery, body))
                state.posts[delivery] += 1
                answer = state.answers.pop(0) if state.answers else 204
                if 200 <= answer < 300 and delivery not in state.handled:
                    state.handled.append(delivery)
            self.send_response(answer)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_port}/hook"
    yield state
    server.shutdown()
