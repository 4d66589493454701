"""Webhook targets: only public addresses, checked when configured and again when delivering.

A webhook URL is typed by course staff, but the request is made by our server, from inside our
network: aimed at 127.0.0.1, 10.0.0.0/8 or 169.254.169.254 it would reach services that trust
that network (server-side request forgery). Unless CONVLAB_WEBHOOK_ALLOW_PRIVATE is on
(development and tests), a target must resolve only to global unicast addresses.

Checking the name once is not enough: its DNS answer can change between the check and the
delivery (DNS rebinding). Delivery therefore connects only to addresses it has just checked,
through `PublicOnlyHTTPConnection`, and follows no proxy.

Nor does delivery follow a redirect: a target that answers 3xx could send us to another scheme
(urllib's default opener would fetch an `ftp://` or `file://` URL past every check here) or to
another address, and a webhook gains nothing from one anyway: urllib turns a redirected POST
into a GET without the body and signature, so nothing would be delivered. A 3xx is therefore
a failed delivery, final like a refused address, and the receiver's URL is what staff fix.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class WebhookRefused(Exception):
    """The target resolves to an address the portal must not call, is not http(s), or answered
    with a redirect (not an OSError: the delivery is refused for good, never retried)."""


def webhook_signature(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the body>`, sent as X-Courseportal-Signature."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def is_public(address: Address) -> bool:
    """Global unicast only: not private, loopback, link-local, multicast, reserved, shared
    (100.64/10), unspecified, and the same for an IPv4 address mapped into IPv6."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> list[Address]:
    """Every address the name resolves to (an IP literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise WebhookRefused(f"{host} does not resolve: {error}") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def refused_addresses(host: str, port: int) -> list[Address]:
    return [address for address in resolve(host, port) if not is_public(address)]


def check_webhook_url(url: str, *, field: str = "webhook_url") -> None:
    """Raise ValidationError naming `field` when `url` may not be a webhook target."""
    if not url:
        return
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationError({field: "an http:// or https:// URL with a host name"})
    if settings.CONVLAB_WEBHOOK_ALLOW_PRIVATE:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        refused = refused_addresses(parts.hostname, port)
    except (WebhookRefused, ValueError) as error:
        raise ValidationError({field: str(error)}) from None
    if refused:
        listed = ", ".join(sorted({str(a) for a in refused}))
        raise ValidationError(
            {field: f"{parts.hostname} resolves to a private or reserved address ({listed})"}
        )


def _create_connection(
    address: tuple[str, int],
    # socket.create_connection's own default: a private sentinel, which typeshed leaves out.
    timeout: Any = socket._GLOBAL_DEFAULT_TIMEOUT,  # type: ignore[attr-defined]
    source: Any = None,
) -> socket.socket:
    """socket.create_connection, to checked addresses only (the ones it then connects to)."""
    host, port = address
    if settings.CONVLAB_WEBHOOK_ALLOW_PRIVATE:
        return socket.create_connection(address, timeout, source)
    addresses = resolve(host, port)
    refused = [a for a in addresses if not is_public(a)]
    if refused:
        raise WebhookRefused(
            f"{host} resolves to a private or reserved address "
            f"({', '.join(sorted({str(a) for a in refused}))}) at delivery"
        )
    last: OSError | None = None
    for ip in addresses:
        try:
            return socket.create_connection((str(ip), port), timeout, source)
        except OSError as error:
            last = error
    raise last or OSError(f"could not connect to {host}")


class PublicOnlyHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _create_connection  # set per instance, as http.client does


class PublicOnlyHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _create_connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(PublicOnlyHTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(PublicOnlyHTTPSConnection, req)


class _RefuseRedirects(urllib.request.BaseHandler):
    """Answers every 3xx with WebhookRefused, in place of urllib's HTTPRedirectHandler."""

    def http_error_302(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
    ) -> None:
        fp.close()
        location = headers.get("Location", "")
        raise WebhookRefused(
            f"{req.full_url} answered {code} (a redirect to {location!r}): webhooks follow no "
            "redirect; configure the URL that answers the POST itself"
        )

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class _RefuseOtherSchemes(urllib.request.BaseHandler):
    def unknown_open(self, req: urllib.request.Request) -> None:
        raise WebhookRefused(f"{req.type}: is not http or https")


def opener() -> urllib.request.OpenerDirector:
    """urllib for http(s) only, without proxies, to public addresses only, following no
    redirect (a 3xx raises WebhookRefused); a 4xx or 5xx raises HTTPError as usual.

    Built handler by handler rather than with `build_opener`, which would add the FTP, file and
    data handlers and the redirect handler that follows a 3xx to any of them."""
    director = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler({}),
        _HTTPHandler(),
        _HTTPSHandler(),
        _RefuseOtherSchemes(),
        _RefuseRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        director.add_handler(handler)
    return director
