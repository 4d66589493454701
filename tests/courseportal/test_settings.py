"""Settings come from the environment and a bad value stops start-up, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import SimpleRateThrottle

from courseportal.env import (
    envbool,
    envdomain,
    envint,
    envlist,
    envloglevel,
    envrate,
    envtimezone,
    envurl,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("0", False), ("On", True), ("", False)]
)
def test_it_reads_booleans(raw: str, expected: bool) -> None:
    assert envbool("DEBUG", not expected, env={"DEBUG": raw}) is expected


def test_it_derives_the_calendar_domain_from_the_allowed_hosts() -> None:
    """h18edges: event UIDs are under the site's domain, given or the first named host."""
    name = "COURSEPORTAL_CALENDAR_DOMAIN"
    assert envdomain(name, [], env={name: "Portal.Example.EDU"}) == "portal.example.edu"
    hosts = ["*", "10.0.0.7", "[::1]", ".portal.example.edu", "other.example.edu"]
    assert envdomain(name, hosts, env={}) == "portal.example.edu"
    assert envdomain(name, ["127.0.0.1", "*"], env={name: ""}) == "localhost"


def test_it_uses_the_default_when_a_variable_is_unset() -> None:
    assert envbool("DEBUG", True, env={}) is True
    assert envint("N", 5, env={}) == 5
    assert envlist("ALLOWED_HOSTS", ["a"], env={}) == ["a"]


@pytest.mark.parametrize(
    ("reader", "name", "raw", "words"),
    [
        (lambda env: envbool("DEBUG", False, env=env), "DEBUG", "maybe", "not a boolean"),
        (lambda env: envint("N", 1, env=env), "N", "ten", "not an integer"),
        (lambda env: envint("N", 1, minimum=1, env=env), "N", "0", "at least 1"),
        (lambda env: envlist("ALLOWED_HOSTS", [], env=env), "ALLOWED_HOSTS", "a,,b", "empty item"),
        (lambda env: envtimezone("TIME_ZONE", "UTC", env=env), "TIME_ZONE", "Mars/Base", "IANA"),
        (
            lambda env: envurl("DATABASE_URL", None, schemes=("postgres",), env=env),
            "DATABASE_URL",
            "mysql://x",
            "postgres://",
        ),
        (
            lambda env: envrate("SUBMIT_RATE", "30/min", env=env),
            "SUBMIT_RATE",
            "lots",
            "not a rate",
        ),
        (lambda env: envloglevel("LOG_LEVEL", "INFO", env=env), "LOG_LEVEL", "LOUD", "log level"),
        # h18edges: the calendar feeds' UID domain.
        (
            lambda env: envdomain("COURSEPORTAL_CALENDAR_DOMAIN", [], env=env),
            "COURSEPORTAL_CALENDAR_DOMAIN",
            "portal example/edu",
            "not a domain name",
        ),
    ],
)
def test_it_names_the_variable_with_a_bad_value(reader, name, raw, words):
    with pytest.raises(ImproperlyConfigured, match=words) as caught:
        reader({name: raw})
    assert str(caught.value).startswith(f"{name}=")


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("5/s", 1), ("5/sec", 1), ("5/second", 1), ("120/m", 60), ("120/min", 60),
     ("120/minute", 60), ("7/h", 3600), ("7/hour", 3600), ("1/d", 86400), ("1000/day", 86400)],
)  # fmt: skip
def test_it_accepts_the_rates_drf_reads_as_meant(raw: str, seconds: int) -> None:
    rate = envrate("SUBMIT_RATE", "30/min", env={"SUBMIT_RATE": raw})
    assert rate == raw
    throttle = type("Throttle", (SimpleRateThrottle,), {"rate": rate})()
    assert (throttle.num_requests, throttle.duration) == (int(raw.split("/")[0]), seconds)


def test_it_uses_the_default_rate_when_the_variable_is_unset_or_empty() -> None:
    assert envrate("SUBMIT_RATE", "30/min", env={}) == "30/min"
    assert envrate("SUBMIT_RATE", "30/min", env={"SUBMIT_RATE": ""}) == "30/min"


@pytest.mark.parametrize(
    "raw",
    # DRF reads only the period's first letter: a month or a fortnight would mean a minute, and
    # a week fails every request with a KeyError.
    ["lots", "30/fortnight", "100/month", "10/week", "0/min", "-1/min", "1.5/min", "30/Min",
     "30 / min", "30/", "/min", "30", "30/min/x", "٣/min"],
)  # fmt: skip
def test_it_refuses_a_rate_drf_would_misread(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="not a rate") as caught:
        envrate("ANALYZE_RATE", "120/min", env={"ANALYZE_RATE": raw})
    assert str(caught.value).startswith("ANALYZE_RATE=")


@pytest.mark.parametrize(
    ("raw", "level"), [("", "INFO"), ("warning", "WARNING"), ("DEBUG", "DEBUG")]
)
def test_it_reads_log_levels_in_any_case(raw: str, level: str) -> None:
    assert envloglevel("LOG_LEVEL", "INFO", env={"LOG_LEVEL": raw}) == level


def start_django(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "courseportal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_refuses_to_start_without_a_secret_key_unless_debug() -> None:
    refused = start_django(DEBUG="false")
    assert refused.returncode != 0
    assert "SECRET_KEY is not set" in refused.stderr
    assert start_django(DEBUG="true").stdout.strip() == "started"


@pytest.mark.parametrize(
    ("name", "raw"),
    [("DEBUG", "maybe"), ("TIME_ZONE", "Nowhere/Else"), ("DATABASE_URL", "oracle://x"),
     ("REDIS_URL", "http://127.0.0.1:6379"), ("ALLOWED_HOSTS", "a,,b"), ("CONN_MAX_AGE", "-1"),
     ("EMAIL_PORT", "smtp"), ("EMAIL_PORT", "0"), ("EMAIL_USE_TLS", "maybe"),
     ("ANALYZE_RATE", "lots"), ("SUBMIT_RATE", "30/fortnight"), ("LOG_LEVEL", "LOUD")],
)  # fmt: skip
def test_it_stops_start_up_on_a_bad_value(name: str, raw: str) -> None:
    result = start_django(**{"SECRET_KEY": "x" * 50, "DEBUG": "true", name: raw})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name}=" in result.stderr


SHOW = """
import django; django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
renderers = settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]
print(db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"], *renderers)
"""


def show_settings(**env: str) -> list[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "CONN_MAX_AGE"}
    }
    done = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "courseportal.settings",
            "SECRET_KEY": "x" * 50,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.split()


def test_it_keeps_database_connections_and_answers_json_only_in_production() -> None:
    assert show_settings(DEBUG="false") == ["60", "True", "rest_framework.renderers.JSONRenderer"]
    assert show_settings(DEBUG="false", CONN_MAX_AGE="0")[:2] == ["0", "True"]
    assert show_settings(DEBUG="true")[2:] == [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ]


MAIL = """
import django; django.setup()
from django.conf import settings as s
print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER or "-",
      s.EMAIL_HOST_PASSWORD or "-", s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL)
"""


def mail_settings(**env: str) -> list[str]:
    """The mail settings of a production start with `env` (and no EMAIL_* of this shell)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("EMAIL_") and k not in {"DEBUG", "DEFAULT_FROM_EMAIL"}
    }
    done = subprocess.run(
        [sys.executable, "-c", MAIL],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "courseportal.settings", "SECRET_KEY": "x" * 50,
             "DEBUG": "false", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )  # fmt: skip
    return done.stdout.split()


def test_mail_goes_out_by_smtp_once_a_server_is_named() -> None:
    console = "django.core.mail.backends.console.EmailBackend"
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    assert mail_settings()[0] == console
    assert mail_settings(EMAIL_HOST="")[0] == console  # compose passes an unset one as empty
    assert mail_settings(
        EMAIL_HOST="smtp.example.edu",
        EMAIL_PORT="465",
        EMAIL_HOST_USER="courseportal",
        EMAIL_HOST_PASSWORD="s3cret",
        EMAIL_USE_TLS="false",
        DEFAULT_FROM_EMAIL="cs7643-staff@example.edu",
    ) == [smtp, "smtp.example.edu", "465", "courseportal", "s3cret", "False",
          "cs7643-staff@example.edu"]  # fmt: skip
    # STARTTLS on the submission port unless told otherwise; an explicit backend wins.
    assert mail_settings(EMAIL_HOST="smtp.example.edu")[2:6] == ["587", "-", "-", "True"]
    assert mail_settings(EMAIL_HOST="smtp.example.edu", EMAIL_BACKEND=console)[0] == console
