"""Admin of jobs: a record of the long staff actions the workers ran, read-only.

A job's progress, result and times are written by the worker that ran it; an edit in the admin
would make the record disagree with what happened (a roster applied, a batch regraded).
"""

from __future__ import annotations

from django.contrib import admin

from courseportal.admin_history import HistoryAdmin
from jobs.models import Job


@admin.register(Job)
class JobAdmin(HistoryAdmin):
    list_display = ["__str__", "course", "kind", "status", "created_by", "created_at"]
    list_filter = ["status", "kind", "course"]
    list_select_related = ["course", "created_by"]
    search_fields = ["kind", "message", "task_id", "course__code", "created_by__username"]
    date_hierarchy = "created_at"
