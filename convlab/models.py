from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from courses.models import Course


class Assignment(models.Model):
    """A convlab assignment of a course: which check suite grades it, when, and how strictly."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    slug = models.SlugField(max_length=64)
    title = models.CharField(max_length=200)
    suite = models.CharField(
        max_length=64, help_text='The check suite, e.g. "transposed-convolutions".'
    )
    opens_at = models.DateTimeField()
    due_at = models.DateTimeField()
    # Late submissions are accepted (with the penalty) until this moment; none after it.
    closes_at = models.DateTimeField(null=True, blank=True)
    # Late policy: a grace period, then a penalty per started day late (in percent of the score).
    grace_minutes = models.PositiveIntegerField(default=0)
    late_penalty_percent_per_day = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(100)]
    )
    # Counted over the last 24 hours; gradings that failed for infrastructure reasons don't count.
    max_submissions_per_day = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1)]
    )
    needs_gpu = models.BooleanField(default=False)
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_secret = models.CharField(max_length=128, blank=True)
    # The lab's own handout in Markdown (shown instead of the suite's when not empty), and a
    # starter file uploaded by staff (served instead of the one made from the suite).
    handout = models.TextField(blank=True, max_length=50_000)
    starter = models.TextField(blank=True, max_length=200_000)
    starter_name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "due_at", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="assignment_slug_in_course"),
            models.CheckConstraint(
                condition=models.Q(due_at__gte=models.F("opens_at")),
                name="assignment_due_after_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.code}: {self.title}"

    def clean(self) -> None:
        from convlab.webhooks import check_webhook_url

        check_webhook_url(self.webhook_url)


class SubmissionStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    ERROR = "error", "Not gradable"


FINAL_STATUSES = frozenset({SubmissionStatus.DONE, SubmissionStatus.ERROR})


def submission_path(submission: Submission, filename: str) -> str:
    assignment = submission.assignment
    return f"submissions/{assignment.course_id}/{assignment.slug}/{uuid.uuid4().hex}.py"


class Submission(models.Model):
    """One attempt of a student at an assignment. Its status moves received -> queued ->
    running -> done | error (error: not gradable, the grader's fault, never a zero)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The submitted source (UTF-8 text, at most CONVLAB_MAX_SOURCE_BYTES), in the database so
    # that a worker on any host grades it with nothing local (issue #20). Empty only on rows
    # made before it existed, whose source is still the file below (`Submission.source_text`).
    source = models.TextField(blank=True)
    # Submissions before the source was kept in the database: their file under MEDIA_ROOT.
    file = models.FileField(upload_to=submission_path, blank=True)
    sha256 = models.CharField(max_length=64)
    attempt = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.RECEIVED
    )
    gradable = models.BooleanField(null=True)
    raw_score = models.FloatField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True, help_text="After the late penalty.")
    max_score = models.FloatField(null=True, blank=True)
    late_days = models.PositiveSmallIntegerField(default=0)
    results = models.JSONField(default=dict, blank=True)
    use_gpu = models.BooleanField(default=False)
    # The Celery task id that holds the claim while running; a redelivery of the same task
    # (its worker died) may take the claim over.
    task_id = models.CharField(max_length=64, blank=True)
    # NULL, not "", means "no key": the unique constraint below ignores NULLs.
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001
    received_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student", "attempt"], name="submission_attempt_unique"
            ),
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="submission_idempotency_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "queued_at"]),
            models.Index(fields=["assignment", "student", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.student} #{self.attempt} on {self.assignment}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def source_text(self) -> str:
        """The submitted source: from the database, or, for a row older than that, from its
        file (OSError when the file is gone or this host cannot read it)."""
        if self.source or not self.file:
            return self.source
        with self.file.open("rb") as handle:
            return bytes(handle.read()).decode("utf-8")


class GradingRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    ERROR = "error", "Not gradable"
    # The sweeper gave the submission to another run; a late result of this one is dropped.
    SUPERSEDED = "superseded", "Superseded"


class GradingRun(models.Model):
    """Every grading of a submission, kept: a regrade never erases an earlier result."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="runs")
    number = models.PositiveIntegerField()
    task_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    # running, then done | error | superseded
    status = models.CharField(
        max_length=16, choices=GradingRunStatus.choices, default=GradingRunStatus.RUNNING
    )
    gradable = models.BooleanField(null=True)
    score = models.FloatField(null=True, blank=True)
    results = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="grading_run_unique")
        ]

    def __str__(self) -> str:
        return f"run {self.number} of {self.submission}"


class WebhookState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    # Every attempt failed (CONVLAB_WEBHOOK_ATTEMPTS of them, backing off).
    FAILED = "failed", "Failed"
    # The target may not be called (a private address, a redirect, not http(s)): never retried.
    REFUSED = "refused", "Refused"


class WebhookDelivery(models.Model):
    """The outbox: one webhook event of a finished grading, written in the transaction that
    records the grading's final state, and delivered later by whichever worker claims it.

    Its id goes out with every attempt (header and body), so that a receiver counts an event
    once however many times it arrives; the payload is what was true when the grading finished.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    event = models.CharField(max_length=64, default="submission.finished")
    payload = models.JSONField()
    state = models.CharField(
        max_length=16, choices=WebhookState.choices, default=WebhookState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    # When a deliverer may next claim it; a claim pushes it past the attempt's end (a lease),
    # so that a deliverer that dies mid-attempt only delays the next one.
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} of submission {self.submission_id} ({self.state})"


class PeriodicLease(models.Model):
    """Who runs a periodic task's work for the current period: two `celery beat` processes
    started by mistake each send it, and only the run that takes the lease does the work. The
    lease expires by itself, so that losing its holder stops the work for one period at most."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at:%H:%M:%S}"


class CourseSuite(models.Model):
    """A check suite an instructor uploaded for their course's labs (docs/suites.md, "Uploading
    a suite"). Its text is kept here and never changes; a lab names it as ``uploaded:<slug>``.
    Only used while the server allows suite uploads (``CONVLAB_ALLOW_SUITE_UPLOAD``)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="suites")
    slug = models.SlugField(max_length=50)
    title = models.CharField(max_length=200)
    filename = models.CharField(max_length=100)
    source = models.TextField()
    sha256 = models.CharField(max_length=64)
    supports_gpu = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="course_suite_slug_in_course")
        ]

    def __str__(self) -> str:
        return f"{self.course.code}: suite {self.slug}"

    @property
    def reference(self) -> str:
        """How a lab's ``suite`` names it."""
        return f"{UPLOADED_PREFIX}{self.slug}"


UPLOADED_PREFIX = "uploaded:"
