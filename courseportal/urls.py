from __future__ import annotations

from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from convlab.urls import api_urlpatterns as convlab_api_urlpatterns
from convlab.urls import page_urlpatterns as convlab_page_urlpatterns
from courseportal.courses.login import throttle_login
from courseportal.courses.urls import api_urlpatterns, page_urlpatterns
from courseportal.gradebook.urls import api_urlpatterns as gradebook_api_urlpatterns
from courseportal.gradebook.urls import page_urlpatterns as gradebook_page_urlpatterns
from courseportal.health import healthz
from courseportal.jobs.urls import api_urlpatterns as job_api_urlpatterns
from courseportal.jobs.urls import page_urlpatterns as job_page_urlpatterns
from courseportal.roster.urls import api_urlpatterns as roster_api_urlpatterns
from courseportal.roster.urls import page_urlpatterns as roster_page_urlpatterns
from presentations.urls import api_urlpatterns as presentation_api_urlpatterns
from presentations.urls import page_urlpatterns as presentation_page_urlpatterns
from reviews.urls import api_urlpatterns as review_api_urlpatterns
from reviews.urls import page_urlpatterns as review_page_urlpatterns

# Swagger UI comes from our own static files (drf-spectacular-sidecar) but styles itself inline;
# its own script is served by the split view (no inline <script>). Only this page's policy is
# widened, and only for inline styles.
api_docs = csp_update({"style-src": ["'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/login/", throttle_login(admin.site.login), name="admin-login"),
    path("admin/", admin.site.urls),
    path("accounts/login/", throttle_login(auth_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include(api_urlpatterns)),
    path("api/v1/", include(review_api_urlpatterns)),
    path("api/v1/", include(presentation_api_urlpatterns)),
    path("api/v1/", include(convlab_api_urlpatterns)),
    path("api/v1/", include(roster_api_urlpatterns)),
    path("api/v1/", include(job_api_urlpatterns)),
    path("api/v1/", include(gradebook_api_urlpatterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    *page_urlpatterns,
    *review_page_urlpatterns,
    *presentation_page_urlpatterns,
    *convlab_page_urlpatterns,
    *roster_page_urlpatterns,
    *job_page_urlpatterns,
    *gradebook_page_urlpatterns,
]

handler404 = "courseportal.errors.page_not_found"
handler500 = "courseportal.errors.server_error"
