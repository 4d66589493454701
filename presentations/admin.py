from __future__ import annotations

from django.contrib import admin

from presentations.models import (
    CalendarFeed,
    GroupMember,
    PresentationSchedule,
    PresenterGroup,
    ScheduleChange,
    Slot,
    SwapRequest,
)


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(PresenterGroup)
class PresenterGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "course", "topic", "fixed_date", "slides_updated_at"]
    list_filter = ["course"]
    search_fields = ["name", "topic", "members__user__username"]
    inlines = [GroupMemberInline]


class SlotInline(admin.TabularInline):
    model = Slot
    extra = 0


@admin.register(PresentationSchedule)
class PresentationScheduleAdmin(admin.ModelAdmin):
    list_display = ["course", "version", "status", "total_cost", "created_at", "published_at"]
    list_filter = ["status", "course"]
    inlines = [SlotInline]


@admin.register(SwapRequest)
class SwapRequestAdmin(admin.ModelAdmin):
    list_display = ["from_group", "to_group", "status", "created_at", "decided_at"]
    list_filter = ["status", "course"]


@admin.register(ScheduleChange)
class ScheduleChangeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "course", "kind", "message", "actor"]
    list_filter = ["kind", "course"]
    readonly_fields = ["course", "schedule", "kind", "message", "moves", "actor", "created_at"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    readonly_fields = ["key", "created_at"]
