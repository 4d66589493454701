from __future__ import annotations

from django.urls import path, register_converter

from courseportal.courses import apis, views


class IdConverter:
    """A database id: at most 18 digits, so that no id in a URL overflows a 64-bit column."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

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
]
