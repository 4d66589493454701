"""Reads kept in each web process until what they show changes.

What is kept: the busiest reads — the class sessions list (courses/apis.py), a paper's reviews
(reviews/apis.py), the iCalendar feeds (presentations/views.py) — and the lookups behind the
access check of nearly every request: an API token (courses/selectors.py `api_token_find`), a
membership (`membership_get`) and a private feed key (presentations/selectors.py). Building one
costs queries and serialization; serving it again costs a read from this process's memory (the
`local` cache alias) and one round trip to the shared cache per request.

How it stays right:

- Everything kept is filed under *content versions*, random tokens held in the shared cache
  (`default`: Redis): one per course (`course_scope(id)`: the course, its memberships, calendar,
  papers, reviews, groups and schedules) and one for the accounts (`ACCOUNTS`: users, tokens,
  feed keys). A value is found again only under the versions it was built under.
- A write replaces the versions of what it touched once its transaction commits (`changed`),
  so every process stops serving what was kept before it. Each app connects its own models in
  its AppConfig.ready (`retire_on_change`: post_save and post_delete, which the admin and
  QuerySet.delete() send too); a service that writes around those signals (QuerySet.update(),
  bulk_create, bulk_update) calls `changed` itself.
- The versions are read before the database, so a value built from rows older than a commit is
  filed under the versions before it, never to be served again.
- Inside a transaction nothing is kept or served: the transaction may read its own uncommitted
  writes, which must reach no other request.
- Access is checked before a response is looked up: a response's key names what it depends on
  (course, membership, time zone), never who may see it.
- Nothing is kept longer than READ_CACHE_SECONDS, the bound should a version change be lost
  (Redis unreachable at the commit); while Redis is unreachable everything is built fresh.
- Without a cache shared by every process (no REDIS_URL) READ_CACHE_ENTRIES is 0 and nothing is
  kept: a worker's write would not reach the web processes.

tests/courseportal/test_caching.py shows each kind of write retiring what was kept.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import secrets
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

logger = logging.getLogger(__name__)

T = TypeVar("T")

LOCAL = "local"  # the cache alias of this process's memory (settings.CACHES)
ACCOUNTS = "accounts"  # the scope of users, API tokens and feed keys
# A larger response is built every time: READ_CACHE_ENTRIES counts entries, not bytes, so this
# bounds what each may hold (a paper's reviews, the largest read kept, are 34 KB for twelve).
LARGEST_KEPT = 2**20


def course_scope(course_id: int) -> str:
    """The scope of everything kept about a course."""
    return f"course:{course_id}"


# --- Content versions ------------------------------------------------------------------------

# The versions this request has read (VersionsMiddleware), so that it reads each at most once.
_request_versions: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "courseportal_caching_versions", default=None
)


def _version_key(scope: str) -> str:
    return f"content-version:{scope}"


def _versions(scopes: Sequence[str]) -> tuple[str, ...] | None:
    """The current version of each scope, or None when the shared cache cannot be read."""
    known = _request_versions.get()
    versions = known if known is not None else {}
    missing = [scope for scope in scopes if scope not in versions]
    if missing:
        try:
            versions.update(_read_versions(missing))
        except Exception:  # Redis down: build fresh, keep nothing
            logger.warning("caching: the content versions could not be read", exc_info=True)
            return None
    return tuple(versions[scope] for scope in scopes)


def _read_versions(scopes: Sequence[str]) -> dict[str, str]:
    cache = caches["default"]
    keys = {_version_key(scope): scope for scope in scopes}
    found = cache.get_many(list(keys))
    for key in keys.keys() - found.keys():  # never written, or Redis was emptied
        cache.add(key, secrets.token_hex(8), timeout=None)
        found[key] = cache.get(key)
        if found[key] is None:
            raise RuntimeError(f"the version {key} vanished as it was made")
    return {keys[key]: version for key, version in found.items()}


def changed(*scopes: str) -> None:
    """Retire what is kept under these scopes, in every process, once the current transaction
    commits (at once outside a transaction; never if it rolls back)."""
    transaction.on_commit(lambda: _replace_versions(scopes))


def _replace_versions(scopes: Sequence[str]) -> None:
    known = _request_versions.get()
    if known is not None:  # the rest of this request reads the new ones
        for scope in scopes:
            known.pop(scope, None)
    try:
        caches["default"].set_many(
            {_version_key(scope): secrets.token_hex(8) for scope in scopes}, timeout=None
        )
    except Exception:  # the write stands; READ_CACHE_SECONDS bounds what is served stale
        logger.exception("caching: the content versions of %s could not be changed", scopes)


def retire_on_change(
    model: type[Model],
    scope: Callable[[Any], str | None],
    *,
    ignored_fields: frozenset[str] = frozenset(),
) -> None:
    """Retire what is kept under scope(row) whenever a row of model is saved or deleted.

    A save of ignored_fields only (a login's timestamp) retires nothing. scope may return None
    where the row's parent is already gone: the parent's own deletion retires its scope. Call it
    from the model's own app (AppConfig.ready), once per model.
    """

    def row_changed(instance: Any) -> None:
        name = scope(instance)
        if name is not None:
            changed(name)

    def saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
        if update_fields is not None and update_fields <= ignored_fields:
            return
        row_changed(instance)

    def deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
        row_changed(instance)

    uid = f"{__name__}:{model.__module__}.{model.__qualname__}"
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=uid)
    _watched.add(model)


# The models connected by retire_on_change: filled once, as the apps become ready.
_watched: set[type[Model]] = set()


def watched_models() -> frozenset[type[Model]]:
    """The models whose rows' changes retire what is kept (tests check the kept reads read
    no other table)."""
    return frozenset(_watched)


class VersionsMiddleware:
    """Reads each content version at most once per request: every kept value a request is
    served is then of one moment, and a request costs one shared-cache round trip per scope."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_versions.set({})
        try:
            return self.get_response(request)
        finally:
            _request_versions.reset(token)


# --- Kept values -----------------------------------------------------------------------------

_MISSING = object()


def _is_not_none(value: Any) -> bool:
    return value is not None


def kept(
    key: tuple[Hashable, ...],
    *,
    scopes: Sequence[str],
    build: Callable[[], T],
    keep: Callable[[T], bool] = _is_not_none,
) -> T:
    """build()'s value, kept in this process until the version of one of scopes changes.

    key names everything the value depends on besides the content of scopes (a course,
    membership or time zone); a response's key never says who may see it, so call this only
    after checking access. Each call is given its own copy (values are stored pickled). A value
    that keep() refuses (None by default: an unknown token, someone not a member) is built anew
    on every call, which keeps guesses from filling the memory.
    """
    if not settings.READ_CACHE_ENTRIES or not transaction.get_autocommit():
        return build()
    versions = _versions(scopes)
    if versions is None:
        return build()
    name = "kept:" + hashlib.sha256(repr((key, tuple(scopes), versions)).encode()).hexdigest()
    local = caches[LOCAL]
    value: Any = local.get(name, _MISSING)
    if value is _MISSING:
        value = build()
        if keep(value):
            local.set(name, value)
    return value


def api_response(
    request: Request,
    key: tuple[Hashable, ...],
    *,
    scopes: Sequence[str],
    build: Callable[[], tuple[Any, bool]],
) -> HttpResponse:
    """A DRF view's JSON response, kept: build() returns the data and whether it may be kept
    (not when it will change by itself at a known time, such as reviews released at the
    deadline). Other renderers (the browsable API under DEBUG) are served fresh, as a DRF
    Response (an HttpResponse too)."""
    renderer = request.accepted_renderer
    if not isinstance(renderer, JSONRenderer):
        return Response(build()[0])
    media_type = request.accepted_media_type

    def render() -> tuple[bytes, bool]:
        data, keep = build()
        return renderer.render(data, media_type), keep

    body, _ = kept(
        (*key, media_type),
        scopes=scopes,
        build=render,
        keep=lambda built: built[1] and len(built[0]) <= LARGEST_KEPT,
    )
    return HttpResponse(body, content_type=renderer.media_type)


def once_per(key: str, seconds: int) -> bool:
    """True the first time key is asked in this process within seconds, else False: a throttle
    for writes that are harmless to repeat (a token's last use). Always True while nothing is
    kept (READ_CACHE_ENTRIES=0)."""
    return bool(caches[LOCAL].add(f"once:{key}", True, timeout=seconds))
