"""Writes of the convlab app: submissions through their whole life, regrades and the sweeper.

The pipeline (healthchecks' and HackSoft's way): save in the database first, queue after the
commit, claim with one conditional UPDATE (a second claimer changes no row and stops), grade
outside any transaction, then finish with another conditional UPDATE, so that every attempt
ends in exactly one final state.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import http.client
import json
import logging
import math
import traceback
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import DataError, IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify

from convlab import selectors, webhooks
from convlab.grading import GradingResult, grade, load_source, to_gradescope
from convlab.grading.engine import error_location
from convlab.models import (
    FINAL_STATUSES,
    Assignment,
    CourseSuite,
    GradingRun,
    GradingRunStatus,
    PeriodicLease,
    Submission,
    SubmissionStatus,
    WebhookDelivery,
)
from courseportal.outbox import Outbox, Outcome
from courses.models import Membership, Role

logger = logging.getLogger(__name__)


class SubmissionLimitReached(Exception):
    """The assignment's daily submission limit is used up; `retry_after` seconds to wait."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StorageUnavailable(Exception):
    """The submitted file could not be written (media folder missing, not writable, full):
    nothing was saved, and the student may simply try again later."""


class SourceUnavailable(Exception):
    """A submission made before sources were kept in the database, whose file is not readable
    on this host (a worker on another machine, or the file is gone): it cannot be graded here."""


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was used before for another request (another file, student or
    assignment): nothing was stored, and the earlier submission is unchanged."""


@dataclass(frozen=True)
class Created:
    submission: Submission
    created: bool  # False: an earlier request with the same Idempotency-Key made it


def _decode_source(content: bytes) -> str:
    if not content.strip():
        raise ValidationError({"file": "the file is empty"})
    if len(content) > settings.CONVLAB_MAX_SOURCE_BYTES:
        kib = settings.CONVLAB_MAX_SOURCE_BYTES // 1024
        raise ValidationError({"file": f"the file is larger than {kib} KiB"})
    if b"\x00" in content:
        raise ValidationError({"file": "this is a binary file; upload your .py source"})
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValidationError(
            {"file": f"the file is not UTF-8 text (byte {error.start}); save it as UTF-8"}
        ) from None


def _check_window(assignment: Assignment, now: dt.datetime) -> None:
    if now < assignment.opens_at:
        raise ValidationError(
            {"assignment": f"{assignment.title} opens {assignment.opens_at:%Y-%m-%d %H:%M %Z}"}
        )
    if assignment.closes_at is not None and now > assignment.closes_at:
        raise ValidationError(
            {"assignment": f"{assignment.title} closed {assignment.closes_at:%Y-%m-%d %H:%M %Z}"}
        )


def _check_daily_limit(assignment: Assignment, student: Any, now: dt.datetime) -> None:
    # A grading that failed for infrastructure reasons never uses up an attempt.
    recent = selectors.counted_attempts(assignment=assignment, student=student, now=now)
    limit = assignment.max_submissions_per_day
    if len(recent) >= limit:
        frees_at = recent[len(recent) - limit] + dt.timedelta(days=1)
        wait = max(1, math.ceil((frees_at - now).total_seconds()))
        raise SubmissionLimitReached(
            f"{limit} submissions in 24 hours is the limit for {assignment.title}", wait
        )


def submission_create(
    *,
    assignment: Assignment,
    student: Any,
    submitted_by: User,
    content: bytes,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> Created:
    """Store a submission and queue it for grading once the transaction commits.

    A retried request with the same `idempotency_key` (per submitting account) returns the
    submission the first one made, without storing or grading anything again. The key used
    before for another request (another file, student or assignment) raises
    IdempotencyKeyReused: answering with the earlier submission would leave the new code
    silently ungraded.
    """
    now = now or timezone.now()
    digest = hashlib.sha256(content).hexdigest()
    if idempotency_key:
        earlier = _same_request(assignment, student, submitted_by, digest, idempotency_key)
        if earlier is not None:
            return Created(earlier, created=False)
    source = _decode_source(content)
    _check_window(assignment, now)
    _check_daily_limit(assignment, student, now)
    for _ in range(3):
        try:
            with transaction.atomic():
                return Created(
                    _store(assignment, student, submitted_by, source, digest, idempotency_key, now),
                    created=True,
                )
        except OSError as error:
            # The source is stored in the row itself; whatever else the transaction could not
            # write is rolled back with it.
            logger.error("could not store a submission to %s: %s", assignment, error)
            raise StorageUnavailable(
                "Your file could not be saved: the portal's storage is not available right now. "
                "Nothing was submitted and no attempt was used; please try again later."
            ) from error
        except IntegrityError:
            if idempotency_key:
                # A concurrent retry with the same key got there first.
                earlier = _same_request(assignment, student, submitted_by, digest, idempotency_key)
                if earlier is not None:
                    return Created(earlier, created=False)
            # Otherwise two submissions took the same attempt number: number it again.
    raise ValidationError({"file": "too many submissions at the same moment; try again"})


def _same_request(
    assignment: Assignment, student: Any, submitted_by: User, digest: str, idempotency_key: str
) -> Submission | None:
    """The submission made earlier with this key, if any, when it was made by the same request.

    The request's fingerprint is what the earlier submission already stores: the SHA-256 of
    its file, its student and its assignment (so rows made before this check compare too).
    """
    earlier = Submission.objects.filter(
        submitted_by=submitted_by, idempotency_key=idempotency_key
    ).first()
    if earlier is None:
        return None
    if (earlier.sha256, earlier.student_id, earlier.assignment_id) != (
        digest,
        student.pk,
        assignment.pk,
    ):
        raise IdempotencyKeyReused(
            "this key was used before for a different request (another file, student or "
            "assignment), so this one was not submitted; send a new key for a new submission"
        )
    return earlier


def _store(
    assignment: Assignment,
    student: Any,
    submitted_by: User,
    source: str,
    digest: str,
    idempotency_key: str | None,
    now: dt.datetime,
) -> Submission:
    attempt = (
        Submission.objects.filter(assignment=assignment, student=student).aggregate(
            n=Max("attempt")
        )["n"]
        or 0
    ) + 1
    submission = Submission(
        assignment=assignment,
        student=student,
        submitted_by=submitted_by,
        sha256=digest,
        attempt=attempt,
        idempotency_key=idempotency_key or None,
        use_gpu=assignment.needs_gpu,
        received_at=now,
        # In the database, not under MEDIA_ROOT: a worker on another host reads it there.
        source=source,
    )
    submission.save()
    transaction.on_commit(lambda: submission_enqueue(submission_id=submission.pk))
    return submission


def submission_enqueue(*, submission_id: int) -> bool:
    """Hand the submission to the broker. False (and it stays received) when the broker is
    unreachable: the sweeper queues it again later."""
    from convlab.tasks import grade_submission

    submission = Submission.objects.filter(pk=submission_id).only("use_gpu").first()
    if submission is None:
        return False
    now = timezone.now()
    Submission.objects.filter(
        pk=submission_id, status__in=[SubmissionStatus.RECEIVED, SubmissionStatus.QUEUED]
    ).update(status=SubmissionStatus.QUEUED, queued_at=now)
    queue = settings.CONVLAB_GPU_QUEUE if submission.use_gpu else settings.CONVLAB_QUEUE
    try:
        grade_submission.apply_async(args=(submission_id,), queue=queue)
    except Exception as error:
        logger.warning("could not queue submission %s: %s", submission_id, error)
        Submission.objects.filter(pk=submission_id, status=SubmissionStatus.QUEUED).update(
            status=SubmissionStatus.RECEIVED
        )
        return False
    return True


def submission_claim(*, submission_id: int, task_id: str, worker: str) -> Submission | None:
    """Take the submission for grading; None when another worker got there first or it is
    already final. A redelivered task (same id: its worker died) takes its claim over."""
    now = timezone.now()
    with transaction.atomic():
        claimed = Submission.objects.filter(
            Q(status=SubmissionStatus.QUEUED) | Q(status=SubmissionStatus.RUNNING, task_id=task_id),
            pk=submission_id,
        ).update(status=SubmissionStatus.RUNNING, started_at=now, task_id=task_id)
        if not claimed:
            return None
        submission = Submission.objects.select_related("assignment").get(pk=submission_id)
        submission.runs.filter(status=GradingRunStatus.RUNNING).update(
            status=GradingRunStatus.SUPERSEDED, finished_at=now
        )
        number = (submission.runs.aggregate(n=Max("number"))["n"] or 0) + 1
        GradingRun.objects.create(
            submission=submission, number=number, task_id=task_id, worker=worker, started_at=now
        )
    return submission


def submission_grade(*, submission: Submission) -> GradingResult:
    """Run the check suite on the submission in the sandbox. Slow: call outside transactions."""
    try:
        assignment = selectors.load_suite(
            course_id=submission.assignment.course_id, suite=submission.assignment.suite
        )
    except Exception as error:  # a suite that no longer loads is staff's to fix, never a zero
        logger.exception("could not load the suite of submission %s", submission.pk)
        why = suite_error_text_for(submission.assignment.suite, error)
        return GradingResult(
            assignment=submission.assignment.suite,
            gradable=False,
            score=None,
            max_score=0.0,
            output=f"Not graded: the grader failed ({why}). This attempt does not count.",
            tests=(),
        )
    try:
        source = submission.source_text()
    except (OSError, UnicodeDecodeError) as error:
        raise SourceUnavailable(
            f"the submitted file is not readable on this worker ({type(error).__name__}); it was "
            "made before sources were kept in the database: grade it where MEDIA_ROOT has it, "
            "or run `manage.py migrate` there to copy it into the database"
        ) from error
    return grade(
        assignment,
        source,
        seed=submission.pk,
        insecure=settings.CONVLAB_SANDBOX_INSECURE,
        # Ends before the task's soft time limit, which would make the submission not
        # gradable: a submission that hangs in every function is timed out and scored instead.
        deadline_seconds=0.75 * settings.CONVLAB_GRADING_SOFT_LIMIT,
    )


def suite_error_text_for(slug: str, error: BaseException) -> str:
    """A suite that fails to load, as staff read it: the file and line where it failed."""
    where = error_location(error)
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    return f"suite error in “{slug}”" + (f" at {where}" if where else "") + f": {detail}"


def late_days(assignment: Assignment, received_at: dt.datetime) -> int:
    """Started days late after the grace period (0 when on time)."""
    late = received_at - assignment.due_at - dt.timedelta(minutes=assignment.grace_minutes)
    if late <= dt.timedelta(0):
        return 0
    return math.ceil(late / dt.timedelta(days=1))


def penalized(assignment: Assignment, raw: float, days: int) -> float:
    factor = max(0.0, 1 - assignment.late_penalty_percent_per_day * days / 100)
    return round(raw * factor, 4)


def storable(value: Any) -> Any:
    r"""`value` (a str, or JSON made of dicts, lists and scalars) with every string made storable.

    PostgreSQL refuses NUL in text and in jsonb (`\u0000`), and no UTF-8 encoder takes a lone
    surrogate; a student's code can print or raise both. NUL becomes the four characters `\x00`
    and a lone surrogate `\udc80` and the like, so that the student sees what they sent; any
    other text comes back unchanged.
    """
    if isinstance(value, str):
        return value.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [storable(item) for item in value]
    return value


def submission_finish(
    *, submission_id: int, task_id: str, result: GradingResult | None, error: str = ""
) -> Submission | None:
    """Record the outcome, only if this task still holds the claim (else the sweeper gave the
    submission to another run, and this result is dropped). `result` None: not gradable.

    Whatever the result holds is stored (`storable`). A result the database still refuses ends
    the submission as not gradable, with the reason for staff, never left running: a submission
    left running would be graded again by the sweeper, and refused again, for ever.
    """
    try:
        return _finish(submission_id=submission_id, task_id=task_id, result=result, error=error)
    except (DataError, UnicodeError) as refused:
        # Its transaction is rolled back, with the webhook and the alert it would have queued.
        logger.exception("could not save the grading of submission %s", submission_id)
        why = f"the grading's result could not be saved ({type(refused).__name__}: {refused})"
        return _finish(submission_id=submission_id, task_id=task_id, result=None, error=why)


def _finish(
    *, submission_id: int, task_id: str, result: GradingResult | None, error: str
) -> Submission | None:
    now = timezone.now()
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update()
            .select_related("assignment")
            .filter(pk=submission_id, status=SubmissionStatus.RUNNING, task_id=task_id)
            .first()
        )
        run = GradingRun.objects.filter(submission_id=submission_id, task_id=task_id).last()
        if submission is None:
            if run is not None and run.status == GradingRunStatus.RUNNING:
                run.status, run.finished_at = GradingRunStatus.SUPERSEDED, now
                run.save(update_fields=["status", "finished_at"])
            return None
        gradable = result is not None and result.gradable
        payload = storable(to_gradescope(result)) if result is not None else {}
        days = late_days(submission.assignment, submission.received_at)
        submission.status = SubmissionStatus.DONE if gradable else SubmissionStatus.ERROR
        submission.gradable = gradable
        submission.results = payload
        submission.finished_at = now
        submission.late_days = days
        if gradable and result is not None and result.score is not None:
            submission.raw_score = result.score
            submission.max_score = result.max_score
            submission.score = penalized(submission.assignment, result.score, days)
        else:
            submission.raw_score = submission.score = None
            submission.max_score = result.max_score if result is not None else None
        submission.save()
        reason: str = storable(error) or ("" if gradable else payload.get("output", ""))
        if run is not None:
            run.status = GradingRunStatus.DONE if gradable else GradingRunStatus.ERROR
            run.gradable = gradable
            run.score = submission.score
            run.results = payload
            run.error = reason
            run.finished_at = now
            run.save()
        # In this transaction: the event is stored with the final state or not at all.
        delivery = webhook_delivery_create(submission=submission, now=now)
        if delivery is not None:
            transaction.on_commit(lambda: webhook_nudge(delivery_id=delivery.pk))
        if not gradable:
            transaction.on_commit(lambda: staff_alert_not_gradable(submission, reason))
    return submission


def staff_alert_not_gradable(submission: Submission, reason: str) -> bool:
    """Mail the course's TAs and instructors that the grader failed (not the student), at most
    once per assignment every CONVLAB_ALERT_EVERY seconds; True when a mail went out."""
    from courses.models import Membership, Role

    assignment = submission.assignment
    if not cache.add(f"convlab-alert:{assignment.pk}", 1, timeout=settings.CONVLAB_ALERT_EVERY):
        return False  # staff were told about this assignment a moment ago
    emails = list(
        Membership.objects.filter(
            course_id=assignment.course_id, role__in=[Role.TA, Role.INSTRUCTOR], is_active=True
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not emails:
        return False
    body = (
        f"Attempt {submission.attempt} of {submission.student} on {assignment.title} could not "
        f"be graded (it does not count against the student):\n\n{reason}\n\n"
        'Fix the grading workers, then regrade the submissions marked "Not gradable" '
        f"from /courses/{assignment.course_id}/labs/{assignment.slug}/?status=error\n"
        f"Further failures of this assignment in the next {settings.CONVLAB_ALERT_EVERY // 60} "
        "min are not mailed; the page lists them all."
    )
    subject = f"[{assignment.course.code}] {assignment.title}: the grader is failing"
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails)
    except OSError:
        logger.exception("could not mail staff about submission %s", submission.pk)
        cache.delete(f"convlab-alert:{assignment.pk}")
        return False
    return True


def submission_grade_on_cpu(*, submission: Submission) -> Submission:
    """A GPU submission still waiting for a GPU worker goes to the CPU queue instead."""
    with transaction.atomic():
        moved = Submission.objects.filter(
            pk=submission.pk,
            use_gpu=True,
            status__in=[SubmissionStatus.RECEIVED, SubmissionStatus.QUEUED],
        ).update(use_gpu=False, status=SubmissionStatus.RECEIVED)
        if not moved:
            raise ValidationError({"submission": "only a GPU submission that is still waiting"})
        # Its message stays in the GPU queue; whichever worker claims first grades it, once.
        transaction.on_commit(lambda: submission_enqueue(submission_id=submission.pk))
    submission.refresh_from_db()
    return submission


def submission_regrade(*, submission: Submission, use_gpu: bool | None = None) -> Submission:
    """Grade a final submission again; its earlier runs stay on record. With `use_gpu=False`,
    a GPU submission still waiting for a GPU worker is graded on the CPU instead."""
    if use_gpu is False and submission.use_gpu and not submission.is_final:
        return submission_grade_on_cpu(submission=submission)
    fields: dict[str, Any] = {"status": SubmissionStatus.RECEIVED, "task_id": ""}
    if use_gpu is not None:
        fields["use_gpu"] = use_gpu
    with transaction.atomic():
        changed = Submission.objects.filter(pk=submission.pk, status__in=FINAL_STATUSES).update(
            **fields
        )
        if not changed:
            raise ValidationError({"submission": "it is still being graded"})
        transaction.on_commit(lambda: submission_enqueue(submission_id=submission.pk))
    submission.refresh_from_db()
    return submission


def assignment_regrade(*, assignment: Assignment) -> int:
    """Regrade every final submission of the assignment; returns how many were queued."""
    ids = list(
        Submission.objects.filter(assignment=assignment, status__in=FINAL_STATUSES).values_list(
            "pk", flat=True
        )
    )
    with transaction.atomic():
        Submission.objects.filter(pk__in=ids, status__in=FINAL_STATUSES).update(
            status=SubmissionStatus.RECEIVED, task_id=""
        )
        for pk in ids:
            transaction.on_commit(functools.partial(submission_enqueue, submission_id=pk))
    return len(ids)


def periodic_lease_take(
    *, name: str, seconds: float, holder: str = "", now: dt.datetime | None = None
) -> bool:
    """Take the lease of periodic work `name` for `seconds` if nobody holds it (it expired or
    was never taken); True when this caller took it and should do the work.

    One conditional UPDATE takes an expired lease (a concurrent taker's UPDATE waits for the
    row, then finds it no longer expired: PostgreSQL re-reads the row after the wait, SQLite
    runs one writing transaction at a time), and the first taker of a new name inserts the row
    (a second insert fails on the primary key). Works on both databases, with nothing else
    shared between the hosts.
    """
    now = now or timezone.now()
    until = now + dt.timedelta(seconds=seconds)
    holder = holder or uuid.uuid4().hex
    with transaction.atomic():
        taken = PeriodicLease.objects.filter(name=name, expires_at__lte=now).update(
            holder=holder, expires_at=until
        )
    if taken:
        return True
    try:
        with transaction.atomic():
            PeriodicLease.objects.create(name=name, holder=holder, expires_at=until)
    except IntegrityError:
        return False
    return True


def submissions_requeue_stuck(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The sweeper (celery beat): queue what never reached the broker, and hand submissions
    stuck in queued or running past the deadline to another worker."""
    now = now or timezone.now()
    stuck_after = dt.timedelta(seconds=settings.CONVLAB_STUCK_AFTER)
    received = list(
        Submission.objects.filter(
            status=SubmissionStatus.RECEIVED, received_at__lt=now - dt.timedelta(seconds=2)
        ).values_list("pk", flat=True)
    )
    queued = list(
        Submission.objects.filter(
            status=SubmissionStatus.QUEUED, queued_at__lt=now - stuck_after
        ).values_list("pk", flat=True)
    )
    running = list(
        Submission.objects.filter(
            status=SubmissionStatus.RUNNING, started_at__lt=now - stuck_after
        ).values_list("pk", flat=True)
    )
    if running:
        # Their worker is gone or hung: the claim lapses and any late result will be dropped.
        Submission.objects.filter(pk__in=running, status=SubmissionStatus.RUNNING).update(
            status=SubmissionStatus.QUEUED, task_id=""
        )
        GradingRun.objects.filter(
            submission_id__in=running, status=GradingRunStatus.RUNNING
        ).update(status=GradingRunStatus.SUPERSEDED, finished_at=now)
    for pk in received + queued + running:
        submission_enqueue(submission_id=pk)
    return {"received": len(received), "queued": len(queued), "running": len(running)}


# --- Webhooks: the outbox ---------------------------------------------------------------------
#
# A finished grading's event is a row (WebhookDelivery) written with the final state, so that
# no broker outage loses it. After the commit a worker is asked to deliver it at once (a nudge,
# best effort); whatever the nudge did not deliver, the periodic deliverer (celery beat:
# convlab.deliver_webhooks) claims when it is due. Delivery is at least once: an attempt whose
# deliverer died after the POST is made again, under the same delivery id.


def webhook_payload(submission: Submission, delivery_id: uuid.UUID) -> dict[str, Any]:
    """What a `submission.finished` event says, as of now."""
    return {
        "event": "submission.finished",
        "delivery": str(delivery_id),
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


def webhook_delivery_create(
    *, submission: Submission, now: dt.datetime | None = None
) -> WebhookDelivery | None:
    """Store the `submission.finished` event of a final submission for delivery, due now; None
    when its assignment has no webhook URL. Call in the transaction that makes it final."""
    if not submission.assignment.webhook_url:
        return None
    now = now or timezone.now()
    delivery_id = uuid.uuid4()
    return WebhookDelivery.objects.create(
        id=delivery_id,
        submission=submission,
        payload=webhook_payload(submission, delivery_id),
        next_attempt_at=now,
        created_at=now,
    )


def webhook_nudge(*, delivery_id: uuid.UUID) -> bool:
    """Ask a worker to deliver now. False when the broker cannot take the message: the
    periodic deliverer delivers it instead, so nothing is lost."""
    from convlab.tasks import deliver_webhook

    try:
        deliver_webhook.apply_async(args=(str(delivery_id),))
    except Exception as error:
        logger.warning("could not queue webhook delivery %s: %s", delivery_id, error)
        return False
    return True


WEBHOOKS = Outbox(
    model=WebhookDelivery,
    name="webhook delivery",
    lease=lambda: settings.CONVLAB_WEBHOOK_LEASE,
    attempts=lambda: settings.CONVLAB_WEBHOOK_ATTEMPTS,
    backoff=lambda: settings.CONVLAB_WEBHOOK_BACKOFF,
    backoff_max=lambda: settings.CONVLAB_WEBHOOK_BACKOFF_MAX,
    related=("submission__assignment",),
)


def webhook_deliver(
    *, delivery_id: uuid.UUID, now: dt.datetime | None = None
) -> WebhookDelivery | None:
    """Deliver one event now if it is due and nobody else is delivering it; the row as it then
    stands (None: no such delivery). Slow (an HTTP request): call outside transactions."""
    return cast("WebhookDelivery | None", WEBHOOKS.deliver(delivery_id, _webhook_attempt, now=now))


def webhooks_deliver_due(
    *, now: dt.datetime | None = None, limit: int = 50, budget: float = 60
) -> dict[str, int]:
    """The periodic deliverer (courseportal.outbox): every due event, at most `limit` of them
    and none claimed after `budget` seconds; how many ended in each state."""
    return WEBHOOKS.deliver_due(_webhook_attempt, now=now, limit=limit, budget=budget)


def _webhook_attempt(delivery: WebhookDelivery) -> Outcome:
    """POST the stored event once; what came of it (courseportal.outbox records it): delivered
    on a 2xx only; refused for good when the target may not be called; otherwise tried again a
    back-off after the claim, and failed after CONVLAB_WEBHOOK_ATTEMPTS attempts."""
    assignment = delivery.submission.assignment
    body = json.dumps(delivery.payload, sort_keys=True).encode()
    status: int | None = None
    error = ""
    refused = False
    if not assignment.webhook_url:
        refused, error = True, "the assignment no longer has a webhook URL"
    else:
        # The URL and secret of now: staff fixing a refused URL expect the next event to use it.
        request = urllib.request.Request(  # noqa: S310 - http(s) only: webhooks.opener()
            assignment.webhook_url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Courseportal-Event": delivery.event,
                "X-Courseportal-Delivery": str(delivery.pk),
                "X-Courseportal-Signature": webhooks.webhook_signature(
                    assignment.webhook_secret, body
                ),
            },
        )
        try:
            with webhooks.opener().open(
                request, timeout=settings.CONVLAB_WEBHOOK_TIMEOUT
            ) as response:
                status = int(response.status)
        except webhooks.WebhookRefused as refusal:
            refused, error = True, str(refusal)
        except urllib.error.HTTPError as answer:
            status, error = answer.code, f"answered {answer.code} {answer.reason}"
            answer.close()
        except ValueError as bad:  # a URL urllib cannot even parse
            refused, error = True, f"{type(bad).__name__}: {bad}"
        except (OSError, http.client.HTTPException) as failure:
            error = f"{type(failure).__name__}: {failure}"
    # Whichever attempt it was, a 2xx means the receiver has the event.
    return Outcome(
        status=status,
        error=storable(error),
        refused=refused,
        delivered=status is not None and 200 <= status < 300,
    )


# --- Assignments as staff set them up (the lab pages; issue #16) -----------------------------

ASSIGNMENT_FIELDS = (
    "title",
    "slug",
    "suite",
    "opens_at",
    "due_at",
    "closes_at",
    "grace_minutes",
    "late_penalty_percent_per_day",
    "max_submissions_per_day",
    "needs_gpu",
    "handout",
    "starter",
    "starter_name",
)
# Page paths under a course's labs/ that a lab's slug may not take.
RESERVED_SLUGS = frozenset({"new", "suites"})


def _assignment_check(assignment: Assignment, *, changed: frozenset[str]) -> None:
    """Every rule of an assignment's settings, each error under the field it is about (the
    form shows it there): the fields' own checks, then the suite, the GPU, the order of the
    times, the slug. The rules between fields are checked only where one of them is among
    `changed`, so that a lab set up otherwise (in the admin) can still be edited."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    try:
        # The fields' own checks only: the webhook (set in the admin, not here) is not
        # resolved again on every edit.
        assignment.clean_fields(exclude=["course", "webhook_url", "webhook_secret"])
    except ValidationError as error:
        errors.update(error.message_dict)
    choices = {choice.slug: choice for choice in selectors.suite_choices(assignment.course_id)}
    suite = choices.get(assignment.suite)
    if suite is None and "suite" in changed:
        known = ", ".join(choices) or "none"
        refuse("suite", f"There is no check suite “{assignment.suite}” (available: {known}).")
    if suite is not None and "suite" in changed:
        # An assignment is never published with a suite that fails its self-test (issue #17).
        failing = suite_self_test_failure(assignment.suite, assignment.course_id)
        if failing:
            refuse("suite", failing)
    if (
        suite is not None
        and assignment.needs_gpu
        and not suite.supports_gpu
        and changed & {"suite", "needs_gpu"}
    ):
        refuse(
            "needs_gpu",
            f"The suite “{suite.title}” uses no GPU package, so a GPU worker would not make it "
            "faster; leave this unticked.",
        )
    opens, due, closes = assignment.opens_at, assignment.due_at, assignment.closes_at
    # Always: the database refuses a due date before the opening (assignment_due_after_open).
    if opens and due and due < opens:
        refuse("due_at", "The due date is before the lab opens.")
    if due and closes and closes < due and changed & {"due_at", "closes_at"}:
        refuse("closes_at", "The closing time is before the due date.")
    if assignment.starter and not assignment.starter_name.lower().endswith(".py"):
        refuse("starter", "The starter file must be Python source ending in .py.")
    if "slug" in changed:
        if assignment.slug in RESERVED_SLUGS:
            refuse("slug", f"“{assignment.slug}” is reserved; choose another.")
        taken = Assignment.objects.filter(course_id=assignment.course_id, slug=assignment.slug)
        if assignment.slug and taken.exclude(pk=assignment.pk).exists():
            refuse(
                "slug",
                f"Another lab of this course already has the short name “{assignment.slug}”.",
            )
    if errors:
        raise ValidationError(errors)


def suite_self_test_failure(slug: str, course_id: int | None = None) -> str:
    """Why the suite ``slug`` may not grade a lab (its self-test's first errors, with file and
    line), or "" when it passes (or is not there: the caller says so in its own words)."""
    tested = selectors.suite_self_test(slug=slug, course_id=course_id)
    if tested is None or tested.ok:
        return ""
    shown = "; ".join(str(problem) for problem in tested.errors[:3])
    more = len(tested.errors) - 3
    return (
        f"The check suite “{slug}” fails its self-test, so it cannot grade this lab: {shown}"
        + (f" (and {more} more)" if more > 0 else "")
        + ". Run `python manage.py check_suite` on it for the whole report."
    )


def _assignment_save(assignment: Assignment) -> None:
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        # Another request took the slug between the check and the save.
        raise ValidationError(
            {"slug": f"Another lab of this course already has the short name “{assignment.slug}”."}
        ) from None


def assignment_create(*, course: Any, **fields: Any) -> Assignment:
    """A new lab of `course` with `fields` (ASSIGNMENT_FIELDS; omitted ones take the model's
    defaults). Raises ValidationError naming each bad field; nothing is saved then."""
    unknown = set(fields) - set(ASSIGNMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown assignment fields: {sorted(unknown)}")
    assignment = Assignment(course=course, **fields)
    _assignment_check(assignment, changed=frozenset(ASSIGNMENT_FIELDS))
    _assignment_save(assignment)
    return assignment


def assignment_update(*, assignment: Assignment, **fields: Any) -> Assignment:
    """Change a lab's settings. Its suite may change only while it has no submission: their
    scores and feedback were made by the old suite's checks. Raises ValidationError naming
    each bad field; nothing is saved then (`assignment` keeps its values)."""
    unknown = set(fields) - set(ASSIGNMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown assignment fields: {sorted(unknown)}")
    with transaction.atomic():
        # The lock keeps two editors from interleaving their checks and saves.
        current = Assignment.objects.select_for_update().get(pk=assignment.pk)
        changed = frozenset(
            name for name, value in fields.items() if getattr(current, name) != value
        )
        for name, value in fields.items():
            setattr(current, name, value)
        errors: dict[str, list[str]] = {}
        if "suite" in changed and selectors.assignment_has_submissions(assignment=current):
            errors["suite"] = [
                "This lab already has submissions, graded by its current suite: its suite can "
                "no longer change. Create a new lab for the other suite."
            ]
        try:
            _assignment_check(current, changed=changed)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                errors.setdefault(field, []).extend(problems)
        if errors:
            raise ValidationError(errors)
        _assignment_save(current)
    return current


def assignment_open_now(*, assignment: Assignment, now: dt.datetime | None = None) -> bool:
    """Open a lab that is not open yet, now: its opening time moves to `now`. False (and no
    change) when it is open already, whoever opened it."""
    now = now or timezone.now()
    if Assignment.objects.filter(pk=assignment.pk, opens_at__gt=now).exists():
        # Its suite file may have changed since the lab was set up: never open it on one that
        # fails its self-test (issue #17). Raises ValidationError under "suite".
        failing = suite_self_test_failure(assignment.suite, assignment.course_id)
        if failing:
            raise ValidationError({"suite": [failing]})
    return bool(Assignment.objects.filter(pk=assignment.pk, opens_at__gt=now).update(opens_at=now))


# --- Uploaded check suites (issues #16 and #17; docs/suites.md, "Uploading a suite"). ----------

SUITE_MAX_BYTES = 128 * 1024


def suite_text_problem(name: str, content: bytes, size: int | None = None) -> str:
    """Why an uploaded file cannot be a suite (not .py, too big, not UTF-8 text, not Python),
    or "". ``size``: the whole file's, when ``content`` may be its start only. Compiles the
    text, never runs it."""
    if not name.lower().endswith(".py"):
        return f"“{name}” is not a .py file: a check suite is a Python source file."
    size = max(size or 0, len(content))
    if size > SUITE_MAX_BYTES:
        return (
            f"“{name}” is {size:,} bytes; a check suite may be {SUITE_MAX_BYTES // 1024} "
            f"KB ({SUITE_MAX_BYTES:,} bytes) at most."
        )
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"“{name}” is not UTF-8 text (byte {error.start}); save it as UTF-8."
    if "\x00" in text:
        return f"“{name}” is a binary file, not Python source text."
    try:
        compile(text, name, "exec", dont_inherit=True)
    except SyntaxError as error:
        return f"“{name}” is not valid Python: line {error.lineno}: {error.msg}."
    return ""


def course_suite_upload(
    *, membership: Membership, filename: str, content: bytes, slug: str = ""
) -> CourseSuite:
    """Keep an instructor's uploaded suite for their course, once it passes the self-test (its
    reference solution graded in the sandbox at full marks, every variant caught, cases
    serialisable). Raises PermissionDenied unless uploads are on and ``membership`` is an
    instructor's; ValidationError naming the field ("suite", "slug") otherwise, with the
    suite's line for a failing self-test. Nothing is kept when it raises."""
    from convlab.grading import selftest
    from convlab.sandbox import bwrap_path

    if not settings.CONVLAB_ALLOW_SUITE_UPLOAD:
        raise PermissionDenied(
            "Uploading check suites is turned off on this server (CONVLAB_ALLOW_SUITE_UPLOAD)."
        )
    if membership.role != Role.INSTRUCTOR:
        raise PermissionDenied("Only the course's instructors upload check suites.")
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1][:100] or "suite.py"
    problem = suite_text_problem(name, content)
    if problem:
        raise ValidationError({"suite": [problem]})
    slug = slugify(slug or name.removesuffix(".py").removesuffix(".PY"))[:50].strip("-")
    if not slug:
        raise ValidationError({"slug": ["Give the suite a short name (letters, digits, -)."]})
    if CourseSuite.objects.filter(course_id=membership.course_id, slug=slug).exists():
        raise ValidationError(
            {"slug": [f"This course already has a suite “{slug}”; upload under another name."]}
        )
    text = content.decode("utf-8")
    filename_shown = f"uploaded/{slug}.py"
    insecure = bool(settings.CONVLAB_SANDBOX_INSECURE)
    if bwrap_path() is None and not insecure:
        raise ValidationError(
            {"suite": ["No sandbox on this server: the suite's reference solution cannot be run."]}
        )
    tested = selftest.self_test_source(text, filename_shown, insecure=insecure)
    if not tested.ok:
        shown = "; ".join(str(problem) for problem in tested.errors[:3])
        more = len(tested.errors) - 3
        raise ValidationError(
            {
                "suite": [
                    f"The suite fails its self-test, so it was not kept: {shown}"
                    + (f" (and {more} more)" if more > 0 else "")
                ]
            }
        )
    suite = load_source(text, filename_shown)
    return CourseSuite.objects.create(
        course_id=membership.course_id,
        slug=slug,
        title=suite.title[:200],
        filename=name,
        source=text,
        sha256=hashlib.sha256(content).hexdigest(),
        supports_gpu=suite.supports_gpu,
        uploaded_by=membership.user,
    )
