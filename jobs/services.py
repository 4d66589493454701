"""Writes of jobs: create and queue, claim, progress, wait, finish. Only these change a Job.

Like convlab's gradings: the row is saved first and queued after the commit; a worker claims
it with one conditional UPDATE (a redelivered task, same id, takes its own claim over); the
outcome is written only while the job is still running.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from courses.models import Course
from jobs.models import Job, JobStatus
from jobs.registry import JobFailed, Outcome, Step, Waiting, kind_get

logger = logging.getLogger(__name__)

POLL_EVERY_SECONDS = 1.0
# A job waiting on other workers (bulk regrade) gives up after this long: the sweeper requeues
# stuck gradings long before, so reaching it means no grading worker has been up for a day.
GIVE_UP_AFTER = dt.timedelta(hours=24)
MESSAGE_MAX = 500


def job_create(*, course: Course, kind: str, created_by: User | None, input: dict[str, Any]) -> Job:
    """Save the job and queue it once the surrounding transaction commits."""
    if kind_get(kind) is None:
        raise ValidationError({"kind": f"unknown job kind {kind!r}"})
    job = Job.objects.create(course=course, kind=kind, created_by=created_by, input=input)
    transaction.on_commit(lambda: job_enqueue(job_id=job.pk))
    return job


def job_enqueue(*, job_id: int) -> bool:
    """Hand the job to the broker; when it cannot be reached the job fails saying so (a staff
    member is watching the page and can start it again)."""
    from jobs.tasks import run_job

    try:
        run_job.apply_async(args=(job_id,), queue=settings.JOBS_QUEUE)
    except Exception as error:
        logger.warning("could not queue job %s: %s", job_id, error)
        job_fail(job_id=job_id, message="the task queue could not be reached; start it again")
        return False
    return True


def job_claim(*, job_id: int, task_id: str) -> Job | None:
    """Take a queued job; None when another worker has it or it is over."""
    claimed = Job.objects.filter(
        Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, task_id=task_id), pk=job_id
    ).update(status=JobStatus.RUNNING, task_id=task_id, started_at=timezone.now())
    return Job.objects.select_related("course").get(pk=job_id) if claimed else None


def job_progress(*, job_id: int, done: int, total: int, message: str = "") -> None:
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        done=max(0, min(done, total)),
        total=max(0, total),
        message=message[:MESSAGE_MAX],
        updated_at=timezone.now(),
    )


def job_finish(*, job_id: int, result: dict[str, Any], message: str = "") -> None:
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE,
        result=result,
        message=message[:MESSAGE_MAX] or "Done.",
        finished_at=timezone.now(),
    )


def job_fail(*, job_id: int, message: str, result: dict[str, Any] | None = None) -> None:
    Job.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.FAILED,
        result=result,
        message=message[:MESSAGE_MAX],
        finished_at=timezone.now(),
    )


def _record(job: Job, outcome: Outcome) -> bool:
    """Store the outcome of one step; True when the job must be polled again."""
    if not isinstance(outcome, Waiting):
        job_finish(job_id=job.pk, result=outcome, message=str(outcome.get("message", "")))
        return False
    started = job.started_at or timezone.now()
    if timezone.now() - started > GIVE_UP_AFTER:
        job_fail(job_id=job.pk, message="no progress for a day: are the grading workers up?")
        return False
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(state=outcome.state)
    return True


def job_step(*, job: Job, step: Step) -> bool:
    """Run one step of a claimed job (its kind's run or poll); True when it must be polled
    again. A kind's refusal fails the job with its message; a crash fails it too (after
    logging), so that the page never shows a job running forever."""

    def progress(done: int, total: int, message: str = "") -> None:
        job_progress(job_id=job.pk, done=done, total=total, message=message)

    try:
        outcome = step(job, progress)
    except JobFailed as failure:
        job_fail(job_id=job.pk, message=str(failure), result=failure.result)
        return False
    except ValidationError as error:
        job_fail(job_id=job.pk, message="; ".join(error.messages))
        return False
    except Exception:
        logger.exception("job %s (%s) crashed", job.pk, job.kind)
        job_fail(job_id=job.pk, message="the job failed on our side; the error is logged")
        return False
    return _record(job, outcome)
