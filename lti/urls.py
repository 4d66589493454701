from django.urls import path

from lti import views

urlpatterns = [
    path("lti/login/", views.oidc_login, name="lti-login"),
    path("lti/launch/", views.launch, name="lti-launch"),
    path("lti/jwks/", views.jwks, name="lti-jwks"),
    path("lti/deep-link/", views.deep_link, name="lti-deep-link"),
    path("courses/<id:course_id>/lti/", views.registrations, name="lti-registrations"),
    path(
        "courses/<id:course_id>/lti/<id:registration_id>/",
        views.registration_edit,
        name="lti-registration-edit",
    ),
]
