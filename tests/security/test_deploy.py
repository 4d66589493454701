"""Production settings: `check --deploy` is clean, and pages carry the security headers."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings

from courses.models import Course
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


# What a production start shares with this shell: the system's basics and the services' URLs
# (CI's PostgreSQL and Redis). Nothing else: the test run sets variables of its own (the browser
# tests' DJANGO_ALLOW_ASYNC_UNSAFE, settings_test's SECRET_KEY and COURSEPORTAL_VAR_DIR, pytest's
# PYTEST_*) that no deployment has and that `check --deploy` rightly complains about.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "DATABASE_URL", "REDIS_URL")


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a production start: no DEBUG, a real key, named hosts."""
    keep = {k: os.environ[k] for k in INHERITED if k in os.environ}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "courseportal.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "portal.example.edu",
        "CSRF_TRUSTED_ORIGINS": "https://portal.example.edu",
        "COURSEPORTAL_VAR_DIR": str(tmp_path),
        **extra,
    }


def test_the_production_environment_leaves_out_what_the_tests_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    monkeypatch.setenv("SECURE_SSL_REDIRECT", "false")
    monkeypatch.setenv("PATH", os.environ.get("PATH", "/usr/bin"))
    env = production_env(tmp_path)
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in env
    assert "SECURE_SSL_REDIRECT" not in env
    assert env["PATH"] == os.environ["PATH"]
    assert env["COURSEPORTAL_VAR_DIR"] == str(tmp_path)


SECRETS = ("SECRET_KEY", "POSTGRES_PASSWORD")


def test_the_compose_file_has_no_default_for_a_secret() -> None:
    """Each secret is read as `${NAME:?message}`: compose stops, naming it, when it is unset
    or empty, instead of starting with a value everyone who read the file knows."""
    text = (ROOT / "docker-compose.yml").read_text()
    for name in SECRETS:
        uses = re.findall(r"\$\{" + name + r"([^}]*)\}", text)
        assert uses, name
        assert all(use.startswith(":?") and use[2:].strip() for use in uses), (name, uses)


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")
@pytest.mark.parametrize("missing", SECRETS)
def test_compose_refuses_to_start_without_a_secret(missing: str) -> None:
    def config(**given: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in SECRETS}
        return subprocess.run(
            ["docker-compose", "--file", "docker-compose.yml", "config", "--quiet"],
            cwd=ROOT,
            env={**env, **given},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    both = {"SECRET_KEY": "k" * 50, "POSTGRES_PASSWORD": "p" * 24}
    assert config(**both).returncode == 0
    refused = config(**{k: v for k, v in both.items() if k != missing})
    assert refused.returncode != 0
    assert f"set {missing}" in refused.stderr


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_finds_no_issue_with_the_production_defaults(tmp_path: Path) -> None:
    done = check_deploy(production_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout
    assert "WARNINGS" not in done.stdout + done.stderr


def test_check_deploy_refuses_the_async_unsafe_switch_of_the_browser_tests(
    tmp_path: Path,
) -> None:
    """What the production environment must leave out: with it, the check fails."""
    done = check_deploy(production_env(tmp_path, DJANGO_ALLOW_ASYNC_UNSAFE="true"))
    assert done.returncode != 0
    assert "async.E001" in done.stdout + done.stderr


def test_check_deploy_warns_when_a_deployment_turns_https_off(tmp_path: Path) -> None:
    """The check above can fail: the same command complains once the strict defaults go."""
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="false", SESSION_COOKIE_SECURE="false")
    done = check_deploy(env)
    assert done.returncode != 0
    assert "security.W008" in done.stderr + done.stdout
    assert "security.W012" in done.stderr + done.stdout


@pytest.mark.django_db
def test_a_page_carries_the_security_headers(client: Client, course: Course, alice: User) -> None:
    client.force_login(alice)
    response = client.get(f"/courses/{course.pk}/", secure=True)
    assert response.status_code == 200
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(
        part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_pages_have_no_inline_script_or_style_the_policy_would_block(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    text = client.get("/", follow=True).text
    assert "<script>" not in text
    assert "<style" not in text
    assert " style=" not in text
    assert '"includeIndicatorStyles": false' in text  # htmx adds no <style> of its own


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_and_http_only(client: Client, alice: User) -> None:
    login = client.get("/accounts/login/", secure=True)
    csrf = login.cookies["csrftoken"]
    assert csrf["secure"]
    assert csrf["httponly"]
    token = csrf.value
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_except_the_health_check(
    client: Client, settings: Settings
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/accounts/login/"
    behind_proxy = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    assert behind_proxy.status_code == 200
    assert client.get("/healthz").status_code in {200, 503}  # answered, not redirected
    assert client.get("/healthz/ready").status_code == 401  # answered: asks for a token


@pytest.mark.django_db
def test_only_the_api_docs_page_widens_the_policy_for_swagger_ui(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    policy = docs.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" in policy  # Swagger UI's inline styles
    assert "http" not in policy  # no other host: Swagger UI's files are ours (sidecar)
    assert "<script>" not in docs.text  # the split view serves its script from a URL
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.text
    page = client.get("/account/")
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
