"""A real `celery worker` process takes a task off a real broker and sends back the answer."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
import redis
from celery import Celery

from tests.conftest import IN_CI, require, start_worker, stop_worker, worker_env

pytestmark = pytest.mark.worker


def round_trip(client: Celery) -> dict[str, str]:
    nonce = secrets.token_hex(8)
    reply = client.send_task("courseportal.ping", args=[nonce]).get(timeout=60)
    assert reply["nonce"] == nonce
    return reply


def test_it_round_trips_a_task_through_the_embedded_broker(tmp_path: Path) -> None:
    # The default configuration: no REDIS_URL, no CELERY_BROKER_URL, files under var/.
    process = start_worker(
        worker_env(COURSEPORTAL_VAR_DIR=str(tmp_path), REDIS_URL=None, CELERY_BROKER_URL=None),
        tmp_path / "worker.log",
        queues="celery",
    )
    try:
        broker = tmp_path / "broker"
        for sub in ("messages", "control", "results"):
            (broker / sub).mkdir(parents=True, exist_ok=True)
        client = Celery(
            "client",
            broker="filesystem://",
            backend=f"file://{broker / 'results'}",
            set_as_current=False,
        )
        folder = str(broker / "messages")
        client.conf.broker_transport_options = {
            "data_folder_in": folder,
            "data_folder_out": folder,
            "control_folder": str(broker / "control"),
        }
        reply = round_trip(client)
        assert int(reply["pid"]) != os.getpid()
        assert process.poll() is None
    finally:
        stop_worker(process)
    assert "courseportal.ping" in (tmp_path / "worker.log").read_text()


def test_it_round_trips_a_task_through_redis(tmp_path: Path) -> None:
    url = os.environ.get("REDIS_URL") or ("" if IN_CI else "redis://127.0.0.1:6379/15")
    require(bool(url), "REDIS_URL is not set")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        reachable = True
    except redis.RedisError:
        reachable = False
    require(reachable, f"Redis at {url} is not answering")
    process = start_worker(
        worker_env(REDIS_URL=url, CELERY_BROKER_URL=None), tmp_path / "worker.log", queues="celery"
    )
    try:
        client = Celery("client", broker=url, backend=url, set_as_current=False)
        reply = round_trip(client)
        assert int(reply["pid"]) != os.getpid()
    finally:
        stop_worker(process)
