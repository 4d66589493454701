"""The login page, with a limit on failed attempts per username and client address.

Counters live in the cache (Redis in production, shared by every web process), in a fixed window
that starts at the first failure: after LOGIN_FAILURE_LIMIT failures the form answers 429 with
Retry-After until the window has passed, without checking the password at all (so guessing
gets no answer). A success clears the counter. The limit is per username *and* address, so that
someone elsewhere cannot lock a student out by failing on purpose with their username.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render


def _key(request: HttpRequest) -> str:
    username = str(request.POST.get("username", "")).strip().casefold()
    address = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(f"{username}\x00{address}".encode()).hexdigest()
    return f"login-failures:{digest}"


def retry_after(request: HttpRequest) -> int:
    """Seconds until this username and address may try again; 0 when they may now."""
    state = cache.get(_key(request))
    if not state or state["count"] < settings.LOGIN_FAILURE_LIMIT:
        return 0
    left = state["started"] + settings.LOGIN_FAILURE_WINDOW - time.time()
    return max(1, math.ceil(left))


def record_failure(request: HttpRequest) -> None:
    key = _key(request)
    now = time.time()
    state = cache.get(key) or {"count": 0, "started": now}
    state["count"] += 1
    left = max(1, math.ceil(state["started"] + settings.LOGIN_FAILURE_WINDOW - now))
    cache.set(key, state, timeout=left)


def clear_failures(request: HttpRequest) -> None:
    cache.delete(_key(request))


def throttle_login(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Count the failed POSTs of a login view (the form shown again: 200) and refuse with 429
    once there are too many; a redirect (logged in) clears the count. Wraps the site's login
    page and the admin's."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        wait = retry_after(request)
        if wait:
            return _refused(request, wait)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            record_failure(request)
        elif 300 <= response.status_code < 400:
            clear_failures(request)
        return response

    return wrapped


def _refused(request: HttpRequest, wait: int) -> HttpResponse:
    # An unbound form: binding it would check the password.
    message = f"Too many failed logins for this username. Try again in {math.ceil(wait / 60)} min."
    context = {
        "form": AuthenticationForm(request),
        "locked_out": message,
        "next": request.POST.get("next", ""),
    }
    response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response
