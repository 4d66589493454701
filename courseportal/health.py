"""/healthz: is the database, the broker and a worker answering? 200 if all are, else 503."""

from __future__ import annotations

import secrets
import time
from typing import Any

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from courseportal.celery import app as default_app


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
    """Check the database, the broker and a worker; `status` is "ok" only if all three are."""
    app = default_app if app is None else app
    timeout = settings.HEALTHZ_WORKER_TIMEOUT if timeout is None else timeout
    checks = {"database": _run(_check_database), "broker": _run(_check_broker, app)}
    if checks["broker"]["ok"]:
        checks["worker"] = _run(_check_worker, app, timeout)
    else:
        checks["worker"] = {"ok": False, "error": "not checked: the broker is down"}
    healthy = all(check["ok"] for check in checks.values())
    return {"status": "ok" if healthy else "unhealthy", "checks": checks}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
