"""docs/api.md's Python client is run as written: its signature check against the portal's own
signing, and the whole client against a live portal with a real grading worker."""

from __future__ import annotations

import datetime as dt
import re
import threading
import types
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from convlab import services
from convlab.models import Assignment, Submission
from convlab.tasks import deliver_webhook
from convlab.webhooks import webhook_signature
from courses.models import Course
from courses.services import api_token_create
from tests.factories import make_member

ROOT = Path(__file__).resolve().parents[2]
API_DOC = ROOT / "docs" / "api.md"
REFERENCE = (ROOT / "demo" / "solutions" / "transposed_convolutions.py").read_text()
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def load_client() -> types.ModuleType:
    """The ```python block of docs/api.md that defines the client, as a module."""
    blocks = [b for b in BLOCK.findall(API_DOC.read_text()) if "def verify_signature" in b]
    assert len(blocks) == 1, "docs/api.md should have one Python client block"
    module = types.ModuleType("autograder_client")
    exec(compile(blocks[0], str(API_DOC), "exec"), module.__dict__)  # noqa: S102 - our own docs
    return module


@pytest.fixture(scope="module")
def client_module() -> types.ModuleType:
    return load_client()


@pytest.mark.parametrize(
    ("secret", "body"),
    [
        ("s3cret", b'{"event": "submission.finished", "submission": 8841}'),
        ("a long secret with spaces and ümlauts", b""),
        ("k", bytes(range(256))),
    ],
)
def test_its_signature_check_accepts_what_the_portal_signs(
    client_module: types.ModuleType, secret: str, body: bytes
) -> None:
    verify = client_module.verify_signature
    assert verify(secret, body, webhook_signature(secret, body))
    assert not verify(secret, body + b" ", webhook_signature(secret, body))
    assert not verify(secret + "x", body, webhook_signature(secret, body))
    assert not verify(secret, body, webhook_signature(secret, body).removeprefix("sha256="))
    assert not verify(secret, body, "")


def _post(url: str, body: bytes, signature: str) -> int:
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - local
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Courseportal-Signature", signature)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local
            status: int = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_client_submits_polls_takes_the_webhook_and_reads_results(
    client_module: types.ModuleType,
    live_server: Any,
    grading_worker: Any,
    course: Course,
    alice: User,
) -> None:
    lab = Assignment.objects.create(
        course=course,
        slug="transposed-convolutions",
        title="Lab 2",
        suite="transposed-convolutions",
        opens_at=dt.datetime(2017, 9, 26, tzinfo=dt.UTC),
        due_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )
    robot = make_member(course, "robot", "autograder")
    _, key = api_token_create(user=robot, name="docs client")
    portal = client_module.Courseportal(live_server.url, key)

    made = portal.submit(course.pk, lab.slug, "alice", REFERENCE, "docs-alice-1")
    again = portal.submit(course.pk, lab.slug, "alice", REFERENCE, "docs-alice-1")
    assert again["id"] == made["id"]
    with pytest.raises(client_module.ApiError) as refused:
        portal.submit(course.pk, lab.slug, "nobody", REFERENCE, "docs-nobody-1")
    assert refused.value.status == 400
    assert "student" in refused.value.body

    graded = portal.wait(made["url"], timeout=120, every=0.2)
    assert (graded["status"], graded["gradable"]) == ("done", True)
    results = portal.results(made["id"])
    assert results["score"] == results["max_score"] > 0
    assert all(test["status"] == "passed" for test in results["tests"])

    # The webhook, delivered by the portal's own task to the docs' receiver. Set after the
    # grading so that no delivery waits in a queue for another test's worker.
    events: list[tuple[dict[str, Any], dict[str, Any]]] = []
    handled = threading.Event()

    def on_finished(event: dict[str, Any]) -> None:
        events.append((event, portal.results(event["submission"])))
        handled.set()

    # The receiver answers 204 before it handles the event (as a webhook receiver should), in
    # a thread of its own: wait for that thread instead of racing it.
    server = client_module.webhook_server(0, "whsec-7643", on_finished)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_port}/hook"
    try:
        Assignment.objects.filter(pk=lab.pk).update(webhook_url=hook, webhook_secret="whsec-7643")
        delivery = services.webhook_delivery_create(
            submission=Submission.objects.get(pk=made["id"])
        )
        assert delivery is not None
        assert deliver_webhook.apply(args=(str(delivery.pk),)).get() == "delivered"
        forged = b'{"event": "submission.finished", "submission": 1}'
        assert _post(hook, forged, webhook_signature("not the secret", forged)) == 401
        assert handled.wait(timeout=30), "the receiver never handled the delivered event"
    finally:
        server.shutdown()
    assert len(events) == 1
    event, fetched = events[0]
    assert (event["submission"], event["student"], event["status"]) == (made["id"], "alice", "done")
    assert fetched == results
