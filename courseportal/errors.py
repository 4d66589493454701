"""Error answers: the pages Django answers itself (bad request, forbidden, no view matched, a
view crashed, a body too large) as JSON under /api/, so that an API client always gets a body
naming the problem, and the usual pages elsewhere; and DRF's exception handler, which answers
a service's ValidationError as a 400 and what Django raises while reading a body as JSON."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"


class RequestTooLarge(Exception):
    """A file part passed its limit while the body was read (courseportal/limits.py)."""

    def __init__(self, field: str, max_bytes: int) -> None:
        super().__init__(f"{field}: larger than {max_bytes} bytes")
        self.field = field
        self.max_bytes = max_bytes


def size_text(n: int) -> str:
    """256 KiB, 20 MiB, 2.5 MiB."""
    if n >= 2**20:
        return f"{n / 2**20:.1f}".removesuffix(".0") + " MiB"
    if n >= 1024:
        return f"{n / 1024:.1f}".removesuffix(".0") + " KiB"
    return f"{n} bytes"


def _too_large_body(field: str | None, max_bytes: int) -> tuple[str, dict[str, Any]]:
    """The problem in words, and the JSON body: `detail`, and the field's error as a 400 for
    that field would name it."""
    if field is None:
        problem = f"the request body is larger than {size_text(max_bytes)}"
        return problem, {"detail": f"Request body too large: {problem}."}
    problem = f"the {field.replace('_', ' ')} is larger than {size_text(max_bytes)}"
    detail = f"Request body too large: {field} takes at most {size_text(max_bytes)}."
    return problem, {"detail": detail, field: [problem]}


def request_too_large(request: HttpRequest, *, field: str | None, max_bytes: int) -> HttpResponse:
    """413 naming the field (None: the body as a whole) and the limit: JSON under /api/, a
    page elsewhere."""
    problem, body = _too_large_body(field, max_bytes)
    if request.path.startswith(API_PREFIX):
        return JsonResponse(body, status=413)
    return render(request, "413.html", {"problem": problem}, status=413)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 (a SuspiciousOperation: a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many
    fields, a bad Host header): JSON under /api/, and 413 for a body too large."""
    if not request.path.startswith(API_PREFIX):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(
            request, field=None, max_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
    return JsonResponse({"detail": f"Bad request: {_suspicious_reason(exception)}"}, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not request.path.startswith(API_PREFIX):
        return defaults.permission_denied(request, exception)
    return JsonResponse({"detail": str(exception) or "Permission denied."}, status=403)


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


def _suspicious_reason(exception: Exception) -> str:
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return str(exception)  # Django's own words name the setting, nothing private
    return "the request was refused as malformed or unsafe"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus a service's ValidationError answered as 400 naming the field, a
    selector's PermissionDenied as 403 with its reason, and what reading the body raised (a
    body or file too large, 413; another SuspiciousOperation, 400) as JSON."""
    if isinstance(exc, RequestTooLarge):
        return Response(_too_large_body(exc.field, exc.max_bytes)[1], status=413)
    if isinstance(exc, RequestDataTooBig):
        body = _too_large_body(None, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)[1]
        return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):
        # Django logs these to django.security; DRF would let it answer an HTML page.
        logging.getLogger(f"django.security.{type(exc).__name__}").error(str(exc))
        return Response({"detail": f"Bad request: {_suspicious_reason(exc)}"}, status=400)
    if isinstance(exc, DjangoPermissionDenied) and str(exc):
        exc = exceptions.PermissionDenied(detail=str(exc))  # DRF's own would drop the reason
    elif isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail)
    return drf_exception_handler(exc, context)
