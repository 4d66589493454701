from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from courseportal import readcache
from courses.models import ApiToken
from courses.services import api_token_touch


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>` (or `Token <key>`), looked up by the key's SHA-256."""

    keywords = ("bearer", "token")

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Authorization header: expected 'Bearer <token>'."
            )
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Authorization header: invalid token.") from None
        key_hash = ApiToken.hash_key(key)
        found = readcache.remember(("token", key_hash), lambda: _lookup(key_hash))
        if found is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        token, user = found[0].thaw(), found[1].thaw()
        token.user = user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        # The kept token's last use is as old as the lookup: this process's later ones count.
        touched = _touched.get(token.pk)
        if touched is not None and (token.last_used_at is None or touched > token.last_used_at):
            token.last_used_at = touched
        api_token_touch(token=token)
        if token.last_used_at is not None:
            _touched[token.pk] = token.last_used_at
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


# When this process last recorded each token's use (api_token_touch writes at most once a
# minute): one datetime per token used here.
_touched: dict[int, dt.datetime] = {}


def _lookup(key_hash: str) -> tuple[readcache.Frozen, readcache.Frozen] | None:
    """The live token of this hash and its user (kept under the content version: creating,
    revoking or deleting a token and changing a user are content writes)."""
    try:  # get(), not first(): no ORDER BY to compile
        token = ApiToken.objects.select_related("user").get(
            key_hash=key_hash, revoked_at__isnull=True
        )
    except ApiToken.DoesNotExist:
        return None
    return readcache.Frozen.of(token), readcache.Frozen.of(token.user)
