"""The embedded development broker (`filesystem://`, courseportal/broker.py) under concurrent
queueing: a message file seen before its writer has finished it never stops the worker, and
messages from several processes at once are each delivered once."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery

from tests.conftest import ROOT, start_worker, stop_worker, wait_until_ready, worker_env

pytestmark = pytest.mark.worker


def embedded_env(var: Path) -> dict[str, str]:
    """The default configuration: no REDIS_URL, no CELERY_BROKER_URL, files under `var`."""
    return worker_env(COURSEPORTAL_VAR_DIR=str(var), REDIS_URL=None, CELERY_BROKER_URL=None)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Path]:
    """A worker of the default queue on an embedded broker of its own; the broker's folder."""
    folder = tmp_path / "broker"
    for sub in ("messages", "control", "results"):
        (folder / sub).mkdir(parents=True)
    worker = start_worker(embedded_env(tmp_path), tmp_path / "worker.log", queues="celery")
    try:
        wait_until_ready(worker, tmp_path / "worker.log")
        yield folder
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        stop_worker(worker)


def client(folder: Path) -> Celery:
    app = Celery(
        "client",
        broker="filesystem://",
        backend=f"file://{folder / 'results'}",
        set_as_current=False,
    )
    app.conf.broker_transport = "courseportal.broker:Transport"
    app.conf.broker_transport_options = {
        "data_folder_in": str(folder / "messages"),
        "data_folder_out": str(folder / "messages"),
        "control_folder": str(folder / "control"),
    }
    return app


def ping(app: Celery) -> None:
    nonce = secrets.token_hex(8)
    assert app.send_task("courseportal.ping", args=[nonce]).get(timeout=60)["nonce"] == nonce


def test_a_message_file_caught_half_written_does_not_stop_the_worker(broker: Path) -> None:
    # What kombu's own writer leaves in the folder between making the file and writing it
    # (a web process preempted there, on a busy machine): a name the worker takes, half a body.
    name = f"{round(time.monotonic() * 1000)}_{uuid.uuid4()}.celery.msg"
    (broker / "messages" / name).write_bytes(b'{"body": "eyJh')
    ping(client(broker))
    ping(client(broker))  # still consuming
    assert (broker / "messages" / "rejected" / name).exists()  # set aside, for a look


PUBLISH = """
import sys
from celery import Celery
folder = sys.argv[1]
app = Celery("publisher", broker="filesystem://", set_as_current=False)
app.conf.broker_transport = "courseportal.broker:Transport"
app.conf.broker_transport_options = {
    "data_folder_in": folder + "/messages", "data_folder_out": folder + "/messages",
    "control_folder": folder + "/control",
}
for n in range(int(sys.argv[2])):
    app.send_task("courseportal.ping", args=[sys.argv[3] + str(n)], ignore_result=True)
"""


def test_messages_from_several_processes_at_once_are_each_delivered_once(
    broker: Path, tmp_path: Path
) -> None:
    publishers = [
        subprocess.Popen(
            [sys.executable, "-c", PUBLISH, str(broker), "40", f"p{p}-"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for p in range(4)
    ]
    assert [publisher.wait(timeout=120) for publisher in publishers] == [0] * 4
    ping(client(broker))  # queued after all of them: the worker reached it, still alive
    log = tmp_path / "worker.log"
    deadline = time.monotonic() + 60
    while log.read_text().count("succeeded") < 161 and time.monotonic() < deadline:
        time.sleep(0.2)
    text = log.read_text()
    for p in range(4):
        for n in range(40):
            assert text.count(f"'nonce': 'p{p}-{n}'") == 1, f"p{p}-{n}"
    assert not list((broker / "messages").glob("*.msg"))
