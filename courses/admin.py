"""Admin of the course core: courses with their calendar and members, tokens without secrets."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from courses.models import (
    Announcement,
    ApiToken,
    CalendarException,
    Course,
    Membership,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 0
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "term", "first_day", "last_day", "time_zone", "archived"]
    list_filter = ["archived", "term", "time_zone"]
    search_fields = ["code", "title", "term"]
    date_hierarchy = "first_day"
    readonly_fields = ["created_at"]
    inlines = [CalendarExceptionInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", "course"]
    list_select_related = ["user", "course"]
    search_fields = ["user__username", "user__email", "user__last_name", "course__code"]
    autocomplete_fields = ["user", "course"]
    readonly_fields = ["created_at"]


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ["date", "course", "kind", "reason", "title"]
    list_filter = ["kind", "reason", "course"]
    list_select_related = ["course"]
    search_fields = ["title", "course__code"]
    date_hierarchy = "date"
    autocomplete_fields = ["course"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "pinned", "author", "created_at"]
    list_filter = ["pinned", "course"]
    list_select_related = ["course", "author"]
    search_fields = ["title", "body", "course__code"]
    autocomplete_fields = ["course", "author"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Only a hash of each key is stored: the admin shows and revokes tokens, never makes one
    (a key is shown once, to its owner, on the /account/ page or from the API)."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created_at"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "name", "prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
