from __future__ import annotations

import time
from collections.abc import Iterator
from subprocess import Popen

import pytest
from django.conf import settings

from courseportal.jobs.models import Job
from tests.conftest import database_url, start_worker, stop_worker, worker_env
from tests.convlab.service.conftest import lab  # noqa: F401 - the built-in lab, as a fixture


@pytest.fixture(scope="session")
def jobs_worker(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Popen[bytes]]:
    """A real worker process serving the jobs queue from the test database (use with
    transactional tests), like tests/conftest.py's grading_worker for gradings."""
    log = tmp_path_factory.mktemp("jobs-worker") / "worker.log"
    process = start_worker(worker_env(DATABASE_URL=database_url()), log, queues=settings.JOBS_QUEUE)
    yield process
    stop_worker(process)


def wait_job(job_id: int, timeout: float = 180) -> Job:
    """Poll the database until the worker has finished the job."""
    deadline = time.monotonic() + timeout
    job = Job.objects.get(pk=job_id)
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.is_final:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job.status} ({job.message}) after {timeout} s")
