from __future__ import annotations

from django.conf import settings
from django.urls import include, path

from convlab import apis, views
from courseportal.limits import body_limit

# An upload larger than a source may be is refused before it is read (courseportal/limits.py).
source_limit = body_limit(lambda: settings.CONVLAB_MAX_SOURCE_BYTES, field="file")

api_urlpatterns = [
    path(
        "courses/<id:course_id>/assignments/",
        apis.AssignmentListApi.as_view(),
        name="api-assignment-list",
    ),
    path(
        "courses/<id:course_id>/assignments/<slug:slug>/submissions/",
        source_limit(apis.SubmissionListApi.as_view()),
        name="api-submission-list",
    ),
    path(
        "courses/<id:course_id>/assignments/<slug:slug>/regrade/",
        apis.AssignmentRegradeApi.as_view(),
        name="api-assignment-regrade",
    ),
    path(
        "submissions/<id:submission_id>/",
        apis.SubmissionDetailApi.as_view(),
        name="api-submission-detail",
    ),
    path(
        "submissions/<id:submission_id>/results.json",
        apis.SubmissionResultsApi.as_view(),
        name="api-submission-results",
    ),
    path(
        "submissions/<id:submission_id>/regrade/",
        apis.SubmissionRegradeApi.as_view(),
        name="api-submission-regrade",
    ),
]

page_urlpatterns = [
    path("courses/<id:course_id>/labs/", views.assignment_list, name="labs"),
    # Before the lab's own page: "new" and "suites" are not labs' slugs (services.RESERVED_SLUGS).
    path("courses/<id:course_id>/labs/new/", views.assignment_create, name="lab-create"),
    path("courses/<id:course_id>/labs/suites/", views.suite_upload, name="lab-suites"),
    path("courses/<id:course_id>/labs/<slug:slug>/edit/", views.assignment_edit, name="lab-edit"),
    path("courses/<id:course_id>/labs/<slug:slug>/open/", views.assignment_open, name="lab-open"),
    path(
        "courses/<id:course_id>/labs/<slug:slug>/",
        source_limit(views.assignment_page),
        name="lab-assignment",
    ),
    path(
        "courses/<id:course_id>/labs/<slug:slug>/starter.py",
        views.assignment_starter,
        name="lab-starter",
    ),
    path(
        "courses/<id:course_id>/labs/<slug:slug>/regrade/",
        views.assignment_regrade,
        name="lab-regrade",
    ),
    path("submissions/<id:submission_id>/", views.submission_page, name="submission"),
    path(
        "submissions/<id:submission_id>/source.py",
        views.submission_source,
        name="submission-source",
    ),
    path(
        "submissions/<id:submission_id>/status/",
        views.submission_status,
        name="submission-status",
    ),
    path(
        "submissions/<id:submission_id>/regrade/",
        views.submission_regrade,
        name="submission-regrade",
    ),
]

# Included by courseportal/urls.py: the API under /api/v1/, the pages at the root.
urlpatterns = [path("api/v1/", include(api_urlpatterns)), *page_urlpatterns]
