from __future__ import annotations

import time

from jobs.models import Job
from tests.convlab.service.conftest import lab  # noqa: F401 - the built-in lab, as a fixture


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
