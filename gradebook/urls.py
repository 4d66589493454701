from __future__ import annotations

from django.urls import include, path

from gradebook import apis, views

api_urlpatterns = [
    path(
        "courses/<id:course_id>/grades/canvas.csv",
        apis.CanvasExportApi.as_view(),
        name="api-grades-canvas",
    ),
    path(
        "courses/<id:course_id>/grades/gradescope.csv",
        apis.GradescopeExportApi.as_view(),
        name="api-grades-gradescope",
    ),
    path(
        "courses/<id:course_id>/grades/students/<id:student_id>/",
        apis.StudentGradesApi.as_view(),
        name="api-grades-student",
    ),
    path(
        "courses/<id:course_id>/grades/presentations/",
        apis.PresentationGradeListApi.as_view(),
        name="api-grades-presentations",
    ),
    path(
        "courses/<id:course_id>/grades/presentations/<id:group_id>/",
        apis.PresentationGradeDetailApi.as_view(),
        name="api-grades-presentation",
    ),
    path(
        "courses/<id:course_id>/grades/policy/",
        apis.GradePolicyApi.as_view(),
        name="api-grades-policy",
    ),
]

page_urlpatterns = [
    path("courses/<id:course_id>/staff/", views.staff_home, name="staff-home"),
    path("courses/<id:course_id>/panel/", views.course_panel, name="course-panel"),
    path("courses/<id:course_id>/grades/", views.gradebook, name="gradebook"),
    path("courses/<id:course_id>/grades/mine/", views.my_grades, name="my-grades"),
    path("courses/<id:course_id>/grades/<slug:kind>.csv", views.grade_export, name="grade-export"),
    path(
        "courses/<id:course_id>/grades/presentations/",
        views.presentation_grade,
        name="presentation-grade",
    ),
    path(
        "courses/<id:course_id>/grades/students/<id:student_id>/",
        views.student_grades,
        name="student-grades",
    ),
]

# Included by courseportal/urls.py: the API under /api/v1/, the pages at the root.
urlpatterns = [path("api/v1/", include(api_urlpatterns)), *page_urlpatterns]
