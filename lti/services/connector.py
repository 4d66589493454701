"""pylti1p3's ServiceConnector for one registration: it asks the platform's token endpoint for
an access token with a JWT client assertion signed by the tool's current key (its `kid` in the
header, so that the platform picks the key from the tool's JWKS), and every request has a
timeout (pylti1p3's own requests session has none)."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from pylti1p3.service_connector import ServiceConnector

from lti.models import Registration, ToolKey
from lti.tool_conf import to_pylti


class _TimedSession(requests.Session):
    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", settings.LTI_SCORE_TIMEOUT)
        return super().request(method, url, *args, **kwargs)


class PortalServiceConnector(ServiceConnector):
    def __init__(self, registration: Registration) -> None:
        self.kid = ToolKey.signing_key().kid
        super().__init__(to_pylti(registration), requests_session=_TimedSession())

    def encode_jwt(
        self, message: dict[str, str | int], private_key: str, headers: dict[str, str]
    ) -> str:
        return super().encode_jwt(message, private_key, {**headers, "kid": self.kid})
