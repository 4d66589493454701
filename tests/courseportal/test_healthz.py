from __future__ import annotations

from pathlib import Path

import pytest
from celery import Celery
from django.test import Client
from pytest_django import Settings

from courseportal import health
from courseportal.health import health_report

pytestmark = pytest.mark.django_db


@pytest.mark.worker
def test_it_reports_ok_when_database_broker_and_worker_answer(client, live_worker):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["worker"]["ok"] is True
    assert body["checks"]["worker"]["round_trip_ms"] >= 0


def test_it_reports_a_missing_worker(tmp_path: Path) -> None:
    # A real broker (files in an empty folder) that no worker reads.
    folder = str(tmp_path / "messages")
    (tmp_path / "messages").mkdir()
    (tmp_path / "results").mkdir()
    lonely = Celery(
        "lonely",
        broker="filesystem://",
        backend=f"file://{tmp_path / 'results'}",
        set_as_current=False,
    )
    lonely.conf.broker_transport_options = {
        "data_folder_in": folder,
        "data_folder_out": folder,
        "control_folder": str(tmp_path / "control"),
    }
    report = health_report(app=lonely, timeout=1)
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


def test_it_answers_503_json_when_unhealthy(
    client: Client, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = str(tmp_path)
    lonely = Celery(
        "lonely", broker="filesystem://", backend=f"file://{folder}", set_as_current=False
    )
    lonely.conf.broker_transport_options = {
        "data_folder_in": folder,
        "data_folder_out": folder,
        "control_folder": str(tmp_path / "control"),
    }
    settings.HEALTHZ_WORKER_TIMEOUT = 1
    monkeypatch.setattr(health, "default_app", lonely)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
