"""The requests session pylti1p3 fetches platforms' JWKS with: a timeout on every request, and
the address rules of the portal's webhooks (no private, loopback or reserved address unless
CONVLAB_WEBHOOK_ALLOW_PRIVATE), checked again at fetch time since the URL was typed by a person.
NRPS and AGS calls (lti/services) can use it too."""

from __future__ import annotations

from typing import Any

import requests
from django.core.exceptions import ValidationError

from convlab.webhooks import check_webhook_url

TIMEOUT_S = 10


class PlatformSession(requests.Session):
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
