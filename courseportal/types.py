"""Request types for the views that only a signed-in user reaches.

`request.user` is typed `User | AnonymousUser`; behind `login_required` (pages) or a permission
class that requires a signed-in caller (every API: `IsAuthenticated` by default, and the course
role permissions), it is a `User`. Annotating such a view's request with these types says so
(django-stubs' documented way); at run time they are Django's and DRF's own request classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest
    from django_htmx.middleware import HtmxDetails
    from rest_framework.request import Request

    class AuthenticatedHttpRequest(HttpRequest):
        user: User
        htmx: HtmxDetails  # HtmxMiddleware sets it on every request (django-htmx's way)

    class AuthenticatedRequest(Request):
        user: User

else:
    from django.http import HttpRequest as AuthenticatedHttpRequest
    from rest_framework.request import Request as AuthenticatedRequest

__all__ = ["AuthenticatedHttpRequest", "AuthenticatedRequest"]
