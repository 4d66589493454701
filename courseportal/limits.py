"""Request body limits, applied before anything reads the body.

Django checks DATA_UPLOAD_MAX_MEMORY_SIZE for form fields and JSON, but takes a multipart file
part of any size (to a temporary file beyond FILE_UPLOAD_MAX_MEMORY_SIZE), and views then
read it whole to check it: a 200 MB upload to a 256 KiB field grew a web process by 200 MB.
Here, for every request, before CsrfViewMiddleware reads the form:

1. The Content-Length is checked first: above what the view takes, 413 at once, nothing read.
   A multipart body may be the view's file limit (`body_limit`; UPLOAD_MAX_BYTES for a view
   that names none) plus FORM_OVERHEAD; any other body DATA_UPLOAD_MAX_MEMORY_SIZE.
2. A multipart POST is parsed here, through `CappedUploadHandler`, which stops reading as soon
   as one file passes the limit (a part's size is counted as it streams, whatever the headers
   say): 413 naming the field and the limit.

A body without Content-Length (chunked) is read as empty by Django under WSGI, so it cannot
get past these checks with more. The 413 is JSON under /api/ and a page elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse

from courseportal.errors import RequestTooLarge, request_too_large

V = TypeVar("V", bound=Callable[..., Any])

# Room in a multipart body for the boundaries, the part headers and the small fields beside
# the file (the CSRF token, a student's username).
FORM_OVERHEAD = 64 * 1024


@dataclass(frozen=True)
class BodyLimit:
    field: str
    max_bytes: int | Callable[[], int]  # a callable is read per request (settings may change)

    def file_bytes(self) -> int:
        return self.max_bytes() if callable(self.max_bytes) else self.max_bytes


def body_limit(max_bytes: int | Callable[[], int], *, field: str) -> Callable[[V], V]:
    """Mark a view that takes a file of at most `max_bytes` in `field`: larger uploads are
    refused with 413 before the view runs, and before more than that is read."""

    def mark(view: V) -> V:
        setattr(view, "body_limit", BodyLimit(field=field, max_bytes=max_bytes))  # noqa: B010
        return view

    return mark


def _default_limit() -> BodyLimit:
    return BodyLimit(field="file", max_bytes=settings.UPLOAD_MAX_BYTES)


class CappedUploadHandler(FileUploadHandler):
    """First of the upload handlers: counts each file part's bytes as they arrive and raises
    RequestTooLarge the moment one passes the limit, so that the rest is never read or kept.
    Passes every chunk on to Django's handlers (memory, then a temporary file)."""

    def __init__(self, request: HttpRequest, limit: BodyLimit) -> None:
        super().__init__(request)
        self.max_bytes = limit.file_bytes()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.max_bytes:
            raise RequestTooLarge(self.field_name or "file", self.max_bytes)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0  # as Django reads it: an unreadable length is an empty body


class BodyLimitMiddleware:
    """Enforces the limits above; goes before CsrfViewMiddleware (which reads POST forms)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        limit: BodyLimit = getattr(view_func, "body_limit", None) or _default_limit()
        length = _content_length(request)
        if request.content_type != "multipart/form-data":
            data_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if data_limit is not None and length > data_limit:
                return request_too_large(request, field=None, max_bytes=data_limit)
            return None
        file_bytes = limit.file_bytes()
        if length > file_bytes + FORM_OVERHEAD:
            return request_too_large(request, field=limit.field, max_bytes=file_bytes)
        request.upload_handlers.insert(0, CappedUploadHandler(request, limit))
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 - parse now, through the handler above
            except RequestTooLarge as error:
                return request_too_large(request, field=error.field, max_bytes=error.max_bytes)
        return None
