from __future__ import annotations

from django.contrib import admin

from courseportal.courses.models import (
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


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "term", "first_day", "last_day", "time_zone"]
    search_fields = ["code", "title", "term"]
    inlines = [CalendarExceptionInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", "course"]
    search_fields = ["user__username", "user__email", "course__code"]
    autocomplete_fields = ["user"]


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ["date", "course", "kind", "reason", "title"]
    list_filter = ["kind", "course"]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "pinned", "author", "created_at"]
    list_filter = ["course", "pinned"]
    search_fields = ["title", "body"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
