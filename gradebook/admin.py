"""Admin of the gradebook: each course's grading policy and the staff-entered presentation
scores. Everything else in a grade is read from the app that records it (convlab, reviews)."""

from __future__ import annotations

from django.contrib import admin

from gradebook.models import GradePolicy, PresentationGrade


@admin.register(GradePolicy)
class GradePolicyAdmin(admin.ModelAdmin):
    list_display = [
        "course", "review_points", "late_review_fraction", "presentation_points", "updated_at"
    ]  # fmt: skip
    list_filter = ["course__term"]
    list_select_related = ["course"]
    search_fields = ["course__code", "course__title", "course__term"]
    autocomplete_fields = ["course"]
    readonly_fields = ["updated_at"]


@admin.register(PresentationGrade)
class PresentationGradeAdmin(admin.ModelAdmin):
    list_display = ["group", "course", "score", "graded_by", "updated_at"]
    list_filter = ["course"]
    list_select_related = ["group", "course", "graded_by"]
    search_fields = ["group__name", "group__topic", "course__code", "comment"]
    autocomplete_fields = ["course", "group", "graded_by"]
    readonly_fields = ["updated_at"]
