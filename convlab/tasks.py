"""Celery tasks of convlab: thin shells around services (zulip's worker -> action function)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.result import AsyncResult
from celery.signals import worker_process_init
from django.conf import settings
from django.db import InterfaceError, OperationalError

from convlab import sandbox, services

logger = logging.getLogger(__name__)


@worker_process_init.connect
def _remove_orphaned_cgroups(**kwargs: Any) -> None:
    """Each new grading process (the first ones, or one replacing a process that was killed)
    removes the per-run cgroups that killed grading processes of this machine left."""
    removed = sandbox.remove_orphaned_cgroups()
    if removed:
        logger.info("removed %s cgroups of grading processes that were killed", removed)


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
    # Nobody reads what a task returns (the database has the outcome): no result to store,
    # and publishing never waits on the result store (unreachable, it took 19 s to give up).
    ignore_result=True,
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
    except services.SourceUnavailable as unavailable:
        services.submission_finish(
            submission_id=submission_id, task_id=task_id, result=None, error=str(unavailable)
        )
        return "not gradable: the source is not readable here"
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


def _this_period(name: str) -> bool:
    """Whether this run does the periodic work `name` (issue #20): two `celery beat` processes
    started by mistake both send it every period, and only the run that takes the lease for
    the period goes on. The lease lasts three quarters of a period: one beat's next run finds
    it expired (its messages may wait up to a quarter period in the queue), a second beat's
    run within the period finds it held, and a beat host that is lost stops the work for
    less than a period."""
    taken = services.periodic_lease_take(
        name=name, seconds=settings.CONVLAB_SWEEP_LEASE, holder=_holder()
    )
    if not taken:
        logger.info("%s: another run has this period's lease; nothing to do", name)
    return taken


def _holder() -> str:
    from celery import current_task

    request = getattr(current_task, "request", None)
    return f"{getattr(request, 'hostname', '') or 'local'} {getattr(request, 'id', '') or ''}"[:200]


@shared_task(name="convlab.requeue_stuck", ignore_result=True)
def requeue_stuck() -> dict[str, int]:
    # Also on this machine: the groups of a killed grading whose sandbox was still exiting
    # when the next grading process started (every worker host's own, so outside the lease).
    sandbox.remove_orphaned_cgroups()
    if not _this_period("convlab.requeue_stuck"):
        return {}
    return services.submissions_requeue_stuck()


@shared_task(name="convlab.deliver_webhook", acks_late=False, ignore_result=True)
def deliver_webhook(delivery_id: str) -> str:
    """Deliver one stored webhook event now, if it is due and nobody else is delivering it (the
    nudge after a grading finishes); its state afterwards. Retries are the outbox's, not
    Celery's: a failed attempt is claimed again by `deliver_webhooks` after its back-off."""
    try:
        key = uuid.UUID(str(delivery_id))
    except ValueError:  # a submission id, queued by the code before the outbox
        return "nothing to do: not a delivery id"
    delivery = services.webhook_deliver(delivery_id=key)
    return delivery.state if delivery is not None else "nothing to do: no such delivery"


@shared_task(name="convlab.deliver_webhooks", acks_late=False, ignore_result=True)
def deliver_webhooks() -> dict[str, int]:
    """The periodic deliverer (celery beat): every due event of the outbox."""
    if not _this_period("convlab.deliver_webhooks"):
        return {}
    return services.webhooks_deliver_due()
