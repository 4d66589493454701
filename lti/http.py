"""The requests session pylti1p3 fetches platforms' JWKS with: a timeout on every request, and
the address rules of the portal's webhooks (no private, loopback or reserved address unless
CONVLAB_WEBHOOK_ALLOW_PRIVATE), checked again at fetch time since the URL was typed by a person,
and once more on the address each connection is made to (a name that resolved to a public
address when checked may resolve to 127.0.0.1 or 169.254.169.254 a moment later: DNS
rebinding). No proxy from the environment, no redirect. NRPS and AGS calls (lti/services) use
it too."""

from __future__ import annotations

import socket
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

from convlab.webhooks import WebhookRefused, _create_connection, check_webhook_url

TIMEOUT_S = 10


class _PublicOnly:
    """urllib3's connection, made by convlab.webhooks' create_connection: it resolves the name,
    refuses it if any address is not public, and connects to those same addresses."""

    _dns_host: str
    port: int
    timeout: Any
    source_address: Any

    def _new_conn(self) -> socket.socket:
        if settings.CONVLAB_WEBHOOK_ALLOW_PRIVATE:
            return super()._new_conn()  # type: ignore[misc]
        timeout = self.timeout if isinstance(self.timeout, int | float) else None
        try:
            sock = _create_connection((self._dns_host, self.port), timeout, self.source_address)
        except WebhookRefused as refused:
            raise NewConnectionError(self, str(refused)) from None  # type: ignore[arg-type]
        except OSError as error:
            why = f"Failed to establish a new connection: {error}"
            raise NewConnectionError(self, why) from error  # type: ignore[arg-type]
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


class _HTTPConnection(_PublicOnly, HTTPConnection):
    pass


class _HTTPSConnection(_PublicOnly, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _PublicOnlyAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


class PlatformSession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        # HTTP(S)_PROXY or a .netrc of the server's environment would send the request, or
        # credentials, elsewhere than the address checked.
        self.trust_env = False
        for scheme in ("http://", "https://"):
            self.mount(scheme, _PublicOnlyAdapter())

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        target = url.decode() if isinstance(url, bytes) else url
        try:
            check_webhook_url(target, field="url")
        except ValidationError as refused:
            why = refused.message_dict["url"][0]
            raise requests.exceptions.InvalidURL(f"{target}: {why}") from None
        kwargs.setdefault("timeout", TIMEOUT_S)
        # A redirect could lead anywhere, past the check above.
        kwargs["allow_redirects"] = False
        verb = method.decode() if isinstance(method, bytes) else method
        return super().request(verb, target, *args, **kwargs)
