"""/healthz: is the database, the broker and a worker answering? 200 if all are, else 503."""

from __future__ import annotations

import secrets
import time
from typing import Any

from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from courseportal.celery import app, ping


def _check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _check_broker() -> dict[str, Any]:
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "transport": conn.transport_cls}


def _check_worker() -> dict[str, Any]:
    nonce = secrets.token_hex(8)
    started = time.monotonic()
    result = ping.apply_async(args=[nonce], expires=settings.HEALTHZ_WORKER_TIMEOUT)
    try:
        reply = result.get(timeout=settings.HEALTHZ_WORKER_TIMEOUT, propagate=True)
    except CeleryTimeoutError:
        result.forget()
        return {
            "ok": False,
            "error": f"no worker answered within {settings.HEALTHZ_WORKER_TIMEOUT} s",
        }
    if reply.get("nonce") != nonce:
        return {"ok": False, "error": "a worker answered with someone else's reply"}
    return {
        "ok": True,
        "worker": reply.get("worker"),
        "round_trip_ms": round((time.monotonic() - started) * 1000),
    }


def _run(check: Any) -> dict[str, Any]:
    try:
        return check()
    except Exception as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _run(_check_database), "broker": _run(_check_broker)}
    if checks["broker"]["ok"]:
        checks["worker"] = _run(_check_worker)
    else:
        checks["worker"] = {"ok": False, "error": "skipped: the broker is down"}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks},
        status=200 if healthy else 503,
    )
