"""Error pages that Django answers itself (no view matched, or a view crashed): JSON under /api/,
so that an API client always gets a body naming the problem, and the usual pages elsewhere."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404
from django.views import defaults

API_PREFIX = "/api/"


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not request.path.startswith(API_PREFIX):
        return defaults.page_not_found(request, exception)
    if isinstance(exception, Resolver404):
        return JsonResponse({"detail": f"No API endpoint at {request.path}."}, status=404)
    return JsonResponse({"detail": str(exception) or "Not found."}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Server error; it has been logged."}, status=500)
    return defaults.server_error(request)
