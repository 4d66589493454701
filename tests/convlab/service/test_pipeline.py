"""The grading pipeline's guarantees: one claim, one final state, nothing lost."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.server
import json
import threading
from collections.abc import Iterator

import pytest
from django.utils import timezone

from convlab import services
from convlab.models import Assignment, GradingRun, Submission
from convlab.tasks import deliver_webhook
from convlab.webhooks import webhook_signature
from tests.convlab.service.conftest import REFERENCE

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(lab, alice):
    return services.submission_create(
        assignment=lab, student=alice, submitted_by=alice, content=REFERENCE
    ).submission


def queued(submission: Submission) -> Submission:
    Submission.objects.filter(pk=submission.pk).update(status="queued", queued_at=timezone.now())
    return submission


def test_it_lets_only_one_worker_claim_a_submission(submission):
    queued(submission)
    first = services.submission_claim(submission_id=submission.pk, task_id="t1", worker="w1")
    second = services.submission_claim(submission_id=submission.pk, task_id="t2", worker="w2")
    assert first is not None
    assert second is None
    assert Submission.objects.get().task_id == "t1"


def test_it_lets_a_redelivered_task_take_its_claim_over(submission):
    queued(submission)
    services.submission_claim(submission_id=submission.pk, task_id="t1", worker="w1")
    again = services.submission_claim(submission_id=submission.pk, task_id="t1", worker="w2")
    assert again is not None
    runs = list(GradingRun.objects.order_by("number").values_list("status", "worker"))
    assert runs == [("superseded", "w1"), ("running", "w2")]


def test_it_drops_a_late_result_once_the_sweeper_gave_the_submission_away(submission, settings):
    queued(submission)
    services.submission_claim(submission_id=submission.pk, task_id="slow", worker="w1")
    settings.CONVLAB_STUCK_AFTER = 60
    later = timezone.now() + dt.timedelta(seconds=120)
    counts = services.submissions_requeue_stuck(now=later)
    assert counts["running"] == 1
    assert Submission.objects.get().status == "queued"
    assert (
        services.submission_finish(submission_id=submission.pk, task_id="slow", result=None) is None
    )
    fresh = services.submission_claim(submission_id=submission.pk, task_id="t2", worker="w2")
    assert fresh is not None
    finished = services.submission_finish(submission_id=submission.pk, task_id="t2", result=None)
    assert finished is not None
    assert finished.status == "error"
    assert list(GradingRun.objects.order_by("number").values_list("status", flat=True)) == [
        "superseded",
        "error",
    ]


def test_it_queues_what_never_reached_the_broker(submission):
    Submission.objects.filter(pk=submission.pk).update(status="received")
    counts = services.submissions_requeue_stuck(now=timezone.now() + dt.timedelta(seconds=5))
    assert counts["received"] == 1
    assert Submission.objects.get().status == "queued"


@pytest.mark.parametrize(
    ("received", "days", "score"),
    [
        (dt.datetime(2017, 10, 19, 23, 0, tzinfo=dt.UTC), 0, 80.0),
        (dt.datetime(2017, 10, 20, 0, 30, tzinfo=dt.UTC), 0, 80.0),  # within the grace period
        (dt.datetime(2017, 10, 20, 1, 30, tzinfo=dt.UTC), 1, 72.0),
        (dt.datetime(2017, 10, 22, 1, 30, tzinfo=dt.UTC), 3, 56.0),
        (dt.datetime(2017, 11, 30, 0, 0, tzinfo=dt.UTC), 41, 0.0),
    ],
)
def test_it_applies_the_late_policy(lab, received, days, score):
    lab.due_at = dt.datetime(2017, 10, 20, 0, 0, tzinfo=dt.UTC)
    lab.grace_minutes = 60
    lab.late_penalty_percent_per_day = 10
    assert services.late_days(lab, received) == days
    assert services.penalized(lab, 80.0, days) == score


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def hook_server() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received = []
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def test_it_signs_webhooks_with_hmac_sha256_of_the_body(submission, hook_server):
    Assignment.objects.filter(pk=submission.assignment_id).update(
        webhook_url=hook_server, webhook_secret="s3cret"
    )
    Submission.objects.filter(pk=submission.pk).update(status="done", score=1.0, gradable=True)
    delivery = services.webhook_delivery_create(submission=Submission.objects.get(pk=submission.pk))
    assert delivery is not None
    assert deliver_webhook.apply(args=(str(delivery.pk),)).get() == "delivered"
    headers, body = _Hook.received[0]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Courseportal-Signature"] == expected == webhook_signature("s3cret", body)
    payload = json.loads(body)
    assert (payload["submission"], payload["status"], payload["student"]) == (
        submission.pk,
        "done",
        "alice",
    )
    assert payload["delivery"] == headers["X-Courseportal-Delivery"] == str(delivery.pk)
