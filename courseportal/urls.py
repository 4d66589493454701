from __future__ import annotations

from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from courseportal.health import HealthReadyApi, healthz
from courseportal.login import AccountPasswordResetForm, throttle_login, throttle_password_reset

# Swagger UI comes from our own static files (drf-spectacular-sidecar) but styles itself inline;
# its own script is served by the split view (no inline <script>). Only this page's policy is
# widened, and only for inline styles.
api_docs = csp_update({"style-src": ["'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("healthz/ready", HealthReadyApi.as_view(), name="healthz-ready"),
    path("admin/login/", throttle_login(admin.site.login), name="admin-login"),
    path("admin/", admin.site.urls),
    path("accounts/login/", throttle_login(auth_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # "Forgot your password?": Django's views and names, with our templates.
    path(
        "accounts/password-reset/",
        throttle_password_reset(
            auth_views.PasswordResetView.as_view(
                form_class=AccountPasswordResetForm,
                subject_template_name="registration/password_reset_subject.txt",
                email_template_name="registration/password_reset_email.txt",
            )
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    # Each app brings its own URLs (its API under /api/v1/, its pages), from the course core up
    # to the aggregators; named by string so that the shell imports none of them.
    path("", include("courses.urls")),
    path("", include("reviews.urls")),
    path("", include("presentations.urls")),
    path("", include("convlab.urls")),
    path("", include("roster.urls")),
    path("", include("jobs.urls")),
    path("", include("gradebook.urls")),
    path("", include("lti.urls")),
]

handler400 = "courseportal.errors.bad_request"
handler403 = "courseportal.errors.permission_denied"
handler404 = "courseportal.errors.page_not_found"
handler500 = "courseportal.errors.server_error"
