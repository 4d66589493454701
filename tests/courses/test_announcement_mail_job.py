"""The class mail of an announcement is sent by a real Celery worker on the jobs queue, after
the page has answered (issue #16): the request only queues it."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from courses.models import Announcement
from tests.conftest import database_url, start_worker, stop_worker, wait_until_ready, worker_env
from tests.factories import make_member

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mail_worker(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """A worker on a jobs queue of this test's own, writing the mail it sends to files."""
    settings.JOBS_QUEUE = f"mail-{os.getpid()}-{time.monotonic_ns()}"
    outbox = tmp_path / "mail"
    outbox.mkdir()
    env = worker_env(
        DATABASE_URL=database_url(),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(outbox),
    )
    log = tmp_path / "worker.log"
    process = start_worker(env, log, queues=settings.JOBS_QUEUE)
    try:
        wait_until_ready(process, log)
        yield outbox
    finally:
        stop_worker(process)


def sent(outbox: Path, count: int, timeout: float = 60) -> str:
    """The text of the mail files once `count` messages are in them."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = "".join(p.read_text() for p in sorted(outbox.glob("*.log")))
        if text.count("Subject: ") >= count:
            return text
        time.sleep(0.2)
    raise AssertionError(f"{text.count('Subject: ')} of {count} messages after {timeout} s")


def test_a_worker_mails_the_class_after_the_page_answered(client, course, ines, mail_worker):
    for name in ("alice", "bruno", "chen"):
        make_member(course, name, "student")
    client.force_login(ines)
    response = client.post(
        f"/courses/{course.pk}/announcements/",
        {"title": "PS3 is out", "body": "Due Oct 31.", "mail_class": "on"},
        follow=True,
    )
    assert "Mail is being sent to 3 students and the course staff" in response.text
    assert mail.outbox == []  # nothing was sent inside the request
    text = sent(mail_worker, 4)
    assert text.count("Subject: [CS 7643] PS3 is out") == 4
    for name in ("alice", "bruno", "chen", "ines"):
        assert f"To: {name}@example.edu" in text
    assert "Due Oct 31." in text
    assert Announcement.objects.get().title == "PS3 is out"
