"""pylti1p3's ServiceConnector for one registration: it asks the platform's token endpoint for
an access token with a JWT client assertion signed by the tool's current key (its `kid` in the
header, so that the platform picks the key from the tool's JWKS). Every request goes through
lti.http.PlatformSession: a timeout, no redirects, and the webhook address rules (the URLs
were typed by a person, or sent by the platform in a launch)."""

from __future__ import annotations

from pylti1p3.service_connector import ServiceConnector

from lti.http import PlatformSession
from lti.models import Registration, ToolKey
from lti.tool_conf import to_pylti


class PortalServiceConnector(ServiceConnector):
    def __init__(self, registration: Registration) -> None:
        self.kid = ToolKey.signing_key().kid
        super().__init__(to_pylti(registration), requests_session=PlatformSession())

    def encode_jwt(
        self, message: dict[str, str | int], private_key: str, headers: dict[str, str]
    ) -> str:
        return super().encode_jwt(message, private_key, {**headers, "kid": self.kid})
