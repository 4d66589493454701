"""A grading's Celery time limits are the worker's own (CONVLAB_GRADING_SOFT_LIMIT where the
worker runs), never those of the process that queued it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.signals import before_task_publish
from kombu import Connection, Producer

from convlab.tasks import grade_submission

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def published() -> Iterator[list[dict[str, Any]]]:
    """The headers of each task message published while the test runs."""
    headers: list[dict[str, Any]] = []

    def keep(**signal: Any) -> None:
        headers.append(dict(signal["headers"]))

    before_task_publish.connect(keep, weak=False)
    yield headers
    before_task_publish.disconnect(keep)


@pytest.fixture
def producer() -> Iterator[Producer]:
    """A producer on kombu's in-memory transport: nothing reaches a real broker or worker."""
    with Connection("memory://") as connection:
        yield Producer(connection)


def test_it_queues_a_grading_with_no_time_limit_in_the_message(
    published: list[dict[str, Any]], producer: Producer
) -> None:
    # This process has limits of its own; a worker would obey them if the message carried them.
    assert grade_submission.soft_time_limit is not None
    grade_submission.apply_async(args=(1,), producer=producer, ignore_result=True)
    assert [message["timelimit"] for message in published] == [[None, None]]


def test_it_still_sends_the_limits_a_caller_names(
    published: list[dict[str, Any]], producer: Producer
) -> None:
    grade_submission.apply_async(
        args=(1,), producer=producer, ignore_result=True, time_limit=60, soft_time_limit=30
    )
    assert [message["timelimit"] for message in published] == [[60, 30]]


WORKER = """
import django; django.setup()
from convlab.tasks import grade_submission
print(grade_submission.soft_time_limit, grade_submission.time_limit)
"""


def test_a_worker_takes_its_limits_from_its_own_settings() -> None:
    """What a worker applies to a message without limits: the task's attributes there."""
    done = subprocess.run(
        [sys.executable, "-c", WORKER],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "courseportal.settings_test",
            "CONVLAB_GRADING_SOFT_LIMIT": "42",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.split() == ["42", "72"]
