from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import caches
from django.utils import timezone

from courseportal import caching
from courses.models import ApiToken
from courses.services import api_token_create, api_token_revoke, api_token_touch

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


def test_it_records_a_tokens_use_at_most_once_a_minute(alice, monkeypatch):
    token, _ = api_token_create(user=alice, name="laptop")
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start)
    api_token_touch(token=token)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start

    # This process asks again within the minute: no write.
    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(seconds=30))
    api_token_touch(token=token)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start

    # Another process (which has not asked yet), holding a copy that saw no use: the database
    # has the last word, and no write follows within the minute.
    caches[caching.LOCAL].clear()
    stale = ApiToken.objects.get(pk=token.pk)
    stale.last_used_at = None
    api_token_touch(token=stale)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start

    later = start + dt.timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    caches[caching.LOCAL].clear()  # a minute on, this process asks again
    api_token_touch(token=token)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == later
