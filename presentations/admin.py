"""Admin of presentations: groups, invitations, schedules with their slots, swaps, the change
log (read-only) and calendar feeds (their secret keys read-only)."""

from __future__ import annotations

from django.contrib import admin

from courseportal.admin_history import HTTPS_LINKS, HistoryAdmin
from presentations.models import (
    CalendarFeed,
    ExtraSeats,
    GroupInvitation,
    GroupMember,
    PresentationSchedule,
    PresenterGroup,
    ScheduleChange,
    ScheduleIssue,
    Slot,
    SwapRequest,
)


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    extra = 0
    autocomplete_fields = ["user", "course"]


@admin.register(PresenterGroup)
class PresenterGroupAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ["name", "course", "topic", "fixed_date", "slides_updated_at"]
    list_filter = ["course", ("fixed_date", admin.EmptyFieldListFilter)]
    list_select_related = ["course"]
    search_fields = ["name", "topic", "members__user__username"]
    autocomplete_fields = ["course"]
    readonly_fields = ["slides_updated_at", "created_at"]
    inlines = [GroupMemberInline]


@admin.register(GroupMember)
class GroupMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "course"]
    list_filter = ["course"]
    list_select_related = ["user", "group", "course"]
    search_fields = ["user__username", "user__last_name", "group__name"]
    autocomplete_fields = ["user", "group", "course"]


class SlotInline(admin.TabularInline):
    model = Slot
    extra = 0
    autocomplete_fields = ["group"]


@admin.register(PresentationSchedule)
class PresentationScheduleAdmin(admin.ModelAdmin):
    list_display = ["course", "version", "status", "total_cost", "created_at", "published_at"]
    list_filter = ["status", "course"]
    list_select_related = ["course"]
    search_fields = ["course__code", "course__term"]
    readonly_fields = ["version", "created_by", "created_at", "published_at"]
    inlines = [SlotInline]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["date", "order", "group", "schedule", "choice", "cost"]
    list_filter = ["schedule__status", "schedule__course"]
    list_select_related = ["group", "schedule__course"]
    search_fields = ["group__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["group", "schedule"]


@admin.register(SwapRequest)
class SwapRequestAdmin(admin.ModelAdmin):
    list_display = ["from_group", "to_group", "status", "created_at", "decided_at"]
    list_filter = ["status", "course"]
    list_select_related = ["from_group", "to_group"]
    search_fields = ["from_group__name", "to_group__name", "requested_by__username"]
    autocomplete_fields = ["course", "from_group", "to_group", "requested_by", "decided_by"]
    readonly_fields = ["created_at", "decided_at"]


@admin.register(GroupInvitation)
class GroupInvitationAdmin(admin.ModelAdmin):
    list_display = ["invitee", "group", "invited_by", "status", "created_at", "decided_at"]
    list_filter = ["status", "course"]
    list_select_related = ["invitee", "group", "invited_by"]
    search_fields = ["group__name", "invitee__username", "invited_by__username"]
    autocomplete_fields = ["course", "group", "invitee", "invited_by"]
    readonly_fields = ["created_at", "decided_at"]


@admin.register(ScheduleChange)
class ScheduleChangeAdmin(HistoryAdmin):
    """The schedule's log: who moved which group when. Read-only, like any audit trail."""

    list_display = ["created_at", "course", "kind", "message", "actor"]
    list_filter = ["kind", "course"]
    list_select_related = ["course", "actor"]
    search_fields = ["message", "actor__username"]
    date_hierarchy = "created_at"


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["key", "created_at"]


@admin.register(ScheduleIssue)
class ScheduleIssueAdmin(admin.ModelAdmin):
    """What the published schedule owes a staff decision (issue #18)."""

    list_display = ["created_at", "course", "group", "kind", "date", "resolved_at"]
    list_filter = ["kind", "course"]
    list_select_related = ["course", "group"]
    search_fields = ["message", "group__name"]
    autocomplete_fields = ["course", "group", "resolved_by"]
    readonly_fields = ["created_at"]


@admin.register(ExtraSeats)
class ExtraSeatsAdmin(admin.ModelAdmin):
    list_display = ["date", "course", "seats"]
    list_filter = ["course"]
    list_select_related = ["course"]
    search_fields = ["course__code"]
    autocomplete_fields = ["course"]
