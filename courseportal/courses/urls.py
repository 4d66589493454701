from __future__ import annotations

from django.urls import path

from courseportal.courses import apis, views

api_urlpatterns = [
    path("courses/", apis.CourseListApi.as_view(), name="api-course-list"),
    path("courses/<id:course_id>/", apis.CourseDetailApi.as_view(), name="api-course-detail"),
    path(
        "courses/<id:course_id>/sessions/",
        apis.CourseSessionListApi.as_view(),
        name="api-course-sessions",
    ),
    path(
        "courses/<id:course_id>/exceptions/",
        apis.CalendarExceptionListApi.as_view(),
        name="api-exception-list",
    ),
    path(
        "courses/<id:course_id>/exceptions/<id:exception_id>/",
        apis.CalendarExceptionDetailApi.as_view(),
        name="api-exception-detail",
    ),
    path(
        "courses/<id:course_id>/announcements/",
        apis.AnnouncementListApi.as_view(),
        name="api-announcement-list",
    ),
    path(
        "courses/<id:course_id>/announcements/<id:announcement_id>/",
        apis.AnnouncementDetailApi.as_view(),
        name="api-announcement-detail",
    ),
]

page_urlpatterns = [
    path("", views.home, name="home"),
    path("courses/<id:course_id>/", views.course_home, name="course-home"),
    path("courses/<id:course_id>/calendar/", views.course_calendar, name="course-calendar"),
    path(
        "courses/<id:course_id>/calendar/exceptions/<id:exception_id>/delete/",
        views.course_calendar_exception_delete,
        name="course-calendar-exception-delete",
    ),
]
