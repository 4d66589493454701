"""The login page, with limits on failed attempts: per username and client address, and (higher)
per username from every address together.

Counters live in the cache (Redis in production, shared by every web process; while it is down,
each process's own: `counters.py`), each in a fixed window that starts at its first attempt.
Once a counter is over its limit the form answers 429 with Retry-After until the window has
passed, without checking the password at all (so guessing gets no answer):

- LOGIN_FAILURE_LIMIT per username and address: someone elsewhere cannot lock a student out by
  failing on purpose with their username, as long as they stay under
- LOGIN_FAILURE_USERNAME_LIMIT per username across all addresses, which bounds guessing from
  many addresses at once.

The username is counted the way Django authenticates it: stripped and NFKC-normalised as
AuthenticationForm's UsernameField does (so `student8` typed with a fullwidth s, U+FF53, is
`student8`), and case-folded, since counting two spellings together can only make the limit
stricter. The address is REMOTE_ADDR, unless TRUSTED_PROXY_COUNT says how many proxies of ours
append to X-Forwarded-For (behind a proxy, REMOTE_ADDR is the proxy's, the same for everyone).

The password reset form ("Forgot your password?") is limited too, so that it cannot be used to
flood someone's inbox or to send mail in bulk: every request counts, per client address and per
e-mail address typed, LOGIN_FAILURE_LIMIT of each in a LOGIN_FAILURE_WINDOW.

Each attempt reserves its place with an atomic increment *before* the password is checked, so
concurrent attempts cannot all pass a check made before any of them was counted. A failed
attempt (the form shown again: 200) keeps its place; a success (a redirect) clears the
username-and-address counter and gives its place back on the per-username one; any other answer
(a CSRF refusal: the password was not checked) gives both back.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import ipaddress
import math
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from courseportal.counters import counters as cache


def normalized_username(raw: str) -> str:
    """The username as the limiter counts it: every spelling Django would log in as the same
    user (UsernameField: strip, then NFKC) gives the same string, and so do case variants."""
    return unicodedata.normalize("NFKC", raw.strip()).casefold()


def client_address(request: HttpRequest) -> str:
    """The address the request came from. With TRUSTED_PROXY_COUNT = n > 0, the n-th entry of
    X-Forwarded-For from the right: the one our outermost proxy appended (entries left of it
    were written by the client, and are not believed). REMOTE_ADDR when n is 0, or when the
    header is too short or that entry is not an IP address."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
    if len(forwarded) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies].strip()))
    except ValueError:
        return remote


@dataclass(frozen=True)
class _Keys:
    pair: str  # username and address
    username: str


def _keys(request: HttpRequest) -> _Keys:
    username = normalized_username(str(request.POST.get("username", "")))
    address = client_address(request)
    pair = hashlib.sha256(f"{username}\x00{address}".encode()).hexdigest()
    alone = hashlib.sha256(username.encode()).hexdigest()
    return _Keys(pair=f"login-failures:{pair}", username=f"login-failures-user:{alone}")


def _reserve(key: str, now: float) -> int:
    """Count one attempt under `key` atomically; return the count, this attempt included.
    The first attempt of a window creates the counter (and notes when the window started)."""
    window = settings.LOGIN_FAILURE_WINDOW
    cache.add(f"{key}:since", now, timeout=window)
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:
        # The window ended between add and incr: this attempt opens the next one.
        cache.add(key, 0, timeout=window)
        return cache.incr(key)


def _release(key: str) -> None:
    # A ValueError: its window has ended, nothing left to give back.
    with contextlib.suppress(ValueError):
        cache.decr(key)


def _wait(key: str, now: float) -> int:
    started = cache.get(f"{key}:since", now)
    return max(1, math.ceil(started + settings.LOGIN_FAILURE_WINDOW - now))


def attempt_begin(request: HttpRequest) -> int:
    """Reserve this login attempt under both counters, before the password is checked.

    Returns 0 when the attempt may go on (it is then counted as a failure until
    `attempt_succeeded` or `attempt_unchecked` says otherwise), or the seconds until this
    username (and address) may try again. A refusal on the username-and-address counter leaves
    the per-username one untouched, so that one address cannot lock a user out everywhere."""
    keys = _keys(request)
    now = time.time()
    if _reserve(keys.pair, now) > settings.LOGIN_FAILURE_LIMIT:
        return _wait(keys.pair, now)
    if _reserve(keys.username, now) > settings.LOGIN_FAILURE_USERNAME_LIMIT:
        _release(keys.pair)
        return _wait(keys.username, now)
    return 0


def attempt_succeeded(request: HttpRequest) -> None:
    """The password was right: clear the username-and-address count, and take this attempt
    off the per-username one (the failures of other addresses stay counted)."""
    keys = _keys(request)
    cache.delete_many([keys.pair, f"{keys.pair}:since"])
    _release(keys.username)


def attempt_unchecked(request: HttpRequest) -> None:
    """The view answered without checking the password: give back both reservations."""
    keys = _keys(request)
    _release(keys.pair)
    _release(keys.username)


def throttle_login(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Limit the POSTs of a login view: a failure is the form shown again (200), a success a
    redirect; once there are too many failures, refuse with 429 without calling the view.
    Wraps the site's login page and the admin's."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        wait = attempt_begin(request)
        if wait:
            return _refused(request, wait)
        # A view that raises keeps the reservation: it may have checked the password first.
        response = view(request, *args, **kwargs)
        if 300 <= response.status_code < 400:
            attempt_succeeded(request)
        elif response.status_code != 200:
            attempt_unchecked(request)
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


class AccountPasswordResetForm(PasswordResetForm):
    """Django's form, which also reaches active accounts that have no password yet: people
    imported from a roster whose invitation e-mail (a set-password link, the same kind of
    link) was lost or has expired. Owning the address is the proof either way."""

    def get_users(self, email: str) -> Iterator[Any]:
        wanted = unicodedata.normalize("NFKC", email).casefold()
        candidates = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        for user in candidates:
            if unicodedata.normalize("NFKC", user.email).casefold() == wanted:
                yield user


def throttle_password_reset(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Limit the POSTs of the password reset form, each one counted whatever its outcome (the
    form answers the same whether or not the address has an account): past the limit, 429
    without sending anything."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        email = normalized_username(str(request.POST.get("email", "")))
        now = time.time()
        for key in (
            "reset-address:" + hashlib.sha256(client_address(request).encode()).hexdigest(),
            "reset-email:" + hashlib.sha256(email.encode()).hexdigest(),
        ):
            if _reserve(key, now) > settings.LOGIN_FAILURE_LIMIT:
                return _reset_refused(request, _wait(key, now))
        return view(request, *args, **kwargs)

    return wrapped


def _reset_refused(request: HttpRequest, wait: int) -> HttpResponse:
    message = (
        "Too many password reset requests from here or for this address. "
        f"Try again in {math.ceil(wait / 60)} min."
    )
    context = {"form": AccountPasswordResetForm(), "locked_out": message}
    response = render(request, "registration/password_reset_form.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response
