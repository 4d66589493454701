from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from convlab.urls import api_urlpatterns as convlab_api_urlpatterns
from convlab.urls import page_urlpatterns as convlab_page_urlpatterns
from courseportal.courses.urls import api_urlpatterns, page_urlpatterns
from courseportal.health import healthz
from presentations.urls import api_urlpatterns as presentation_api_urlpatterns
from presentations.urls import page_urlpatterns as presentation_page_urlpatterns
from reviews.urls import api_urlpatterns as review_api_urlpatterns
from reviews.urls import page_urlpatterns as review_page_urlpatterns

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include(api_urlpatterns)),
    path("api/v1/", include(review_api_urlpatterns)),
    path("api/v1/", include(presentation_api_urlpatterns)),
    path("api/v1/", include(convlab_api_urlpatterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *page_urlpatterns,
    *review_page_urlpatterns,
    *presentation_page_urlpatterns,
    *convlab_page_urlpatterns,
]

handler404 = "courseportal.errors.page_not_found"
handler500 = "courseportal.errors.server_error"
