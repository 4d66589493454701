"""Celery tasks of convlab: thin shells around services (zulip's worker -> action function)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.result import AsyncResult
from django.conf import settings
from django.db import InterfaceError, OperationalError

from convlab import services, webhooks
from convlab.models import Submission

logger = logging.getLogger(__name__)

# Infrastructure failures worth another try; a student's code never causes these.
TRANSIENT = (OperationalError, InterfaceError)


class WorkerTimeLimits(Task):
    """A task whose time limits are those of the worker that runs it, not of the process that
    queued it.

    Celery copies a task's `time_limit` and `soft_time_limit` into every message it publishes,
    and a worker obeys the message's limits before its own task's: a web process's
    CONVLAB_GRADING_SOFT_LIMIT would win over the worker's. Messages of these tasks carry no
    limit (unless a caller names one), so the worker applies its task attributes, which it set
    from its own settings when it imported this module.
    """

    def apply_async(
        self,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
        task_id: str | None = None,
        producer: Any = None,
        link: Any = None,
        link_error: Any = None,
        shadow: str | None = None,
        **options: Any,
    ) -> AsyncResult[Any]:
        # An explicit None overrides the task's attribute in what is published; delay() and
        # retry() come through here too.
        options.setdefault("time_limit", None)
        options.setdefault("soft_time_limit", None)
        return super().apply_async(
            args, kwargs, task_id, producer, link, link_error, shadow, **options
        )


@shared_task(
    bind=True,
    base=WorkerTimeLimits,
    name="convlab.grade_submission",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CONVLAB_GRADING_SOFT_LIMIT,
    time_limit=settings.CONVLAB_GRADING_HARD_LIMIT,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
)
def grade_submission(self: Any, submission_id: int) -> str:
    """Claim, grade (outside any transaction), finish. Idempotent: a second delivery of the
    same submission finds nothing to claim."""
    task_id = self.request.id or ""
    submission = services.submission_claim(
        submission_id=submission_id, task_id=task_id, worker=self.request.hostname or ""
    )
    if submission is None:
        return "nothing to do: another worker got there first, or it is graded"
    try:
        result = services.submission_grade(submission=submission)
    except SoftTimeLimitExceeded:
        services.submission_finish(
            submission_id=submission_id,
            task_id=task_id,
            result=None,
            error="the grader ran past its time limit",
        )
        return "not gradable: time limit"
    if not result.gradable and self.request.retries < 2:
        # The grader's own failure (sandbox could not start, ...): try again before giving up.
        raise self.retry(countdown=2 * (self.request.retries + 1))
    finished = services.submission_finish(
        submission_id=submission_id, task_id=task_id, result=result
    )
    if finished is None:
        return "dropped: the sweeper gave the submission to another run"
    # Not what the grader said but what was stored: a result the database refused is an error.
    return "done" if finished.gradable else "not gradable"


@shared_task(name="convlab.requeue_stuck")
def requeue_stuck() -> dict[str, int]:
    return services.submissions_requeue_stuck()


def webhook_signature(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the body>`, sent as X-Courseportal-Signature."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(submission: Submission) -> bytes:
    payload = {
        "event": "submission.finished",
        "submission": submission.pk,
        "assignment": submission.assignment.slug,
        "course": submission.assignment.course_id,
        "student": submission.student.get_username(),
        "status": submission.status,
        "gradable": submission.gradable,
        "score": submission.score,
        "max_score": submission.max_score,
        "results_url": f"/api/v1/submissions/{submission.pk}/results.json",
    }
    return json.dumps(payload, sort_keys=True).encode()


@shared_task(
    name="convlab.deliver_webhook",
    autoretry_for=(urllib.error.URLError, OSError),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=8,
)
def deliver_webhook(submission_id: int) -> int:
    submission = Submission.objects.select_related("assignment", "student").get(pk=submission_id)
    assignment = submission.assignment
    body = webhook_body(submission)
    # Checked again now (DNS may have changed since it was configured): the opener connects only
    # to public addresses, and a WebhookRefused is final, never retried.
    request = urllib.request.Request(  # noqa: S310 - staff-configured https/http URL
        assignment.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Courseportal-Event": "submission.finished",
            "X-Courseportal-Signature": webhook_signature(assignment.webhook_secret, body),
        },
    )
    with webhooks.opener().open(request, timeout=10) as response:
        status: int = response.status
    return status
