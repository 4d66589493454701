from __future__ import annotations

from django.contrib import admin

from convlab.models import Assignment, GradingRun, Submission


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "suite", "opens_at", "due_at", "needs_gpu"]
    list_filter = ["course", "needs_gpu"]
    search_fields = ["title", "slug", "suite"]


class GradingRunInline(admin.TabularInline):
    model = GradingRun
    extra = 0
    can_delete = False
    readonly_fields = [
        "number", "task_id", "worker", "status", "gradable", "score", "error", "started_at",
        "finished_at",
    ]  # fmt: skip
    exclude = ["results"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["assignment", "student", "attempt", "status", "score", "received_at"]
    list_filter = ["status", "gradable", "assignment__course", "assignment"]
    search_fields = ["student__username", "sha256"]
    readonly_fields = [
        "sha256", "attempt", "received_at", "queued_at", "started_at", "finished_at", "task_id",
        "idempotency_key", "raw_score", "score", "results",
    ]  # fmt: skip
    inlines = [GradingRunInline]
