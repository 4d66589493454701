"""The webhook outbox: an event is stored with the grading's final state, delivered with its id
until a 2xx answers, with back-off, and given up (for staff to see) after the last attempt."""

from __future__ import annotations

import datetime as dt
import socket
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from convlab import services
from convlab.models import Assignment, Submission, WebhookDelivery
from tests.convlab.service.conftest import REFERENCE
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def graded(lab: Assignment, alice: User, url: str) -> Submission:
    """A submission of alice's, claimed and finished (not gradable) with `url` as the
    assignment's webhook."""
    Assignment.objects.filter(pk=lab.pk).update(webhook_url=url, webhook_secret="s3cret")
    made = services.submission_create(
        assignment=lab, student=alice, submitted_by=alice, content=REFERENCE
    ).submission
    Submission.objects.filter(pk=made.pk).update(status="queued")
    services.submission_claim(submission_id=made.pk, task_id="t1", worker="w1")
    finished = services.submission_finish(
        submission_id=made.pk, task_id="t1", result=None, error="test: no grading"
    )
    assert finished is not None
    return finished


def test_it_stores_the_event_with_the_final_state_and_sends_its_id(lab, alice, receiver):
    submission = graded(lab, alice, receiver.url)
    stored = WebhookDelivery.objects.get()
    assert (stored.submission_id, stored.state, stored.attempts) == (submission.pk, "pending", 0)
    assert stored.payload["status"] == "error"
    assert stored.payload["delivery"] == str(stored.pk)
    delivered = services.webhook_deliver(delivery_id=stored.pk)
    assert delivered is not None
    assert (delivered.state, delivered.attempts, delivered.last_status) == ("delivered", 1, 204)
    assert delivered.delivered_at is not None
    [(header, body)] = receiver.received
    assert header == body["delivery"] == str(stored.pk)
    assert (body["submission"], body["status"], body["student"]) == (
        submission.pk,
        "error",
        "alice",
    )


def test_it_sends_what_was_true_when_the_grading_finished(lab, alice, receiver):
    submission = graded(lab, alice, receiver.url)
    Submission.objects.filter(pk=submission.pk).update(status="received")  # a regrade began
    services.webhook_deliver(delivery_id=WebhookDelivery.objects.get().pk)
    assert receiver.received[0][1]["status"] == "error"


def test_it_stores_nothing_without_a_webhook_url(lab, alice):
    graded(lab, alice, "")
    assert not WebhookDelivery.objects.exists()


def test_it_tries_again_with_back_off_until_a_2xx_answers(lab, alice, receiver):
    receiver.answers = [500, 503]
    graded(lab, alice, receiver.url)
    delivery_id = WebhookDelivery.objects.get().pk
    now = timezone.now()
    first = services.webhook_deliver(delivery_id=delivery_id, now=now)
    assert first is not None
    assert (first.state, first.attempts, first.last_status) == ("pending", 1, 500)
    assert "500" in first.last_error
    assert first.next_attempt_at == now + dt.timedelta(seconds=10)
    # Not due yet: the periodic deliverer passes it over.
    assert services.webhooks_deliver_due(now=now + dt.timedelta(seconds=9)) == {}
    second = services.webhooks_deliver_due(now=now + dt.timedelta(seconds=10))
    assert second == {"pending": 1}
    assert WebhookDelivery.objects.get().last_status == 503
    third = services.webhooks_deliver_due(now=now + dt.timedelta(hours=1))
    assert third == {"delivered": 1}
    assert [header for header, _ in receiver.received] == [str(delivery_id)] * 3
    assert services.webhooks_deliver_due(now=now + dt.timedelta(hours=2)) == {}
    assert len(receiver.received) == 3


def test_it_backs_off_exponentially_up_to_the_cap(lab, alice, receiver, settings):
    settings.CONVLAB_WEBHOOK_BACKOFF_MAX = 50
    receiver.answers = [500] * 5
    graded(lab, alice, receiver.url)
    waits = []
    now = timezone.now()
    for _ in range(5):
        now = WebhookDelivery.objects.get().next_attempt_at
        services.webhooks_deliver_due(now=now)
        waits.append((WebhookDelivery.objects.get().next_attempt_at - now).total_seconds())
    assert waits == [10, 20, 40, 50, 50]


def test_it_gives_up_after_the_last_attempt(lab, alice, receiver, settings):
    settings.CONVLAB_WEBHOOK_ATTEMPTS = 3
    receiver.answers = [500] * 10
    graded(lab, alice, receiver.url)
    later = timezone.now()
    for _ in range(5):
        later += dt.timedelta(hours=1)
        services.webhooks_deliver_due(now=later)
    failed = WebhookDelivery.objects.get()
    assert (failed.state, failed.attempts, failed.last_status) == ("failed", 3, 500)
    assert len(receiver.received) == 3


def test_it_tries_an_unreachable_receiver_again(lab, alice):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the probe is: nothing listens there
    graded(lab, alice, f"http://127.0.0.1:{port}/hook")
    attempt = services.webhook_deliver(delivery_id=WebhookDelivery.objects.get().pk)
    assert attempt is not None
    assert (attempt.state, attempt.attempts, attempt.last_status) == ("pending", 1, None)
    assert "refused" in attempt.last_error.lower()


def test_an_attempt_in_flight_is_not_claimed_again(lab, alice, receiver):
    """A claim holds the delivery for CONVLAB_WEBHOOK_LEASE seconds: a deliverer that finds it
    claimed (its attempt still running, or its worker dead) leaves it alone until then."""
    graded(lab, alice, receiver.url)
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()
    # The claim as a deliverer that died during its POST left it.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=1, next_attempt_at=now + dt.timedelta(seconds=120)
    )
    assert services.webhooks_deliver_due(now=now) == {}
    again = services.webhook_deliver(delivery_id=delivery.pk, now=now)
    assert again is not None
    assert again.state == "pending"
    assert receiver.received == []
    assert services.webhooks_deliver_due(now=now + dt.timedelta(seconds=121)) == {"delivered": 1}
    assert WebhookDelivery.objects.get().attempts == 2


def test_staff_see_failed_deliveries_in_the_admin_read_only(lab, alice, receiver, settings):
    settings.CONVLAB_WEBHOOK_ATTEMPTS = 1
    receiver.answers = [500]
    graded(lab, alice, receiver.url)
    services.webhooks_deliver_due()
    failed = WebhookDelivery.objects.get()
    assert failed.state == "failed"
    client = Client()
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    listing = client.get("/admin/convlab/webhookdelivery/", {"state": "failed"})
    assert listing.status_code == 200
    assert str(failed.pk) in listing.text
    page = client.get(f"/admin/convlab/webhookdelivery/{failed.pk}/change/")
    assert page.status_code == 200
    assert "answered 500" in page.text
    assert 'name="_save"' not in page.text
    assert client.get("/admin/convlab/webhookdelivery/add/").status_code == 403


def test_a_message_queued_before_the_outbox_is_passed_over(lab, alice):
    """Messages of the task as it was (a submission id, not a delivery id) may wait in the
    broker across an upgrade: they do nothing, the outbox has no event for them."""
    from convlab.tasks import deliver_webhook

    assert deliver_webhook.apply(args=(5,)).get() == "nothing to do: not a delivery id"
    assert deliver_webhook.apply(args=(str(uuid.uuid4()),)).get() == (
        "nothing to do: no such delivery"
    )
