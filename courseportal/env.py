"""Strict readers of environment variables for settings.

A bad value stops start-up with a message naming the variable, instead of silently falling back
to a default (the healthchecks.io way: `envbool`, `envint`).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_Default = TypeVar("_Default", bound=str | None)
# What DRF's SimpleRateThrottle understands: it reads only the first letter of the period, so
# `100/month` would silently mean 100 per minute. Only these spellings are let through.
_RATE = re.compile(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)")


def envstr(
    name: str, default: str | None = None, *, env: Mapping[str, str] | None = None
) -> str | None:
    env = os.environ if env is None else env
    value = env.get(name)
    return default if value is None else value.strip()


def envbool(name: str, default: bool, *, env: Mapping[str, str] | None = None) -> bool:
    value = envstr(name, env=env)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use true/false, yes/no, on/off or 1/0"
    )


def envint(
    name: str, default: int, *, minimum: int | None = None, env: Mapping[str, str] | None = None
) -> int:
    value = envstr(name, env=env)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}")
    return number


def envlist(name: str, default: list[str], *, env: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated list; empty items are an error (a stray comma is usually a typo)."""
    value = envstr(name, env=env)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(
            f"{name}={value!r} has an empty item: separate values with commas"
        )
    return items


def envtimezone(name: str, default: str, *, env: Mapping[str, str] | None = None) -> str:
    value = envstr(name, env=env) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not an IANA time zone (for example America/New_York)"
        ) from None
    return value


def envurl(
    name: str,
    default: _Default,
    *,
    schemes: tuple[str, ...],
    env: Mapping[str, str] | None = None,
) -> str | _Default:
    value = envstr(name, env=env)
    if value is None or value == "":
        return default
    scheme, sep, _ = value.partition("://")
    if not sep or scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name}={value!r} must be a URL starting with one of: "
            + ", ".join(f"{s}://" for s in schemes)
        )
    return value


def envrate(name: str, default: str, *, env: Mapping[str, str] | None = None) -> str:
    """A DRF throttle rate, `<n>/<period>`: n a positive integer, the period one of s, sec,
    second, m, min, minute, h, hour, d or day. Returned as given (unset or empty: `default`)."""
    value = envstr(name, env=env) or default
    if not _RATE.fullmatch(value):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate: use <number>/<period>, the period one of "
            "s, sec, second, m, min, minute, h, hour, d, day (for example 30/min)"
        )
    return value


def envloglevel(name: str, default: str, *, env: Mapping[str, str] | None = None) -> str:
    """A level name of the logging module (DEBUG, INFO, WARNING, ERROR, CRITICAL, ...), in any
    case; returned in upper case, as logging's configuration wants it."""
    value = envstr(name, env=env) or default
    if value.upper() not in logging.getLevelNamesMapping():
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a log level: use DEBUG, INFO, WARNING, ERROR or CRITICAL"
        )
    return value.upper()


_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


def envdomain(name: str, allowed_hosts: list[str], *, env: Mapping[str, str] | None = None) -> str:
    """A domain name; unset, the first named host of allowed_hosts (no wildcard, no address),
    else "localhost"."""
    given = envstr(name, env=env)
    if given:
        domain = given.lower()
        if not _DOMAIN.fullmatch(domain):
            raise ImproperlyConfigured(
                f"{name}={given!r} is not a domain name (e.g. portal.example.edu)"
            )
        return domain
    for host in allowed_hosts:
        host_name = host.lstrip(".").lower()
        if _DOMAIN.fullmatch(host_name) and re.search(r"[a-z]", host_name):
            return host_name
    return "localhost"
