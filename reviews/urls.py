from __future__ import annotations

from django.urls import include, path

from reviews import apis, views

api_urlpatterns = [
    path("reviews/analyze/", apis.ReviewAnalyzeApi.as_view(), name="api-review-analyze"),
    path("courses/<id:course_id>/papers/", apis.PaperListApi.as_view(), name="api-paper-list"),
    path(
        "courses/<id:course_id>/papers/<id:paper_id>/",
        apis.PaperDetailApi.as_view(),
        name="api-paper-detail",
    ),
    path(
        "courses/<id:course_id>/papers/<id:paper_id>/reviews/",
        apis.PaperReviewListApi.as_view(),
        name="api-paper-reviews",
    ),
    path(
        "courses/<id:course_id>/reviews/<id:review_id>/",
        apis.ReviewDetailApi.as_view(),
        name="api-review-detail",
    ),
    path(
        "courses/<id:course_id>/reviews/<id:review_id>/versions/",
        apis.ReviewVersionListApi.as_view(),
        name="api-review-versions",
    ),
    path(
        "courses/<id:course_id>/reviews/<id:review_id>/rating/",
        apis.ReviewRatingApi.as_view(),
        name="api-review-rating",
    ),
    path(
        "courses/<id:course_id>/reviews/<id:review_id>/tags/",
        apis.ReviewTagsApi.as_view(),
        name="api-review-tags",
    ),
    path(
        "courses/<id:course_id>/reviews/<id:review_id>/revision/",
        apis.ReviewRevisionApi.as_view(),
        name="api-review-revision",
    ),
    path(
        "courses/<id:course_id>/review-tags/",
        apis.CourseTagsApi.as_view(),
        name="api-review-tags-course",
    ),
]

page_urlpatterns = [
    path("courses/<id:course_id>/papers/", views.paper_list, name="paper-list"),
    path("courses/<id:course_id>/papers/<id:paper_id>/", views.paper_detail, name="paper-detail"),
    # Staff pages for papers (TAs and instructors).
    path("courses/<id:course_id>/papers/add/", views.paper_add, name="paper-add"),
    path("courses/<id:course_id>/papers/import/", views.paper_import, name="paper-import"),
    path("courses/<id:course_id>/papers/<id:paper_id>/edit/", views.paper_edit, name="paper-edit"),
    path(
        "courses/<id:course_id>/papers/<id:paper_id>/remove/",
        views.paper_delete,
        name="paper-delete",
    ),
    path(
        "courses/<id:course_id>/papers/<id:paper_id>/release/",
        views.paper_release,
        name="paper-release",
    ),
    path(
        "courses/<id:course_id>/papers/<id:paper_id>/review/",
        views.review_edit,
        name="review-edit",
    ),
    path("courses/<id:course_id>/guidance/", views.review_guidance, name="review-guidance"),
    path(
        "courses/<id:course_id>/reviews/<id:review_id>/rate/", views.review_rate, name="review-rate"
    ),
    path(
        "courses/<id:course_id>/reviews/dashboard/", views.review_dashboard, name="review-dashboard"
    ),
    path(
        "courses/<id:course_id>/reviews/<id:review_id>/revision/",
        views.review_request_revision,
        name="review-revision",
    ),
    path("courses/<id:course_id>/reviews/export.csv", views.review_export, name="review-export"),
]

# Included by courseportal/urls.py: the API under /api/v1/, the pages at the root.
urlpatterns = [path("api/v1/", include(api_urlpatterns)), *page_urlpatterns]
