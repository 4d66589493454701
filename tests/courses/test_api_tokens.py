from __future__ import annotations

import pytest

from courses.models import ApiToken
from courses.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def test_it_authenticates_a_bearer_token_and_stores_only_its_hash(api, course, alice):
    token, key = api_token_create(user=alice, name="laptop")
    assert key not in {token.key_hash, token.prefix}
    assert ApiToken.objects.filter(key_hash=ApiToken.hash_key(key)).exists()
    response = api.get("/api/v1/courses/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()[0]["code"] == "CS 7643"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_it_refuses_a_revoked_or_unknown_token(api, course, alice):
    token, key = api_token_create(user=alice, name="laptop")
    api_token_revoke(token=token)
    assert api.get("/api/v1/courses/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert api.get("/api/v1/courses/", HTTP_AUTHORIZATION="Bearer cp_nope").status_code == 401
    assert api.get("/api/v1/courses/", HTTP_AUTHORIZATION="Bearer a b").status_code == 401
