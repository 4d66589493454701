"""Every URL pattern by every role answers the status that tests/security/matrix.py says.

A URL pattern without a row fails `test_it_has_a_row_for_every_url_pattern`, so a new endpoint
cannot ship without its permissions written down.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.matrix import ADMIN_EXPECTED, ADMIN_NAMESPACE, ROWS, Row, _const
from tests.security.world import ROLES, World, build_world

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

API_METHODS = ("get", "post", "put", "patch", "delete")


def url_patterns(
    patterns: list[Any] | None = None, namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    """(qualified name, pattern) of every URL pattern the site serves; unnamed ones as ""."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from url_patterns(entry.url_patterns, inner)
        elif entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry
        else:
            yield (f"{namespace}:" if namespace else ""), entry


def pattern_kwargs(name: str) -> list[str]:
    """The names of the URL kwargs of a pattern, from Django's own reverse table."""
    namespace, _, short = name.rpartition(":")
    resolver = get_resolver()
    if namespace:
        resolver = resolver.namespace_dict[namespace][1]
    possibilities = resolver.reverse_dict.getlist(short)
    return list(possibilities[0][0][0][1]) if possibilities else []


def admin_rows() -> list[Row]:
    """One GET row per named admin URL without an explicit row: see matrix.ADMIN_EXPECTED."""
    explicit = {r.name for r in ROWS}
    admin_kwargs = {"object_id": "1", "content_type_id": "1", "app_label": "courses", "id": "1"}
    rows = []
    for name, _ in url_patterns():
        if name.startswith(f"{ADMIN_NAMESPACE}:") and name not in explicit and name[6:]:
            kwargs = {k: admin_kwargs[k] for k in pattern_kwargs(name)}
            rows.append(
                Row(
                    name,
                    "GET",
                    dict(zip(ROLES, ADMIN_EXPECTED.split(), strict=True)),
                    kwargs=_const(kwargs),
                    encoding="form",
                )
            )
    return rows


ALL_ROWS = ROWS + admin_rows()


def test_it_has_a_row_for_every_url_pattern() -> None:
    rows = {(r.name, r.method) for r in ALL_ROWS}
    named = {r.name for r in ALL_ROWS}
    missing = []
    for name, pattern in url_patterns():
        if name.startswith(f"{ADMIN_NAMESPACE}:"):
            continue  # admin_rows() covers the admin site, named or not
        if not name:
            missing.append(f"an unnamed URL pattern {pattern.pattern!s}: name it")
            continue
        if name not in named:
            missing.append(f'{name}: add row("{name}", "GET", "...") to tests/security/matrix.py')
            continue
        view_class = getattr(pattern.callback, "cls", None)  # a DRF APIView
        if view_class is None:
            continue
        for method in API_METHODS:
            if hasattr(view_class, method) and (name, method.upper()) not in rows:
                missing.append(f'{name}: add row("{name}", "{method.upper()}", "...") too')
    assert not missing, "URL patterns without a row in the permission matrix:\n" + "\n".join(
        missing
    )


def test_it_has_no_row_for_a_url_pattern_that_is_gone() -> None:
    served = {name for name, _ in url_patterns()}
    stale = sorted({r.name for r in ROWS} - served)
    assert not stale, f"rows for URL pattern names that no longer exist: {stale}"


def client_for(world: World, role: str, *, api: bool) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    if api:
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.keys[role]}"
    else:
        client.force_login(world.users[role])
    return client


def call(row: Row, world: World, role: str) -> TestResponse:
    prepared = row.setup(world, role) if row.setup is not None else {}
    kwargs = row.url_kwargs(world, role, pattern_kwargs(row.name), prepared)
    url = reverse(row.name, kwargs=kwargs)
    client = client_for(world, role, api=urlsplit(url).path.startswith("/api/"))
    body = row.body(world, role) if row.body is not None else None
    if row.method == "GET":
        return client.get(url)
    if row.encoding == "json":
        data = json.dumps(body) if body is not None else ""
        return client.generic(row.method, url, data, content_type="application/json")
    # A form or an upload: multipart, as a browser sends it.
    assert row.method == "POST", f"{row}: forms are posted"
    return client.post(url, body or {})


LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def outcome(response: TestResponse) -> str:
    if response.status_code not in (301, 302):
        return str(response.status_code)
    if urlsplit(response["Location"]).path in LOGIN_PATHS:
        return "login"
    # A page that refuses a form redirects back too, with an error message: tell them apart.
    flashed = get_messages(response.wsgi_request)
    refused = any(message.level >= messages.ERROR for message in flashed)
    return f"{response.status_code}!" if refused else str(response.status_code)


def matches(expected: str, actual: str) -> bool:
    return actual in expected.split("|")


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.mark.parametrize("row", ALL_ROWS, ids=str)
def test_it_answers_each_role_as_the_matrix_says(row: Row, world: World) -> None:
    actual = {}
    for role in ROLES:
        # Each cell starts from the same world: whatever a write changed is rolled back.
        with transaction.atomic():
            actual[role] = outcome(call(row, world, role))
            transaction.set_rollback(True)
    differs = {
        role: f"expected {row.expected[role]}, got {actual[role]}"
        for role in ROLES
        if not matches(row.expected[role], actual[role])
    }
    assert not differs, (
        f"{row}: {differs}\n"
        f'the row as the site answers now: row("{row.name}", "{row.method}", '
        f'"{" ".join(actual[r] for r in ROLES)}")'
    )


def _cross_course_rows() -> list[Row]:
    """GET rows whose URL names an object of the course as well as the course."""
    return [
        r
        for r in ROWS
        if r.method == "GET"
        and "course_id" in (names := pattern_kwargs(r.name))
        and "key" not in names
        and len(names) > 1
    ]


@pytest.mark.parametrize("row", _cross_course_rows(), ids=str)
def test_it_hides_objects_of_a_course_behind_the_url_of_another(row: Row, world: World) -> None:
    """Members of the other course ask for this course's objects through their own course's
    URL (/courses/<theirs>/papers/<ours>/): nothing is found (or the role is refused first)."""
    for role in ("other_student", "other_autograder"):
        kwargs = row.url_kwargs(world, "student", pattern_kwargs(row.name), {})
        kwargs["course_id"] = world.other_course.pk
        url = reverse(row.name, kwargs=kwargs)
        client = client_for(world, role, api=url.startswith("/api/"))
        assert client.get(url).status_code in (403, 404), (role, url)
