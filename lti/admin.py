from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from courseportal.admin_history import HistoryAdmin
from lti.models import (
    CourseContext,
    Identity,
    Registration,
    ResourceLink,
    ScoreDelivery,
    ToolKey,
    UsedNonce,
)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """LMS registrations. Those instructors make in their course's pages wait for approval
    here (the "approve" action) before any launch uses them: check that the issuer and client
    id are the LMS's own for that course, and that the URLs are the LMS's."""

    list_display = ["name", "issuer", "client_id", "course", "is_active", "approved_at"]
    list_select_related = ["course"]
    list_filter = ["is_active", ("approved_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "issuer", "client_id"]
    readonly_fields = ["approved_by", "created_by", "created_at"]
    actions = ["approve"]

    @admin.action(description="Approve the selected registrations (launches may use them)")
    def approve(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        done = queryset.filter(approved_at__isnull=True).update(
            approved_at=timezone.now(), approved_by=request.user
        )
        self.message_user(request, f"{done} registration(s) approved.")

    def save_model(self, request: HttpRequest, obj: Registration, form: Any, change: bool) -> None:
        if obj.approved_at is not None and obj.approved_by is None:
            obj.approved_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(CourseContext)
class CourseContextAdmin(admin.ModelAdmin):
    list_display = ["title", "context_id", "deployment_id", "registration", "course"]
    list_filter = ["registration", "course"]
    list_select_related = ["registration", "course"]
    search_fields = ["title", "context_id"]


@admin.register(ResourceLink)
class ResourceLinkAdmin(admin.ModelAdmin):
    list_display = ["title", "resource_link_id", "context", "assignment", "paper"]
    list_filter = ["context__course"]
    list_select_related = ["context__course", "assignment", "paper"]
    search_fields = ["title", "resource_link_id"]


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ["sub", "registration", "user", "last_launch_at"]
    list_filter = ["registration"]
    list_select_related = ["registration", "user"]
    search_fields = ["sub", "user__username", "email"]


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "created_at", "retired_at"]
    search_fields = ["kid"]
    readonly_fields = ["kid", "public_jwk", "created_at"]
    exclude = ["private_pem"]


@admin.register(ScoreDelivery)
class ScoreDeliveryAdmin(HistoryAdmin):
    """Every score sent (or to send) to an LMS gradebook and how its delivery went: *failed*
    (every attempt failed) and *refused* (no AGS any more, or an address that may not be called)
    are the ones to fix in the LMS or its registration."""

    list_display = [
        "id", "submission", "user_id", "score_given", "score_maximum", "state", "attempts",
        "last_status", "next_attempt_at", "delivered_at",
    ]  # fmt: skip
    list_filter = ["state", "link__context__course"]
    list_select_related = ["submission__assignment", "submission__student"]
    search_fields = ["id", "user_id", "submission__student__username", "last_error"]
    date_hierarchy = "created_at"


@admin.register(UsedNonce)
class UsedNonceAdmin(HistoryAdmin):
    """Nonces of accepted launches (a second launch with one is a replay, refused)."""

    list_display = ["nonce", "registration", "used_at"]
    list_select_related = ["registration"]
    search_fields = ["nonce"]
