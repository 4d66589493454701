"""Admin of convlab: assignments, submissions (their grading record read-only), runs, and the
webhook outbox (read-only: staff see what was delivered and what failed)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from convlab.models import (
    Assignment,
    CourseSuite,
    GradingRun,
    PeriodicLease,
    Submission,
    WebhookDelivery,
)
from courseportal.admin_history import HTTPS_LINKS, HistoryAdmin, HistoryInline


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ["title", "course", "suite", "opens_at", "due_at", "needs_gpu"]
    list_filter = ["course", "needs_gpu", "suite"]
    list_select_related = ["course"]
    search_fields = ["title", "slug", "suite", "course__code"]
    date_hierarchy = "due_at"
    autocomplete_fields = ["course"]
    readonly_fields = ["created_at"]


class GradingRunInline(HistoryInline):
    model = GradingRun
    exclude = ["results"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """What was submitted, when, and how it was graded is evidence: read-only here. Scores
    change only by grading again (the regrade button of the submission's page, or the API)."""

    list_display = ["assignment", "student", "attempt", "status", "score", "received_at"]
    list_filter = ["status", "gradable", "use_gpu", "assignment__course", "assignment"]
    list_select_related = ["assignment__course", "student"]
    search_fields = ["student__username", "student__last_name", "sha256", "idempotency_key"]
    date_hierarchy = "received_at"
    readonly_fields = [
        "assignment", "student", "submitted_by", "source", "file", "sha256", "attempt",
        "received_at", "queued_at", "started_at", "finished_at", "task_id", "idempotency_key",
        "raw_score", "score", "max_score", "late_days", "results",
    ]  # fmt: skip
    inlines = [GradingRunInline]


@admin.register(GradingRun)
class GradingRunAdmin(HistoryAdmin):
    """Each attempt a worker made at grading a submission, as it happened."""

    list_display = ["submission", "number", "status", "gradable", "score", "worker", "started_at"]
    list_filter = ["status", "gradable", "submission__assignment"]
    list_select_related = ["submission__assignment__course", "submission__student"]
    search_fields = ["submission__student__username", "task_id", "worker"]
    date_hierarchy = "started_at"


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(HistoryAdmin):
    """Every webhook event and how its delivery went: *failed* (every attempt failed) and
    *refused* (the target may not be called) are the ones to fix at the receiver's end or in
    the assignment's webhook URL."""

    list_display = [
        "id", "submission", "state", "attempts", "last_status", "next_attempt_at", "delivered_at",
    ]  # fmt: skip
    list_filter = ["state", "submission__assignment__course", "submission__assignment"]
    list_select_related = ["submission__assignment__course", "submission__student"]
    search_fields = ["id", "submission__student__username", "last_error"]
    date_hierarchy = "created_at"


@admin.register(PeriodicLease)
class PeriodicLeaseAdmin(HistoryAdmin):
    """Which run of a periodic task (the sweeper, the webhook deliverer) holds the current
    period's lease, and until when: a lease far past its end means no beat is running."""

    list_display = ["name", "holder", "expires_at"]
    search_fields = ["name", "holder"]


@admin.register(CourseSuite)
class CourseSuiteAdmin(admin.ModelAdmin):
    """Check suites instructors uploaded (docs/suites.md). Their text never changes once kept
    (labs that graded with it must keep meaning the same); a site admin may only delete one."""

    list_display = ["slug", "title", "course", "uploaded_by", "uploaded_at"]
    list_filter = ["course"]
    list_select_related = ["course", "uploaded_by"]
    search_fields = ["slug", "title", "filename", "sha256"]
    readonly_fields = [
        "course", "slug", "title", "filename", "source", "sha256", "supports_gpu",
        "uploaded_by", "uploaded_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # uploaded through the course's page, where it is self-tested
