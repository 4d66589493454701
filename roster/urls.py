from __future__ import annotations

from django.urls import include, path

from courseportal.limits import body_limit
from roster import apis, views
from roster.parsing import MAX_BYTES

# A roster file larger than the parser takes is refused before it is read.
roster_limit = body_limit(MAX_BYTES, field="file")

api_urlpatterns = [
    path(
        "courses/<id:course_id>/roster/preview/",
        roster_limit(apis.RosterPreviewApi.as_view()),
        name="api-roster-preview",
    ),
    path(
        "courses/<id:course_id>/roster/apply/",
        roster_limit(apis.RosterApplyApi.as_view()),
        name="api-roster-apply",
    ),
]

page_urlpatterns = [
    path("courses/<id:course_id>/roster/", roster_limit(views.roster_page), name="roster"),
    path("courses/<id:course_id>/roster/apply/", views.roster_apply, name="roster-apply"),
    path(
        "accounts/set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="set-password",
    ),
]

# Included by courseportal/urls.py: the API under /api/v1/, the pages at the root.
urlpatterns = [path("api/v1/", include(api_urlpatterns)), *page_urlpatterns]
