"""Admin of reviews: papers, reviews with their version history (read-only), ratings."""

from __future__ import annotations

from django.contrib import admin

from courseportal.admin_history import HTTPS_LINKS, HistoryAdmin, HistoryInline
from reviews.models import Paper, Review, ReviewRating, ReviewVersion


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ["title", "course", "session_date", "review_deadline"]
    list_filter = ["course", "session_date"]
    list_select_related = ["course"]
    search_fields = ["title", "authors", "course__code"]
    date_hierarchy = "session_date"
    autocomplete_fields = ["course"]
    readonly_fields = ["created_at"]


class ReviewVersionInline(HistoryInline):
    model = ReviewVersion
    exclude = ["analysis"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = [
        "paper",
        "author",
        "rating",
        "is_late",
        "edited_after_release",
        "revision_status",
        "updated_at",
    ]
    list_filter = ["is_late", "edited_after_release", "revision_status", "rating", "paper__course"]
    list_select_related = ["paper", "author"]
    search_fields = ["author__username", "author__last_name", "paper__title"]
    autocomplete_fields = ["paper", "author"]
    readonly_fields = [
        "submitted_at",
        "updated_at",
        "is_late",
        "edited_after_release",
        "revision_requested_by",
        "revision_requested_at",
        "revised_at",
    ]
    inlines = [ReviewVersionInline]


@admin.register(ReviewVersion)
class ReviewVersionAdmin(HistoryAdmin):
    """What a review said at each save, with the guidance shown then: evidence, not a draft."""

    list_display = ["review", "number", "rating", "after_release", "created_at"]
    list_filter = ["after_release", "review__paper__course"]
    list_select_related = ["review__paper", "review__author"]
    search_fields = ["review__author__username", "review__paper__title", "summary"]
    date_hierarchy = "created_at"


@admin.register(ReviewRating)
class ReviewRatingAdmin(admin.ModelAdmin):
    list_display = ["review", "rater", "helpful", "tags", "updated_at"]
    list_filter = ["helpful", "review__paper__course"]
    list_select_related = ["review__paper", "review__author", "rater"]
    search_fields = ["rater__username", "review__author__username", "review__paper__title"]
    autocomplete_fields = ["review", "rater"]
    readonly_fields = ["created_at", "updated_at"]
