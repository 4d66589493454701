"""/healthz: liveness for anyone, without internals or a worker round trip; /healthz/ready: the
detailed report for site staff (session or token), kept so that many callers cost one check."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client
from pytest_django import Settings

from courseportal import health
from courseportal.health import health_report
from courses.services import api_token_create
from tests.factories import make_user

pytestmark = pytest.mark.django_db


class LonelyBroker:
    """A real broker (files in a folder) that no worker reads: every ping sent stays there."""

    def __init__(self, tmp_path: Path) -> None:
        self.folder = tmp_path / "messages"
        self.folder.mkdir()
        (tmp_path / "results").mkdir()
        self.app = Celery(
            "lonely",
            broker="filesystem://",
            backend=f"file://{tmp_path / 'results'}",
            set_as_current=False,
        )
        self.app.conf.broker_transport_options = {
            "data_folder_in": str(self.folder),
            "data_folder_out": str(self.folder),
            "control_folder": str(tmp_path / "control"),
        }

    def pings_sent(self) -> int:
        return len(list(self.folder.iterdir()))


@pytest.fixture
def lonely(monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path) -> LonelyBroker:
    """The health checks' Celery app is a broker without a worker (the worker is stopped)."""
    broker = LonelyBroker(tmp_path)
    settings.HEALTHZ_WORKER_TIMEOUT = 1
    monkeypatch.setattr(health, "default_app", broker.app)
    return broker


@pytest.fixture
def admin_user(db):
    """Site staff: not a member of any course."""
    return make_user("opsadmin", is_staff=True)


@pytest.fixture
def monitor_key(admin_user: Any) -> str:
    return api_token_create(user=admin_user, name="uptime monitor")[1]


# --- /healthz: anyone ------------------------------------------------------------------------


def test_it_answers_anyone_ok_with_no_internals_and_no_worker_round_trip(
    client: Client, lonely: LonelyBroker
) -> None:
    # No worker exists; liveness does not depend on one, and asks none.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")
    assert lonely.pings_sent() == 0


def test_it_answers_a_logged_in_student_the_same(client: Client, lonely: LonelyBroker) -> None:
    client.force_login(make_user("student9"))
    assert client.get("/healthz").json() == {"status": "ok"}
    assert lonely.pings_sent() == 0


def test_it_answers_503_without_details_when_the_database_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse() -> None:
        raise OperationalError("connection to server at 10.0.0.5 failed")

    monkeypatch.setattr(health.connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_it_answers_only_get(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


# --- /healthz/ready: staff and monitors ------------------------------------------------------


def test_it_asks_anonymous_callers_to_authenticate(client: Client, lonely: LonelyBroker) -> None:
    response = client.get("/healthz/ready")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "checks" not in response.json()
    assert lonely.pings_sent() == 0


def test_it_refuses_users_who_are_not_site_staff(client, alice, tara, lonely):
    # A student, and a course's TA, by session and by their own API token.
    for user in (alice, tara):
        client.force_login(user)
        assert client.get("/healthz/ready").status_code == 403
        client.logout()
        key = api_token_create(user=user, name="laptop")[1]
        response = client.get("/healthz/ready", HTTP_AUTHORIZATION=f"Bearer {key}")
        assert response.status_code == 403
        assert "checks" not in response.json()
    assert lonely.pings_sent() == 0


def test_it_shows_staff_the_report(client, admin_user, lonely):
    client.force_login(admin_user)
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["worker"] == {"ok": False, "error": "no worker answered within 1 s"}
    assert response["Cache-Control"] == "no-store"
    assert lonely.pings_sent() == 1


def test_it_shows_a_monitor_with_a_staff_token_the_report(
    client: Client, monitor_key: str, lonely: LonelyBroker
) -> None:
    response = client.get("/healthz/ready", HTTP_AUTHORIZATION=f"Bearer {monitor_key}")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is True


def test_it_refuses_a_revoked_or_unknown_token(client: Client, lonely: LonelyBroker) -> None:
    response = client.get("/healthz/ready", HTTP_AUTHORIZATION="Bearer cp_nosuchkey")
    assert response.status_code == 401
    assert lonely.pings_sent() == 0


def test_many_callers_within_the_period_cost_one_round_trip(
    client, monitor_key, lonely, time_machine
):
    time_machine.move_to("2026-01-05 12:00:00Z", tick=False)
    auth = {"Authorization": f"Bearer {monitor_key}"}
    first = client.get("/healthz/ready", headers=auth).json()
    for _ in range(4):
        assert client.get("/healthz/ready", headers=auth).json() == first
    assert lonely.pings_sent() == 1
    time_machine.move_to("2026-01-05 12:00:11Z", tick=False)  # HEALTHZ_CACHE_SECONDS is 10
    assert client.get("/healthz/ready", headers=auth).json()["checked_at"] != first["checked_at"]
    assert lonely.pings_sent() == 2


def test_while_another_process_checks_it_answers_the_previous_report(lonely, time_machine):
    time_machine.move_to("2026-01-05 12:00:00Z", tick=False)
    previous = health.health_report_cached()
    time_machine.move_to("2026-01-05 12:01:00Z", tick=False)
    cache.add(health.CHECKING_KEY, True)  # another process is making the next report
    assert health.health_report_cached() == previous
    assert lonely.pings_sent() == 1


def test_with_no_report_yet_it_waits_for_the_one_another_process_makes(
    lonely: LonelyBroker,
) -> None:
    cache.add(health.CHECKING_KEY, True)
    made = {"status": "ok", "checked_at": "2026-01-05T12:00:00+00:00", "checks": {}}

    def other_process() -> None:
        time.sleep(0.3)
        cache.set(health.REPORT_KEY, {"at": time.time(), "report": made})

    other = threading.Thread(target=other_process)
    other.start()
    try:
        assert health.health_report_cached() == made
    finally:
        other.join()
    assert lonely.pings_sent() == 0


@pytest.mark.worker
def test_it_reports_ok_when_database_broker_and_worker_answer(client, admin_user, live_worker):
    client.force_login(admin_user)
    response = client.get("/healthz/ready")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["worker"]["ok"] is True
    assert body["checks"]["worker"]["round_trip_ms"] >= 0


# --- the checks themselves -------------------------------------------------------------------


def test_it_reports_a_missing_worker(tmp_path: Path) -> None:
    report = health_report(app=LonelyBroker(tmp_path).app, timeout=1)
    assert report["status"] == "unhealthy"
    assert report["checks"]["database"]["ok"] is True
    assert report["checks"]["broker"]["ok"] is True
    assert report["checks"]["worker"] == {"ok": False, "error": "no worker answered within 1 s"}


def test_it_reports_a_broker_that_is_down() -> None:
    nowhere = Celery(
        "nowhere",
        broker="redis://127.0.0.1:9/0",
        backend="redis://127.0.0.1:9/0",
        set_as_current=False,
    )
    report = health_report(app=nowhere, timeout=1)
    assert report["status"] == "unhealthy"
    assert report["checks"]["broker"]["ok"] is False
    assert "not checked" in report["checks"]["worker"]["error"]
