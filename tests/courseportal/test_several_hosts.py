"""Issue #20: web, CPU and GPU workers on separate hosts, sharing only the database and the broker.

Hosts are simulated by folders: the web (this test process and its live server) and two real
`celery worker` processes each have their own, private MEDIA_ROOT and COURSEPORTAL_VAR_DIR.
What they share is the database (PostgreSQL in CI; on a developer's machine the SQLite test
database, a file that is shared by necessity) and the broker (Redis in CI; on a developer's
machine the embedded filesystem broker, whose folder is shared by design: that broker is for
one machine, and is named to the workers with CELERY_BROKER_URL=filesystem:///folder).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from convlab import services
from convlab.models import Assignment, GradingRun, Submission
from courses.models import Course
from courses.services import api_token_create
from tests.conftest import (
    database_url,
    require,
    start_worker,
    stop_worker,
    wait_until_ready,
    worker_env,
)
from tests.convlab.grading.test_course_suites import COURSE_SUITE
from tests.convlab.service.conftest import wait_final
from tests.courseportal.test_api_docs import load_client
from tests.factories import make_member

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RELU = "import numpy as np\n\n\ndef relu(x):\n    return np.maximum(x, 0)\n"


def host(root: Path, name: str) -> dict[str, Path]:
    """A simulated host: its own var folder, media folder and copy of the course suites."""
    folders = {kind: root / name / kind for kind in ("var", "media", "suites")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    (folders["suites"] / "relu_warmup.py").write_text(COURSE_SUITE)
    return folders


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in reversed(started):
        if process.poll() is None:
            stop_worker(process)


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def start_host_worker(
    folders: dict[str, Path], name: str, queues: str, processes: list[Any]
) -> subprocess.Popen[bytes]:
    env = worker_env(
        COURSEPORTAL_VAR_DIR=str(folders["var"]),
        MEDIA_ROOT=str(folders["media"]),
        CONVLAB_SUITES_DIR=str(folders["suites"]),
        DATABASE_URL=database_url(),
    )
    if django_settings.CELERY_BROKER_URL == "filesystem://":
        # The embedded broker is one machine's: its folder is the one thing shared on purpose.
        env["CELERY_BROKER_URL"] = f"filesystem://{django_settings.CELERY_BROKER_DIR}"
    log = folders["var"].parent / "worker.log"
    process = start_worker(env, log, queues=queues, extra=("--hostname", f"{name}@%h"))
    processes.append(process)
    wait_until_ready(process, log)
    return process


def test_workers_with_private_folders_grade_what_the_web_took(
    live_server: Any, course: Course, settings: Settings, tmp_path: Path, processes: list[Any]
) -> None:
    from convlab.sandbox import bwrap_path

    require(bwrap_path() is not None, "bubblewrap is not installed (apt-get install bubblewrap)")
    web = host(tmp_path, "web")
    settings.MEDIA_ROOT = web["media"]
    settings.CONVLAB_SUITES_DIR = str(web["suites"])
    stamp = f"{os.getpid()}-{time.monotonic_ns()}"
    settings.CONVLAB_QUEUE, settings.CONVLAB_GPU_QUEUE = f"hosts-{stamp}", f"hosts-gpu-{stamp}"
    cpu_host, gpu_host = host(tmp_path, "cpu-host"), host(tmp_path, "gpu-host")
    names = {"cpu": f"cpu-{stamp}", "gpu": f"gpu-{stamp}"}
    # The "GPU host" is a CPU process listening on the gpu queue as well as the CPU one.
    start_host_worker(cpu_host, names["cpu"], settings.CONVLAB_QUEUE, processes)
    start_host_worker(
        gpu_host, names["gpu"], f"{settings.CONVLAB_QUEUE},{settings.CONVLAB_GPU_QUEUE}", processes
    )

    dates = {
        "opens_at": dt.datetime(2017, 9, 26, tzinfo=dt.UTC),
        "due_at": dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        "max_submissions_per_day": 100,
    }
    lab = Assignment.objects.create(
        course=course, slug="relu-warmup", title="ReLU", suite="relu-warmup", **dates
    )
    gpu_lab = Assignment.objects.create(
        course=course, slug="relu-gpu", title="ReLU (GPU)", suite="relu-warmup", needs_gpu=True,
        **dates,
    )  # fmt: skip
    alice = make_member(course, "alice", "student")
    robot = make_member(course, "robot", "autograder")
    _, key = api_token_create(user=robot, name="hosts test")
    portal = load_client().Courseportal(live_server.url, key)

    ids = []
    # Through the REST API of the live server...
    for n in range(2):
        ids.append(portal.submit(course.pk, lab.slug, "alice", RELU, f"hosts-{n}")["id"])
    gpu_id = portal.submit(course.pk, gpu_lab.slug, "alice", RELU, "hosts-gpu")["id"]
    # ... and through the upload page.
    page = Client()
    page.force_login(alice)
    upload = SimpleUploadedFile("relu.py", RELU.encode(), content_type="text/x-python")
    assert page.post(f"/courses/{course.pk}/labs/{lab.slug}/", {"file": upload}).status_code == 302
    ids.append(Submission.objects.exclude(pk__in=[*ids, gpu_id]).get().pk)

    for pk in [*ids, gpu_id]:
        graded = wait_final(pk, timeout=180)
        assert (graded.status, graded.score, graded.max_score) == ("done", 2.0, 2.0), graded.results
    workers = dict(GradingRun.objects.values_list("submission_id", "worker"))
    assert set(workers) == {*ids, gpu_id}
    assert all(worker.split("@")[0] in names.values() for worker in workers.values()), workers
    assert workers[gpu_id].split("@")[0] == names["gpu"]
    # Nothing of any submission was written to a folder: the web's media folder, whose path the
    # workers were never given, stays empty, and so do theirs.
    for folders in (web, cpu_host, gpu_host):
        assert files_under(folders["media"]) == []

    # A submission from before the database kept sources, whose file only the web's folder
    # has: a worker cannot read it (it never sees that folder), and says so instead of hanging.
    legacy = Submission.objects.get(pk=ids[0])
    legacy.file.save("attempt-1.py", ContentFile(RELU.encode()), save=False)
    Submission.objects.filter(pk=legacy.pk).update(
        source="", file=legacy.file.name, status="done", task_id=""
    )
    services.submission_regrade(submission=Submission.objects.get(pk=legacy.pk))
    again = wait_final(legacy.pk, timeout=120)
    assert again.status == "error"
    last = GradingRun.objects.filter(submission=legacy).order_by("number").last()
    assert last is not None
    assert "not readable on this worker" in last.error


BROKER = """
import django; django.setup()
from django.conf import settings as s
print(s.CELERY_BROKER_URL, s.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
"""


def test_the_embedded_brokers_folder_can_be_named(tmp_path: Path) -> None:
    from tests.courseportal.test_tls import django_with

    shown = django_with(BROKER, CELERY_BROKER_URL=f"filesystem://{tmp_path / 'shared'}")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == ["filesystem://", str(tmp_path / "shared" / "messages")]
    default = django_with(BROKER, COURSEPORTAL_VAR_DIR=str(tmp_path / "var"))
    assert default.stdout.split()[1] == str(tmp_path / "var" / "broker" / "messages")
    refused = django_with(BROKER, CELERY_BROKER_URL="filesystem://relative/folder")
    assert refused.returncode != 0
    assert "ImproperlyConfigured: CELERY_BROKER_URL=" in refused.stderr
