"""Celery tasks of jobs: thin shells that claim a job and run one step of its kind."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from jobs import services
from jobs.models import Job, JobStatus
from jobs.registry import kind_get


@shared_task(bind=True, name="jobs.run", acks_late=True, reject_on_worker_lost=True)
def run_job(self: Any, job_id: int) -> str:
    job = services.job_claim(job_id=job_id, task_id=self.request.id or "")
    if job is None:
        return "nothing to do: another worker has it, or it is over"
    kind = kind_get(job.kind)
    if kind is None:
        services.job_fail(job_id=job_id, message=f"unknown job kind {job.kind!r}")
        return "failed"
    if not services.job_step(job=job, step=kind.run):
        return "over"
    if kind.poll is None:
        services.job_fail(job_id=job_id, message=f"job kind {job.kind!r} cannot be polled")
        return "failed"
    poll_job.apply_async(
        args=(job_id,), queue=settings.JOBS_QUEUE, countdown=services.POLL_EVERY_SECONDS
    )
    return "waiting"


@shared_task(name="jobs.poll", acks_late=True)
def poll_job(job_id: int) -> str:
    job = Job.objects.select_related("course").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.RUNNING:
        return "nothing to do"
    kind = kind_get(job.kind)
    if kind is None or kind.poll is None:
        services.job_fail(job_id=job_id, message=f"job kind {job.kind!r} cannot be polled")
        return "failed"
    if services.job_step(job=job, step=kind.poll):
        poll_job.apply_async(
            args=(job_id,), queue=settings.JOBS_QUEUE, countdown=services.POLL_EVERY_SECONDS
        )
        return "waiting"
    return "over"
