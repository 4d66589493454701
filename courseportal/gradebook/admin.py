from __future__ import annotations

from django.contrib import admin

from courseportal.gradebook.models import GradePolicy, PresentationGrade


@admin.register(GradePolicy)
class GradePolicyAdmin(admin.ModelAdmin):
    list_display = ["course", "review_points", "late_review_fraction", "presentation_points"]


@admin.register(PresentationGrade)
class PresentationGradeAdmin(admin.ModelAdmin):
    list_display = ["group", "course", "score", "graded_by", "updated_at"]
    list_filter = ["course"]
