"""Staff post, edit and delete announcements in the pages; the class can be e-mailed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from courses import services
from courses.models import Announcement, Course
from courses.services import announcement_create, membership_set
from courses.tasks import mail_announcement
from tests.factories import make_member

pytestmark = pytest.mark.django_db

POST = {"title": "HW2 + PS2 out", "body": "Due in two weeks.\nNo class on 10/10."}


def url(course: Course) -> str:
    return f"/courses/{course.pk}/announcements/"


def edit_url(course: Course, announcement: Announcement) -> str:
    return f"/courses/{course.pk}/announcements/{announcement.pk}/edit/"


def delete_url(course: Course, announcement: Announcement) -> str:
    return f"/courses/{course.pk}/announcements/{announcement.pk}/delete/"


@pytest.fixture
def posted(course, ines):
    return announcement_create(course=course, author=ines, title="No class on 10/10")


def test_it_lets_an_instructor_post_an_announcement(client, course, ines, alice):
    client.force_login(ines)
    response = client.post(url(course), POST, follow=True)
    assert response.redirect_chain == [(url(course), 302)]
    assert "Announcement posted." in response.text
    announcement = Announcement.objects.get()
    assert (announcement.title, announcement.author, announcement.pinned) == (
        "HW2 + PS2 out",
        ines,
        False,
    )
    assert mail.outbox == []
    client.force_login(alice)
    home = client.get(f"/courses/{course.pk}/").text
    assert "HW2 + PS2 out" in home
    assert "No class on 10/10." in home
    assert "Post or edit announcements" not in home


def test_it_lets_a_ta_post_and_queue_the_mail_to_the_class(
    client, course, tara, alice, bob, django_capture_on_commit_callbacks
):
    dropped = make_member(course, "dropped", "student")
    membership_set(course=course, user=dropped, role="student", is_active=False)
    make_member(course, "grader", "autograder")
    client.force_login(tara)
    # Not run: it would leave a message on the shared broker (the job test runs it on a worker).
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(url(course), {**POST, "mail_class": "on"}, follow=True)
    assert (
        "Announcement posted. Mail is being sent to 1 student and the course staff" in response.text
    )
    # The request only queued it (tests/courses/test_announcement_mail_job.py: a worker sends).
    assert mail.outbox == []
    assert len(queued) == 1


def test_the_mail_task_e_mails_each_active_member_once(course, tara, alice, bob):
    dropped = make_member(course, "dropped", "student")
    membership_set(course=course, user=dropped, role="student", is_active=False)
    make_member(course, "grader", "autograder")
    announcement = announcement_create(
        course=course, author=tara, title=POST["title"], body=POST["body"]
    )
    assert mail_announcement(announcement.pk) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.edu", "tara@example.edu"]
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert mail.outbox[0].subject == "[CS 7643] HW2 + PS2 out"
    assert "No class on 10/10." in mail.outbox[0].body


def test_the_mail_task_skips_an_announcement_deleted_meanwhile(course, tara, alice):
    announcement = announcement_create(
        course=course, author=tara, title=POST["title"], body=POST["body"]
    )
    gone = announcement.pk
    announcement.delete()
    assert mail_announcement(gone) == 0
    assert mail.outbox == []


def test_it_sends_the_mail_itself_when_the_queue_cannot_be_reached(
    client, course, ines, alice, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("no broker")

    monkeypatch.setattr(mail_announcement, "apply_async", broker_down)
    client.force_login(ines)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(course), {**POST, "mail_class": "on"})
    assert response.status_code == 302
    assert "could not queue the mail of announcement" in caplog.text
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.edu", "ines@example.edu"]


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({**POST, "title": ""}, "Title: This field is required"),
        ({**POST, "title": "x" * 201}, "Title: Ensure this value has at most 200 characters"),
        ({**POST, "body": "x" * 10_001}, "Message: Ensure this value has at most 10000"),
    ],
)
def test_it_names_the_field_of_bad_input(client, course, ines, payload, words):
    client.force_login(ines)
    response = client.post(url(course), {**payload, "mail_class": "on"})
    assert response.status_code == 400
    assert words in response.text
    assert not Announcement.objects.exists()
    assert mail.outbox == []


def test_it_edits_an_announcement(client, course, tara, posted):
    client.force_login(tara)
    page = client.get(edit_url(course, posted))
    assert page.status_code == 200
    assert 'value="No class on 10/10"' in page.text
    response = client.post(
        edit_url(course, posted), {"title": "No class on Tue 10/10", "pinned": "on"}
    )
    assert response.status_code == 302
    posted.refresh_from_db()
    assert (posted.title, posted.body, posted.pinned) == ("No class on Tue 10/10", "", True)


def test_it_keeps_the_announcement_when_an_edit_is_bad(client, course, ines, posted):
    client.force_login(ines)
    response = client.post(edit_url(course, posted), {"title": ""})
    assert response.status_code == 400
    assert "Title: This field is required" in response.text
    posted.refresh_from_db()
    assert posted.title == "No class on 10/10"


def test_it_asks_before_deleting(client, course, ines, posted):
    client.force_login(ines)
    page = client.get(delete_url(course, posted))
    assert page.status_code == 200
    assert "Delete this announcement?" in page.text
    assert Announcement.objects.exists()
    response = client.post(delete_url(course, posted), follow=True)
    assert response.redirect_chain == [(url(course), 302)]
    assert "deleted" in response.text
    assert not Announcement.objects.exists()


def test_it_shows_the_staff_pages_only_to_staff(client, course, alice, posted):
    client.force_login(alice)
    for target in (url(course), edit_url(course, posted), delete_url(course, posted)):
        assert client.get(target).status_code == 403
        assert client.post(target, POST).status_code == 403
    posted.refresh_from_db()
    assert posted.title == "No class on 10/10"
    assert Announcement.objects.count() == 1


def test_it_hides_the_course_from_non_members(client, course, bob, posted):
    client.force_login(bob)
    for target in (url(course), edit_url(course, posted), delete_url(course, posted)):
        assert client.get(target).status_code == 404
        assert client.post(target, POST).status_code == 404
    assert Announcement.objects.count() == 1


def test_it_sends_anonymous_visitors_to_log_in(client, course, posted):
    response = client.get(url(course))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_does_not_reach_another_course_s_announcement(client, course, ines, bob):
    other = bob.memberships.get().course
    theirs = announcement_create(course=other, author=None, title="Theirs")
    client.force_login(ines)
    assert client.get(edit_url(course, theirs)).status_code == 404
    assert client.post(delete_url(course, theirs)).status_code == 404
    assert Announcement.objects.filter(pk=theirs.pk).exists()


def test_it_keeps_the_post_when_the_mail_server_fails(course, ines, alice, monkeypatch, caplog):
    class Down:
        def send_messages(self, messages: list[Any]) -> int:
            raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr(services, "get_connection", Down)
    announcement = announcement_create(
        course=course, author=ines, title=POST["title"], body=POST["body"]
    )
    assert mail_announcement(announcement.pk) == 0
    assert Announcement.objects.get().title == "HW2 + PS2 out"
    assert "could not e-mail announcement" in caplog.text
