"""Health checks: liveness for anyone, and the detailed report for site staff and monitors.

- `GET /healthz` (anyone; load balancers, the compose healthcheck): `{"status": "ok"}` (200)
  when this process answers and its database does, else `{"status": "unavailable"}` (503).
  One `SELECT 1`, nothing about what runs behind, and never a worker round trip: an anonymous
  caller cannot make the portal wait on its workers.
- `GET /healthz/ready` (a site staff user, by session or API token): the database, the broker
  and a worker round trip (200 if all three answer, else 503), kept in the shared cache for
  HEALTHZ_CACHE_SECONDS so that however many callers ask, at most one round trip runs per
  period (`health_report_cached`).
- The staff home shows the latest kept report (`health_report_latest`) and never checks itself.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courseportal.celery import app as default_app

logger = logging.getLogger(__name__)

REPORT_KEY = "healthz:report"  # {"at": time.time(), "report": {...}}, kept for REPORT_KEPT
CHECKING_KEY = "healthz:checking"  # held by the one process making a report
REPORT_KEPT = 3600  # the staff home shows a report up to an hour old, with its time


def _check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _check_broker(app: Celery) -> dict[str, Any]:
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "transport": conn.transport_cls}


def _check_worker(app: Celery, timeout: float) -> dict[str, Any]:
    # A real round trip: a worker must take the task off the broker and store the reply.
    nonce = secrets.token_hex(8)
    started = time.monotonic()
    result = app.send_task("courseportal.ping", args=[nonce], expires=timeout)
    try:
        reply = result.get(timeout=timeout, propagate=True)
    except CeleryTimeoutError:
        return {"ok": False, "error": f"no worker answered within {timeout:g} s"}
    if reply.get("nonce") != nonce:
        return {"ok": False, "error": "a worker answered with someone else's reply"}
    return {
        "ok": True,
        "worker": reply.get("worker"),
        "round_trip_ms": round((time.monotonic() - started) * 1000),
    }


def _run(check: Any, *args: Any) -> dict[str, Any]:
    try:
        return check(*args)
    except Exception as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def health_report(*, app: Celery | None = None, timeout: float | None = None) -> dict[str, Any]:
    """Check the database, the broker and a worker, now; `status` is "ok" only if all three
    are. Waits up to `timeout` (HEALTHZ_WORKER_TIMEOUT) for the worker: call it only where a
    caller may wait (`health_report_cached` does, for staff and monitors)."""
    app = default_app if app is None else app
    timeout = settings.HEALTHZ_WORKER_TIMEOUT if timeout is None else timeout
    checks = {"database": _run(_check_database), "broker": _run(_check_broker, app)}
    if checks["broker"]["ok"]:
        checks["worker"] = _run(_check_worker, app, timeout)
    else:
        checks["worker"] = {"ok": False, "error": "not checked: the broker is down"}
    healthy = all(check["ok"] for check in checks.values())
    return {
        "status": "ok" if healthy else "unhealthy",
        "checked_at": timezone.now().isoformat(),
        "checks": checks,
    }


def health_report_latest() -> dict[str, Any] | None:
    """The latest kept report, however old (up to an hour), or None: never checks anything."""
    try:
        kept = caches["default"].get(REPORT_KEY)
    except Exception:  # the shared cache is down: nothing to show
        logger.warning("healthz: the kept report could not be read", exc_info=True)
        return None
    return kept["report"] if kept else None


def health_report_cached() -> dict[str, Any]:
    """A report no older than HEALTHZ_CACHE_SECONDS, made now if there is none.

    One process at a time makes a report (it holds CHECKING_KEY, taken with cache.add); the
    others meanwhile answer the previous report, or, when there is none yet, wait for the one
    being made. So N concurrent callers cost at most one worker round trip per period. With the
    shared cache down every caller checks for itself (the broker is then usually down too, and
    the check ends without a round trip).
    """
    cache = caches["default"]
    fresh_for = settings.HEALTHZ_CACHE_SECONDS
    # Longer than any check can take (the broker's 2 s, then the worker's timeout), so that
    # the holder's crash cannot stop reports for long.
    checking_for = int(settings.HEALTHZ_WORKER_TIMEOUT) + 10
    try:
        kept = cache.get(REPORT_KEY)
        if kept and time.time() - kept["at"] < fresh_for:
            return kept["report"]
        mine = cache.add(CHECKING_KEY, True, timeout=checking_for)
    except Exception:
        logger.warning("healthz: the shared cache is down; checking without it", exc_info=True)
        return health_report()
    if mine:
        report = health_report()
        try:
            cache.set(REPORT_KEY, {"at": time.time(), "report": report}, timeout=REPORT_KEPT)
            cache.delete(CHECKING_KEY)
        except Exception:  # CHECKING_KEY expires by itself
            logger.warning("healthz: the report could not be kept", exc_info=True)
        return report
    if kept:  # another process is making the next one
        return kept["report"]
    deadline = time.monotonic() + checking_for
    while time.monotonic() < deadline:
        time.sleep(0.1)
        latest = health_report_latest()
        if latest is not None:
            return latest
    return health_report()  # the other process died before keeping its report


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: this process answers, and so does its database. Nothing else is said."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("healthz: the database did not answer")
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


class HealthReadyApi(APIView):
    """The detailed report (database, broker, a worker round trip), for site staff: a session,
    or the API token of a staff account (a monitor's)."""

    permission_classes = [IsAdminUser]

    @extend_schema(exclude=True)  # operations, not the course API: see docs/deploy.md
    def get(self, request: Request) -> Response:
        report = health_report_cached()
        return Response(
            report,
            status=200 if report["status"] == "ok" else 503,
            headers={"Cache-Control": "no-store"},
        )
