"""Webhook targets on private, loopback, link-local, multicast or reserved addresses are refused
in production settings: when configured (the field is named) and again at delivery."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from convlab import webhooks
from convlab.models import Assignment, Submission, WebhookDelivery
from convlab.webhooks import WebhookRefused, check_webhook_url
from tests.factories import make_user

PUBLIC = "93.184.215.14"
REAL_GETADDRINFO = socket.getaddrinfo


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(self.headers["Host"])
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook_port() -> Iterator[int]:
    """A real HTTP server on 127.0.0.1, which must never be called when private is refused."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received = []
    yield server.server_port
    server.shutdown()


@pytest.fixture
def production(settings):
    settings.CONVLAB_WEBHOOK_ALLOW_PRIVATE = False
    return settings


@pytest.fixture
def dns(monkeypatch):
    """hooks.example.edu resolves to whatever `answer` holds now (a DNS record that changes)."""
    answer = {"hooks.example.edu": PUBLIC}

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answer:
            return REAL_GETADDRINFO(answer[host], port, *args, **kwargs)
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answer


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook", "http://localhost:8000/hook", "http://10.1.2.3/",
        "http://172.16.0.1/", "http://192.168.1.10/", "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/", "http://0.0.0.0/", "http://224.0.0.1/", "http://240.0.0.1/",
        "http://[::1]/", "http://[fe80::1]/", "http://[fc00::1]/", "http://[::ffff:127.0.0.1]/",
        "http://[ff02::1]/", "http://2130706433/",
    ],
)  # fmt: skip
def test_it_refuses_private_and_reserved_targets(production, url):
    with pytest.raises(ValidationError) as refused:
        check_webhook_url(url)
    assert list(refused.value.message_dict) == ["webhook_url"]


@pytest.mark.parametrize("url", ["ftp://example.edu/x", "javascript:alert(1)", "http:///path"])
def test_it_refuses_other_schemes_and_missing_hosts(production, url):
    with pytest.raises(ValidationError, match="http"):
        check_webhook_url(url)


def test_it_accepts_public_addresses_and_names(production, dns):
    check_webhook_url(f"https://{PUBLIC}/hook")
    check_webhook_url("https://hooks.example.edu/hook")
    dns["hooks.example.edu"] = "10.0.0.7"
    with pytest.raises(ValidationError, match=r"10\.0\.0\.7"):
        check_webhook_url("https://hooks.example.edu/hook")


def test_it_refuses_a_name_that_does_not_resolve(production):
    with pytest.raises(ValidationError, match="does not resolve"):
        check_webhook_url("https://no-such-host.invalid/hook")


def test_development_may_use_private_targets(settings):
    settings.CONVLAB_WEBHOOK_ALLOW_PRIVATE = True
    check_webhook_url("http://127.0.0.1:9000/hook")


def test_the_setting_is_off_in_production_and_on_with_debug(tmp_path):
    import subprocess
    import sys

    from tests.security.test_deploy import ROOT, production_env

    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.CONVLAB_WEBHOOK_ALLOW_PRIVATE)"
    for debug, expected in (("false", "False"), ("true", "True")):
        env = production_env(tmp_path, DEBUG=debug)
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=60, check=True,
        )  # fmt: skip
        assert done.stdout.strip() == expected


@pytest.mark.django_db
def test_the_admin_form_names_the_field_and_saves_nothing(production, course):
    admin = make_user("root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    form = {
        "course": course.pk, "slug": "lab-9", "title": "Lab 9", "suite": "transposed-convolutions",
        "opens_at_0": "2017-09-26", "opens_at_1": "09:00:00", "due_at_0": "2017-10-19",
        "due_at_1": "23:59:00", "grace_minutes": 0, "late_penalty_percent_per_day": 10,
        "max_submissions_per_day": 20, "webhook_url": "http://169.254.169.254/latest",
    }  # fmt: skip
    response = client.post("/admin/convlab/assignment/add/", form)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["webhook_url"]
    assert "private or reserved" in errors["webhook_url"][0]
    assert not Assignment.objects.filter(slug="lab-9").exists()
    form["webhook_url"] = f"https://{PUBLIC}/hook"
    assert client.post("/admin/convlab/assignment/add/", form).status_code == 302
    assert Assignment.objects.filter(slug="lab-9").exists()


@pytest.fixture
def finished(lab, alice, tmp_path, settings):
    from convlab import services

    settings.MEDIA_ROOT = tmp_path
    made = services.submission_create(
        assignment=lab, student=alice, submitted_by=alice, content=b"x = 1\n"
    ).submission
    Submission.objects.filter(pk=made.pk).update(status="done", gradable=True, score=1)
    return made


def deliver(submission: Submission) -> WebhookDelivery:
    """Store the submission's event and make one attempt at delivering it, as a worker would."""
    from convlab import services

    made = services.webhook_delivery_create(submission=Submission.objects.get(pk=submission.pk))
    assert made is not None
    delivered = services.webhook_deliver(delivery_id=made.pk)
    assert delivered is not None
    return delivered


def assert_refused_for_good(delivery: WebhookDelivery, reason: str) -> None:
    """Refused: a final state, never tried again, with the reason for staff."""
    assert (delivery.state, delivery.attempts) == ("refused", 1)
    assert reason in delivery.last_error


@pytest.mark.django_db
def test_delivery_refuses_a_private_target_saved_before_the_check(production, finished, hook_port):
    Assignment.objects.filter(pk=finished.assignment_id).update(
        webhook_url=f"http://127.0.0.1:{hook_port}/hook"
    )
    assert_refused_for_good(deliver(finished), "private or reserved address")
    assert _Hook.received == []


@pytest.mark.django_db
def test_delivery_checks_the_name_again_dns_rebinding(production, finished, hook_port, dns):
    assignment = finished.assignment
    assignment.webhook_url = f"http://hooks.example.edu:{hook_port}/hook"
    assignment.full_clean()  # public when configured...
    assignment.save()
    dns["hooks.example.edu"] = "127.0.0.1"  # ...loopback when delivered
    assert_refused_for_good(deliver(finished), "at delivery")
    assert _Hook.received == []


@pytest.mark.django_db
def test_delivery_connects_to_the_address_it_checked(
    production, finished, hook_port, dns, monkeypatch
):
    """The checked address is the one connected to, and the Host header keeps the name."""
    dns["hooks.example.edu"] = "127.0.0.1"
    monkeypatch.setattr(webhooks, "is_public", lambda address: str(address) == "127.0.0.1")
    Assignment.objects.filter(pk=finished.assignment_id).update(
        webhook_url=f"http://hooks.example.edu:{hook_port}/hook"
    )
    delivery = deliver(finished)
    assert (delivery.state, delivery.last_status) == ("delivered", 204)
    assert _Hook.received == [f"hooks.example.edu:{hook_port}"]


class _Redirect(http.server.BaseHTTPRequestHandler):
    """Answers every request with a 302 to `location`, and notes each request it got."""

    location = ""
    received: list[str] = []

    def _answer(self) -> None:
        _Redirect.received.append(f"{self.command} {self.path}")
        self.send_response(302)
        self.send_header("Location", _Redirect.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self._answer()

    do_GET = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def redirecting(
    production: object,
    finished: Submission,
    dns: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[int]:
    """hooks.example.edu is a server on 127.0.0.1 (the one address taken as public here) that
    answers the webhook with a redirect to `_Redirect.location`; returns its port."""
    dns["hooks.example.edu"] = "127.0.0.1"
    monkeypatch.setattr(webhooks, "is_public", lambda address: str(address) == "127.0.0.1")
    server = http.server.HTTPServer(("127.0.0.1", 0), _Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Redirect.received = []
    Assignment.objects.filter(pk=finished.assignment_id).update(
        webhook_url=f"http://hooks.example.edu:{server.server_port}/hook"
    )
    yield server.server_port
    server.shutdown()


@pytest.fixture
def private_listener() -> Iterator[tuple[int, list[str]]]:
    """A bare TCP listener on 127.0.0.2 (private here), noting every connection it accepts."""
    accepted: list[str] = []
    listener = socket.create_server(("127.0.0.2", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, peer = listener.accept()
            except TimeoutError:
                continue
            accepted.append(peer[0])
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1], accepted
    stop.set()
    thread.join()
    listener.close()


@pytest.mark.django_db
def test_it_follows_no_redirect_to_ftp(redirecting, finished, private_listener):
    """urllib's default opener would fetch the ftp:// URL through its FTP handler, which checks
    no address: here one that is private."""
    port, accepted = private_listener
    _Redirect.location = f"ftp://127.0.0.2:{port}/etc/passwd"
    assert_refused_for_good(deliver(finished), "answered 302")
    assert _Redirect.received == ["POST /hook"]
    assert accepted == []


@pytest.mark.django_db
def test_it_follows_no_redirect_to_a_private_address(redirecting, finished, private_listener):
    port, accepted = private_listener
    _Redirect.location = f"http://127.0.0.2:{port}/internal"
    assert_refused_for_good(deliver(finished), "answered 302")
    assert _Redirect.received == ["POST /hook"]
    assert accepted == []


@pytest.mark.django_db
def test_a_redirect_is_a_final_failed_delivery(redirecting, finished):
    """Even to a public address: urllib would turn the POST into a GET without the body, so
    following it delivers nothing; staff fix the URL instead."""
    _Redirect.location = f"http://hooks.example.edu:{redirecting}/moved"
    assert_refused_for_good(deliver(finished), "answered 302")
    assert _Redirect.received == ["POST /hook"]


@pytest.mark.parametrize("url", ["ftp://127.0.0.2/x", "file:///etc/passwd", "data:,x"])
def test_the_opener_opens_nothing_but_http_and_https(production, url):
    with pytest.raises(WebhookRefused, match="not http or https"):
        webhooks.opener().open(url, timeout=1)
