from __future__ import annotations

from django.urls import path

from courseportal.jobs import apis, views

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
