"""Admin building blocks the apps share. Mostly for records that are history: shown, never
edited in the admin.

Review versions, schedule changes and grading runs record what happened; an edit would make
the record lie (a grade dispute, a student's "I submitted before the deadline"). They stay
deletable, so that deleting a course, a review or a submission can take its history with it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Model
from django.http import HttpRequest

# Links typed without a scheme are https ones (Django 6's default, chosen now).
HTTPS_LINKS: dict[type[models.Field], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


class HistoryAdmin(admin.ModelAdmin):
    """Every field read-only, no "add": the change page becomes a view page."""

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class HistoryInline(admin.TabularInline):
    """The same for history shown inside its parent's page."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
