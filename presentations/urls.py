from __future__ import annotations

from django.conf import settings
from django.urls import include, path

from courseportal.limits import body_limit
from presentations import apis, views

# A PDF larger than SLIDES_MAX_MB is refused before it is read.
slides_limit = body_limit(lambda: settings.SLIDES_MAX_BYTES, field="slides_file")

api_urlpatterns = [
    path("courses/<id:course_id>/groups/", apis.GroupListApi.as_view(), name="api-group-list"),
    path(
        "courses/<id:course_id>/groups/<id:group_id>/",
        apis.GroupDetailApi.as_view(),
        name="api-group-detail",
    ),
    path(
        "courses/<id:course_id>/groups/<id:group_id>/slides/",
        slides_limit(apis.SlidesApi.as_view()),
        name="api-group-slides",
    ),
    path(
        "courses/<id:course_id>/schedules/",
        apis.ScheduleListApi.as_view(),
        name="api-schedule-list",
    ),
    path(
        "courses/<id:course_id>/schedules/<id:schedule_id>/",
        apis.ScheduleDetailApi.as_view(),
        name="api-schedule-detail",
    ),
    path(
        "courses/<id:course_id>/schedules/<id:schedule_id>/publish/",
        apis.SchedulePublishApi.as_view(),
        name="api-schedule-publish",
    ),
    path(
        "courses/<id:course_id>/schedule-changes/",
        apis.ChangeLogApi.as_view(),
        name="api-schedule-changes",
    ),
    path(
        "courses/<id:course_id>/invitations/",
        apis.InvitationListApi.as_view(),
        name="api-invitation-list",
    ),
    *[
        path(
            f"courses/<id:course_id>/invitations/<id:invitation_id>/{decision}/",
            apis.InvitationDecisionApi.as_view(decision=decision),
            name=f"api-invitation-{decision}",
        )
        for decision in ("accept", "decline", "withdraw")
    ],
    path("courses/<id:course_id>/swaps/", apis.SwapListApi.as_view(), name="api-swap-list"),
    *[
        path(
            f"courses/<id:course_id>/swaps/<id:swap_id>/{decision}/",
            apis.SwapDecisionApi.as_view(decision=decision),
            name=f"api-swap-{decision}",
        )
        for decision in ("accept", "approve", "reject")
    ],
]

page_urlpatterns = [
    path("courses/<id:course_id>/presentations/", views.schedule_page, name="presentations"),
    path(
        "courses/<id:course_id>/presentations/group/",
        views.group_page,
        name="presentations-group",
    ),
    path(
        "courses/<id:course_id>/presentations/group/preferences/",
        views.group_preferences,
        name="presentations-preferences",
    ),
    path(
        "courses/<id:course_id>/presentations/group/slides/",
        slides_limit(views.group_slides),
        name="presentations-slides",
    ),
    path(
        "courses/<id:course_id>/presentations/groups/<id:group_id>/slides.pdf",
        views.group_slides_file,
        name="presentations-slides-file",
    ),
    path(
        "courses/<id:course_id>/presentations/group/start/",
        views.group_start,
        name="presentations-group-start",
    ),
    path(
        "courses/<id:course_id>/presentations/invitations/",
        views.invitation_send,
        name="presentations-invite",
    ),
    path(
        "courses/<id:course_id>/presentations/invitations/<id:invitation_id>/<str:decision>/",
        views.invitation_decide,
        name="presentations-invitation-decide",
    ),
    path(
        "courses/<id:course_id>/presentations/swaps/",
        views.swap_create,
        name="presentations-swap",
    ),
    path(
        "courses/<id:course_id>/presentations/swaps/<id:swap_id>/<str:decision>/",
        views.swap_decide,
        name="presentations-swap-decide",
    ),
    path(
        "courses/<id:course_id>/presentations/manage/",
        views.manage_page,
        name="presentations-manage",
    ),
    # Issue #18 (branch h18core): publish with a diff, start over, decisions, repair, window.
    path(
        "courses/<id:course_id>/presentations/manage/publish/review/",
        views.publish_preview,
        name="presentations-publish-preview",
    ),
    path(
        "courses/<id:course_id>/presentations/manage/start-over/",
        views.start_over,
        name="presentations-start-over",
    ),
    path(
        "courses/<id:course_id>/presentations/manage/decisions/<id:issue_id>/",
        views.issue_resolve_view,
        name="presentations-issue-resolve",
    ),
    path(
        "courses/<id:course_id>/presentations/manage/repair/",
        views.drift_repair_view,
        name="presentations-repair",
    ),
    path(
        "courses/<id:course_id>/presentations/manage/window/",
        views.window_set,
        name="presentations-window",
    ),
    path(
        "courses/<id:course_id>/presentations/manage/<str:action>/",
        views.manage_action,
        name="presentations-manage-action",
    ),
    path(
        "courses/<id:course_id>/presentations/groups/",
        views.groups_page,
        name="presentations-groups",
    ),
    path(
        "courses/<id:course_id>/presentations/groups/<id:group_id>/edit/",
        views.group_edit,
        name="presentations-group-edit",
    ),
    path(
        "courses/<id:course_id>/presentations/groups/<id:group_id>/delete/",
        views.group_delete_page,
        name="presentations-group-delete",
    ),
    path(
        "courses/<id:course_id>/presentations/schedule.csv",
        views.schedule_csv,
        name="presentations-csv",
    ),
    path("courses/<id:course_id>/calendar.ics", views.course_ics, name="course-ics"),
    path(
        "courses/<id:course_id>/presentations/feed/rotate/",
        views.feed_rotate,
        name="presentations-feed-rotate",
    ),
    path("feeds/<str:key>/courses/<id:course_id>.ics", views.feed_course, name="feed-course"),
    path("feeds/<str:key>/mine.ics", views.feed_mine, name="feed-mine"),
]

# Included by courseportal/urls.py: the API under /api/v1/, the pages at the root.
urlpatterns = [path("api/v1/", include(api_urlpatterns)), *page_urlpatterns]
