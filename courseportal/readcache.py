"""Whole responses of the busiest reads, kept in each web process until what they show changes.

The class sessions list, the reviews list of a paper and the iCalendar feeds are read far more
often than the course content behind them is written (calendar apps poll the feed; a class
reloads the reviews after the deadline). Building one costs a few milliseconds of ORM and
serialization; serving it again from memory costs one Redis round trip.

How it stays right:

- Every response is kept with the *content version* it was built under: a random token in the
  shared cache (Redis), replaced whenever content changes. A response is served only while its
  version is the current one, so a change seen by any process (web, worker, admin, shell)
  retires every kept response at once.
- The version changes on every write statement Django sends to the database, whatever wrote it
  (a service, `QuerySet.update()`, `bulk_create`, the admin, a migration), except writes to the
  tables of IGNORED_MODELS — those written all the time that no kept response reads (grading
  runs, jobs, sessions, token use). An execute wrapper installed on every connection sees the
  SQL: a write in autocommit changes the version at once; a write inside a transaction changes
  it when the transaction commits (not before: a reader could otherwise keep the old rows under
  the new version), and until then reads on that same connection bypass the kept responses, so
  a request sees its own writes.
- A response that will change by itself at a known instant (a paper's reviews are released at
  its deadline) says so when built and is not served from that instant on.
- Access is checked before a kept response is looked up, on every request: the key is what the
  response depends on (course, membership, feed, time zone), never who may see it.
- Nothing is kept longer than READ_CACHE_SECONDS, a bound should a version change be lost (the
  process dying between its commit and the change, Redis unreachable at that moment).
- Without a cache shared by all processes (no REDIS_URL: the embedded set-up, whose local memory
  cache a worker does not share) READ_CACHE_BYTES is 0 and nothing is kept.

tests/courseportal/test_readcache.py shows each kind of write retiring a kept response, that the
responses read only tables whose writes are seen, and that cached and fresh bytes are the same.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db import connection as default_connection
from django.utils import timezone

logger = logging.getLogger(__name__)

VERSION_KEY = "readcache:version"

# Tables written on hot paths that no kept response may read; a write to one leaves the kept
# responses alone. Named by app label or "app_label.ModelName".
IGNORED_MODELS = (
    "convlab",  # submissions and grading runs: written by the workers all day
    "jobs",  # progress of long staff actions, written every chunk
    "sessions",  # Django's login sessions
    "admin.LogEntry",
)

# Updates that set only these columns leave the kept responses and access lookups alone: the
# record of a token's last use (written on API requests) and of a user's last login.
IGNORED_UPDATES = {
    "courses_apitoken": frozenset({"last_used_at"}),
    "auth_user": frozenset({"last_login"}),
}

_UPDATE_SET = re.compile(r'\s*UPDATE\s+"?(\w+)"?\s+SET\s+(.*?)\s+WHERE\s', re.I | re.S)
_ASSIGNED = re.compile(r'"?(\w+)"?\s*=\s*')

_WRITE = re.compile(
    r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?([\w$]+)"?', re.I
)
_READ_PREFIXES = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET ", "SHOW", "BEGIN", "COMMIT")


def ignored_tables() -> frozenset[str]:
    """The database tables of IGNORED_MODELS (computed once the app registry is ready)."""
    global _ignored
    if _ignored is None:
        from django.apps import apps

        tables = set()
        for name in IGNORED_MODELS:
            if "." in name:
                tables.add(apps.get_model(name)._meta.db_table)
            else:
                tables.update(m._meta.db_table for m in apps.get_app_config(name).get_models())
        _ignored = frozenset(tables)
    return _ignored


_ignored: frozenset[str] | None = None


def is_content_write(sql: str) -> bool:
    """Whether the statement may change what a kept response shows (reads and writes to the
    ignored tables do not; anything else that is not a plain read, DDL included, does)."""
    head = sql.lstrip()[:9].upper()
    if head.startswith(_READ_PREFIXES):
        return False
    match = _WRITE.match(sql)
    if match is None:
        return True
    if match.group(1) in ignored_tables():
        return False
    update = _UPDATE_SET.match(sql)
    if update is not None and update.group(1) in IGNORED_UPDATES:
        columns = set(_ASSIGNED.findall(update.group(2)))
        return not (columns and columns <= IGNORED_UPDATES[update.group(1)])
    return True


# --- The content version ---------------------------------------------------------------------


_request = threading.local()  # the version read once per request (VersionMiddleware)


def current_version() -> str | None:
    """The version now, made if there is none (a fresh or emptied Redis); None if unreachable.
    Read once per request: what a request is served is then all of one version."""
    if getattr(_request, "active", False):
        if _request.version is None:
            _request.version = _read_version()
        return _request.version
    return _read_version()


def _read_version() -> str | None:
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:  # Redis down: serve fresh responses, keep nothing
        logger.warning("read cache: the content version could not be read", exc_info=True)
        return None
    return str(version) if version is not None else None


def change_version() -> None:
    """Retire every kept response, in every process."""
    _request.version = None  # this request reads the new one
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:  # the write stands; READ_CACHE_SECONDS bounds what is served stale
        logger.exception("read cache: the content version could not be changed")


def _change_on_commit(conn: Any) -> None:
    if not conn.in_atomic_block:
        change_version()  # autocommit: the write is visible now
    elif not _uncommitted_writes(conn):  # else this transaction already will
        conn.on_commit(change_version)


def _watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict) -> Any:
    result = execute(sql, params, many, context)
    if is_content_write(sql):
        _change_on_commit(context["connection"])
    return result


def install(sender: Any = None, connection: Any = None, **kwargs: Any) -> None:
    """Watch a connection's writes (the `connection_created` signal; once per connection)."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def _uncommitted_writes(conn: Any) -> bool:
    return conn.in_atomic_block and any(entry[1] is change_version for entry in conn.run_on_commit)


def _usable_version() -> str | None:
    """The version to keep and serve under, or None where everything is read fresh: the cache
    is off, this connection has uncommitted writes, or Redis cannot be read."""
    if settings.READ_CACHE_BYTES <= 0 or _uncommitted_writes(default_connection):
        return None
    return current_version()


# --- The kept responses ----------------------------------------------------------------------


@dataclass(frozen=True)
class Kept:
    """A response as built: its bytes, content type and headers, and the instant (if any) from
    which it would no longer be what the endpoint shows."""

    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()
    valid_until: Any = None  # an aware datetime, or None


@dataclass
class _Store:
    entries: OrderedDict[tuple[Any, ...], tuple[str, float, Kept]] = field(
        default_factory=OrderedDict
    )
    size: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: tuple[Any, ...], version: str) -> Kept | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            kept_version, expires, kept = entry
            if kept_version != version or time.monotonic() >= expires:
                self._drop(key)
                return None
            if kept.valid_until is not None and timezone.now() >= kept.valid_until:
                self._drop(key)
                return None
            self.entries.move_to_end(key)
            return kept

    def put(self, key: tuple[Any, ...], version: str, kept: Kept, limit: int) -> None:
        if len(kept.body) > limit // 4:
            return  # one response must not push out the rest
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = (version, time.monotonic() + settings.READ_CACHE_SECONDS, kept)
            self.size += len(kept.body)
            while self.size > limit:
                self._drop(next(iter(self.entries)))

    def _drop(self, key: tuple[Any, ...]) -> None:
        _, _, kept = self.entries.pop(key)
        self.size -= len(kept.body)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


_store = _Store()


def clear() -> None:
    """Forget this process's kept responses and access lookups (tests)."""
    _store.clear()
    with _remembered_lock:
        _remembered.clear()


def fetch(key: tuple[Any, ...], build: Callable[[], Kept]) -> Kept:
    """The kept response for key if it is current, else build() (kept for the next request).

    Call it only after access is checked; key must name everything the response depends on
    besides the content (course, membership or feed, time zone, query parameters)."""
    version = _usable_version()
    if version is None:
        return build()
    kept = _store.get(key, version)
    if kept is None:
        kept = build()
        _store.put(key, version, kept, settings.READ_CACHE_BYTES)
    return kept


def api_response(request: Any, key: tuple[Any, ...], build: Callable[[], tuple[Any, Any]]) -> Any:
    """A DRF view's JSON response through the kept responses: build() returns the data and the
    instant it stops being valid by itself (or None). Other renderers (the browsable API under
    DEBUG) are served fresh."""
    from django.http import HttpResponse
    from rest_framework.renderers import JSONRenderer
    from rest_framework.response import Response

    renderer = request.accepted_renderer
    if not isinstance(renderer, JSONRenderer):
        return Response(build()[0])
    media_type = request.accepted_media_type

    def render() -> Kept:
        data, valid_until = build()
        return Kept(renderer.render(data, media_type), renderer.media_type, (), valid_until)

    kept = fetch((*key, media_type), render)
    return HttpResponse(kept.body, content_type=kept.content_type)


class VersionMiddleware:
    """Reads the content version at most once per request (courseportal/readcache.py)."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        _request.active, _request.version = True, None
        try:
            return self.get_response(request)
        finally:
            _request.active, _request.version = False, None


# --- Access lookups --------------------------------------------------------------------------
# Who a token or a feed key is and what their membership in a course is: read on every request,
# changed rarely, and every change is a content write. Kept as field values (never as shared
# model instances) and made into fresh instances for each request.

_IMMUTABLE = (str, int, float, bool, bytes, type(None), dt.date, dt.time, dt.timedelta, Decimal)


@dataclass(frozen=True)
class Frozen:
    model: Any
    names: tuple[str, ...]
    values: tuple[Any, ...]

    @classmethod
    def of(cls, instance: Any) -> Frozen:
        names = tuple(f.attname for f in instance._meta.concrete_fields)
        return cls(type(instance), names, tuple(getattr(instance, n) for n in names))

    def thaw(self) -> Any:
        values = [v if isinstance(v, _IMMUTABLE) else copy.deepcopy(v) for v in self.values]
        return self.model.from_db(DEFAULT_DB_ALIAS, list(self.names), values)


_MAX_REMEMBERED = 10_000  # tokens, memberships and feed keys: a few per active user
_remembered: OrderedDict[tuple[Any, ...], tuple[str, float, Any]] = OrderedDict()
_remembered_lock = threading.Lock()


def remember(key: tuple[Any, ...], load: Callable[[], Any]) -> Any:
    """load()'s value (immutable: tuples of Frozen, None...) kept under the content version,
    like the responses; loaded fresh where responses would be (off, own uncommitted writes)."""
    version = _usable_version()
    if version is None:
        return load()
    now = time.monotonic()
    with _remembered_lock:
        entry = _remembered.get(key)
        if entry is not None and entry[0] == version and now < entry[1]:
            _remembered.move_to_end(key)
            return entry[2]
    value = load()
    with _remembered_lock:
        _remembered[key] = (version, now + settings.READ_CACHE_SECONDS, value)
        _remembered.move_to_end(key)
        while len(_remembered) > _MAX_REMEMBERED:
            _remembered.popitem(last=False)
    return value
