from __future__ import annotations

from django.urls import include, path

from courses import apis, course_settings, views

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
    path("courses/<id:course_id>/staff/", apis.StaffListApi.as_view(), name="api-course-staff"),
    path(
        "courses/<id:course_id>/staff/<id:membership_id>/",
        apis.StaffDetailApi.as_view(),
        name="api-course-staff-detail",
    ),
    path("tokens/", apis.TokenListApi.as_view(), name="api-token-list"),
    path("tokens/<id:token_id>/", apis.TokenDetailApi.as_view(), name="api-token-detail"),
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
    # h16fin: the course settings page (issue #16).
    path(
        "courses/<id:course_id>/settings/",
        course_settings.course_settings,
        name="course-settings",
    ),
    path("courses/<id:course_id>/announcements/", views.announcements, name="announcements"),
    path(
        "courses/<id:course_id>/announcements/<id:announcement_id>/edit/",
        views.announcement_edit,
        name="announcement-edit",
    ),
    path(
        "courses/<id:course_id>/announcements/<id:announcement_id>/delete/",
        views.announcement_delete,
        name="announcement-delete",
    ),
    path("courses/<id:course_id>/people/staff/", views.course_staff, name="course-staff"),
    path(
        "courses/<id:course_id>/people/staff/<id:membership_id>/remove/",
        views.course_staff_remove,
        name="course-staff-remove",
    ),
    path("account/", views.account, name="account"),
]

# Included by courseportal/urls.py: the API under /api/v1/, the pages at the root.
urlpatterns = [path("api/v1/", include(api_urlpatterns)), *page_urlpatterns]
