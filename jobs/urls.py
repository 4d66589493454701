from __future__ import annotations

from django.urls import include, path

from jobs import apis, views

api_urlpatterns = [
    path("courses/<id:course_id>/jobs/", apis.JobListApi.as_view(), name="api-job-list"),
    path(
        "courses/<id:course_id>/jobs/<id:job_id>/",
        apis.JobDetailApi.as_view(),
        name="api-job-detail",
    ),
]

page_urlpatterns = [
    path("courses/<id:course_id>/jobs/", views.job_list, name="jobs"),
    path("courses/<id:course_id>/jobs/<id:job_id>/", views.job_page, name="job"),
    path(
        "courses/<id:course_id>/jobs/<id:job_id>/progress/",
        views.job_progress,
        name="job-progress",
    ),
]

# Included by courseportal/urls.py: the API under /api/v1/, the pages at the root.
urlpatterns = [path("api/v1/", include(api_urlpatterns)), *page_urlpatterns]
