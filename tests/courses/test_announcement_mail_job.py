"""The class mail of an announcement is sent by a real Celery worker on the jobs queue, after
the page has answered (issue #16): the request only queues it."""

from __future__ import annotations

import pytest
from django.core import mail

from courses.models import Announcement
from tests.conftest import mail_sent
from tests.factories import make_member

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


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
    text = mail_sent(mail_worker, 4)
    assert text.count("Subject: [CS 7643] PS3 is out") == 4
    for name in ("alice", "bruno", "chen", "ines"):
        assert f"To: {name}@example.edu" in text
    assert "Due Oct 31." in text
    assert Announcement.objects.get().title == "PS3 is out"
