"""TLS to the shared services of other hosts (issue #20): rediss:// with the server's
certificate verified (against REDIS_TLS_CA_FILE), PostgreSQL's sslmode in DATABASE_URL."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery

from tests.conftest import require, start_worker, stop_worker, wait_until_ready, worker_env

ROOT = Path(__file__).resolve().parents[2]

SHOW = """
import django; django.setup()
from django.conf import settings as s
db = s.DATABASES["default"].get("OPTIONS", {})
print(db.get("sslmode", "-"), db.get("sslrootcert", "-"))
print(getattr(s, "CELERY_BROKER_USE_SSL", "-"), getattr(s, "CELERY_REDIS_BACKEND_USE_SSL", "-"))
print(s.CACHES["default"].get("OPTIONS", {}).get("CONNECTION_POOL_KWARGS", "-"))
"""


def django_with(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`code` run in a fresh production process with `env` (and none of this shell's
    database, broker or Redis settings)."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND",
                     "REDIS_TLS_CA_FILE", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "courseportal.settings", "SECRET_KEY": "x" * 50,
             "DEBUG": "false", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip


def test_postgresql_takes_its_tls_parameters_from_the_url(tmp_path: Path) -> None:
    url = "postgres://portal:pw@db.example.edu:5432/portal?sslmode=verify-full&sslrootcert=/ca.pem"
    shown = django_with(SHOW, DATABASE_URL=url)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0] == "verify-full /ca.pem"


def test_a_misspelt_sslmode_stops_start_up_naming_it() -> None:
    url = "postgres://portal:secret-password@db.example.edu/portal?sslmode=verify_full"
    refused = django_with(SHOW, DATABASE_URL=url)
    assert refused.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL has sslmode='verify_full'" in refused.stderr
    assert "secret-password" not in refused.stderr


def test_plain_redis_urls_get_no_tls_options() -> None:
    shown = django_with(SHOW, REDIS_URL="redis://127.0.0.1:6379/0")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[1:] == ["None None", "-"]


def test_a_rediss_url_verifies_the_server_against_the_named_ca(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("not read at start-up")
    shown = django_with(
        SHOW, REDIS_URL="rediss://redis.example.edu:6380/0", REDIS_TLS_CA_FILE=str(ca)
    )
    assert shown.returncode == 0, shown.stderr
    options = f"{{'ssl_cert_reqs': <VerifyMode.CERT_REQUIRED: 2>, 'ssl_ca_certs': '{ca}'}}"
    assert shown.stdout.splitlines()[1:] == [f"{options} {options}", options]


def test_a_missing_ca_file_stops_start_up_naming_it(tmp_path: Path) -> None:
    refused = django_with(SHOW, REDIS_TLS_CA_FILE=str(tmp_path / "nope.pem"))
    assert refused.returncode != 0
    assert "ImproperlyConfigured: REDIS_TLS_CA_FILE=" in refused.stderr


# --- A real Redis speaking only TLS -----------------------------------------------------------


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def make_certificates(folder: Path, name: str) -> dict[str, Path]:
    """A private CA and a server certificate it signed for 127.0.0.1 and localhost."""
    paths = {part: folder / f"{name}-{part}.pem" for part in ("ca", "ca-key", "cert", "key")}
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", f"/CN={name} test CA",
            "-keyout", str(paths["ca-key"]), "-out", str(paths["ca"]))  # fmt: skip
    request = folder / f"{name}.csr"
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", str(paths["key"]), "-out", str(request))  # fmt: skip
    extensions = folder / f"{name}.ext"
    extensions.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", str(request), "-CA", str(paths["ca"]), "-CAkey",
            str(paths["ca-key"]), "-CAcreateserial", "-days", "2", "-extfile", str(extensions),
            "-out", str(paths["cert"]))  # fmt: skip
    return paths


@pytest.fixture
def tls_redis(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """A redis-server of this test's own that speaks only TLS: its rediss:// URL, the CA that
    signed its certificate, and another CA (which did not)."""
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    paths = make_certificates(tmp_path, "redis")
    stranger = make_certificates(tmp_path, "stranger")["ca"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    log = tmp_path / "redis.log"
    server = subprocess.Popen(
        ["redis-server", "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
         "--tls-cert-file", str(paths["cert"]), "--tls-key-file", str(paths["key"]),
         "--tls-ca-cert-file", str(paths["ca"]), "--tls-auth-clients", "no",
         "--save", "", "--appendonly", "no", "--logfile", str(log)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while "Ready to accept connections" not in (log.read_text() if log.exists() else ""):
            if server.poll() is not None or time.monotonic() > deadline:
                text = log.read_text() if log.exists() else ""
                require("TLS" not in text or server.poll() is None, f"no TLS in redis: {text}")
                pytest.fail(f"redis-server did not start:\n{text[-2000:]}")
            time.sleep(0.1)
        yield f"rediss://127.0.0.1:{port}/0", paths["ca"], stranger
    finally:
        server.terminate()
        server.wait(timeout=20)


CACHE = """
import django; django.setup()
from django.core.cache import cache
cache.set("tls-probe", "over TLS", 30)
print(cache.get("tls-probe"))
"""


def test_the_cache_talks_tls_to_redis_and_refuses_a_server_it_cannot_verify(
    tls_redis: tuple[str, Path, Path],
) -> None:
    url, ca, stranger = tls_redis
    done = django_with(CACHE, REDIS_URL=url, REDIS_TLS_CA_FILE=str(ca))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "over TLS"
    refused = django_with(CACHE, REDIS_URL=url, REDIS_TLS_CA_FILE=str(stranger))
    assert refused.returncode != 0
    assert "CERTIFICATE_VERIFY_FAILED" in refused.stderr or "certificate verify" in refused.stderr


@pytest.mark.worker
def test_a_worker_takes_tasks_over_rediss(
    tls_redis: tuple[str, Path, Path], tmp_path: Path
) -> None:
    url, ca, _ = tls_redis
    env = worker_env(REDIS_URL=url, REDIS_TLS_CA_FILE=str(ca), CELERY_BROKER_URL=None)
    log = tmp_path / "worker.log"
    process = start_worker(env, log, queues="celery")
    try:
        wait_until_ready(process, log)
        tls = {"ssl_cert_reqs": "required", "ssl_ca_certs": str(ca)}
        client = Celery("client", broker=url, backend=url, set_as_current=False)
        client.conf.broker_use_ssl = tls
        client.conf.redis_backend_use_ssl = tls
        nonce = secrets.token_hex(8)
        reply = client.send_task("courseportal.ping", args=[nonce]).get(timeout=60)
        assert reply["nonce"] == nonce
        assert int(reply["pid"]) != os.getpid()
    finally:
        stop_worker(process)
