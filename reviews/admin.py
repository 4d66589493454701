from __future__ import annotations

from django.contrib import admin

from reviews.models import Paper, Review, ReviewRating, ReviewVersion


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "session_date", "review_deadline"]
    list_filter = ["course"]
    search_fields = ["title", "authors"]


class ReviewVersionInline(admin.TabularInline):
    model = ReviewVersion
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in ReviewVersion._meta.fields]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["paper", "author", "rating", "is_late", "edited_after_release", "updated_at"]
    list_filter = ["is_late", "edited_after_release", "paper__course"]
    search_fields = ["author__username", "paper__title"]
    readonly_fields = ["submitted_at", "updated_at", "is_late", "edited_after_release"]
    inlines = [ReviewVersionInline]


@admin.register(ReviewRating)
class ReviewRatingAdmin(admin.ModelAdmin):
    list_display = ["review", "rater", "helpful", "tags", "updated_at"]
    list_filter = ["helpful"]
