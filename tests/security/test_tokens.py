"""API tokens are stored hashed: no table of the database holds a token's key."""

from __future__ import annotations

import pytest
from django.db import connection

from courses.models import ApiToken
from courses.services import api_token_create

pytestmark = pytest.mark.django_db


def every_text_in_the_database() -> str:
    """All rows of all tables, as text (raw SQL: no model or serializer hides anything)."""
    dumped: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dumped.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(dumped)


def test_the_database_holds_no_plaintext_token(api, alice):
    _, made_here = api_token_create(user=alice, name="laptop")
    api.force_authenticate(alice)
    response = api.post("/api/v1/tokens/", {"name": "ci"}, format="json")
    assert response.status_code == 201
    made_by_api = response.json()["key"]
    # Both keys work, so they are real keys...
    api.force_authenticate(None)
    for key in (made_here, made_by_api):
        assert api.get("/api/v1/courses/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    # ...and only their SHA-256 and a short prefix are stored.
    dumped = every_text_in_the_database()
    for key in (made_here, made_by_api):
        assert key.startswith("cp_")
        assert key not in dumped
        assert key[3:] not in dumped  # not even without the cp_ prefix
        assert ApiToken.hash_key(key) in dumped
    assert ApiToken.objects.filter(prefix=made_by_api[:10]).count() == 1


def test_the_token_list_never_shows_a_key_again(api, alice):
    _, key = api_token_create(user=alice, name="laptop")
    api.force_authenticate(alice)
    listed = api.get("/api/v1/tokens/")
    assert listed.status_code == 200
    assert key not in listed.text
    assert listed.json()[0]["prefix"] == key[:10]
