"""The lab page's submissions list refreshes itself while a listed grading is pending, and a
bulk "Regrade all" runs only once confirmed (400 naming the checkbox otherwise, nothing queued)."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.utils import timezone

from convlab.models import Assignment, Submission, SubmissionStatus
from convlab.views import REGRADE_ALL_CONFIRM

pytestmark = pytest.mark.django_db

POLL = 'hx-trigger="every 2s"'


@pytest.fixture
def lab(course: Any) -> Assignment:
    return Assignment.objects.create(
        course=course,
        slug="transposed-convolutions",
        title="Lab 2",
        suite="transposed-convolutions",
        opens_at=dt.datetime(2017, 9, 26, tzinfo=dt.UTC),
        due_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        max_submissions_per_day=3,
    )


def submission(lab: Assignment, student: Any, attempt: int, status: str) -> Submission:
    return Submission.objects.create(
        assignment=lab,
        student=student,
        submitted_by=student,
        file=f"submissions/{attempt}.py",
        sha256="0" * 64,
        attempt=attempt,
        status=status,
        score=1.0 if status == SubmissionStatus.DONE else None,
        max_score=1.0 if status == SubmissionStatus.DONE else None,
        received_at=timezone.now(),
    )


def page_url(lab: Assignment) -> str:
    return f"/courses/{lab.course_id}/labs/{lab.slug}/"


def regrade_url(lab: Assignment) -> str:
    return f"/courses/{lab.course_id}/labs/{lab.slug}/regrade/"


@pytest.mark.parametrize("pending", ["received", "queued", "running"])
def test_it_polls_the_list_while_a_grading_is_pending(client, lab, alice, pending):
    submission(lab, alice, 1, SubmissionStatus.DONE)
    submission(lab, alice, 2, pending)
    client.force_login(alice)
    page = client.get(page_url(lab)).text
    assert POLL in page
    assert f'hx-get="{page_url(lab)}"' in page


def test_it_stops_polling_when_every_grading_is_final(client, lab, alice):
    submission(lab, alice, 1, SubmissionStatus.DONE)
    submission(lab, alice, 2, SubmissionStatus.ERROR)
    client.force_login(alice)
    assert POLL not in client.get(page_url(lab)).text


def test_it_answers_the_poll_with_the_list_only(client, lab, alice):
    queued = submission(lab, alice, 1, SubmissionStatus.QUEUED)
    client.force_login(alice)
    headers = {"HX-Request": "true", "HX-Target": "submissions"}
    fragment = client.get(page_url(lab), headers=headers).text
    assert "Queued" in fragment
    assert POLL in fragment
    assert "<html" not in fragment
    assert "Submit for grading" not in fragment
    Submission.objects.filter(pk=queued.pk).update(status=SubmissionStatus.DONE, score=1.0)
    fragment = client.get(page_url(lab), headers=headers).text
    assert "Done" in fragment
    assert "Queued" not in fragment
    assert POLL not in fragment


def test_it_keeps_the_polled_list_to_the_student_s_own_attempts(client, lab, alice, course):
    from tests.factories import make_member

    carol = make_member(course, "carol", "student")
    submission(lab, carol, 1, SubmissionStatus.QUEUED)
    client.force_login(alice)
    fragment = client.get(
        page_url(lab), headers={"HX-Request": "true", "HX-Target": "submissions"}
    ).text
    assert "No submissions yet." in fragment
    assert POLL not in fragment


def test_it_asks_staff_to_confirm_before_regrading_all(client, lab, tara):
    client.force_login(tara)
    page = html.unescape(client.get(page_url(lab)).text)
    assert REGRADE_ALL_CONFIRM in page
    assert 'name="confirm" value="yes" required' in page


@pytest.mark.parametrize("data", [{}, {"confirm": ""}, {"confirm": "on"}])
def test_it_refuses_an_unconfirmed_regrade_all_and_queues_nothing(client, lab, alice, tara, data):
    done = submission(lab, alice, 1, SubmissionStatus.DONE)
    client.force_login(tara)
    response = client.post(regrade_url(lab), data)
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert f"tick “{REGRADE_ALL_CONFIRM}” to confirm" in page
    assert 'name="confirm" value="yes" required' in page
    done.refresh_from_db()
    assert done.status == SubmissionStatus.DONE


def test_it_regrades_all_once_confirmed(client, lab, alice, tara):
    done = submission(lab, alice, 1, SubmissionStatus.DONE)
    client.force_login(tara)
    response = client.post(regrade_url(lab), {"confirm": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == page_url(lab)
    assert [str(m) for m in response.context["messages"]] == ["1 submission queued for regrading."]
    done.refresh_from_db()
    assert done.status == SubmissionStatus.RECEIVED


def test_it_still_refuses_a_confirmed_regrade_all_to_students(client, lab, alice):
    client.force_login(alice)
    assert client.post(regrade_url(lab), {"confirm": "yes"}).status_code == 403
