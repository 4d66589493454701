"""pylti1p3 reads registrations and deployments through a tool configuration: this one reads the
lti models, and refuses unknown issuers, client ids and deployments with a message naming what
was wrong (pylti1p3's own are "Registration not found.")."""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException
from pylti1p3.registration import Registration as PyltiRegistration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from lti.models import Registration, ToolKey


class LaunchRefused(LtiException):
    """A launch or login refused: `str()` is the message shown (it names what was wrong), and
    `status` the page's status (400 bad input, 403 a person without the role)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def to_pylti(registration: Registration) -> PyltiRegistration:
    """The registration as pylti1p3 wants it, signing with the tool's current key."""
    key = ToolKey.signing_key()
    reg = PyltiRegistration()
    reg.set_issuer(registration.issuer)
    reg.set_client_id(registration.client_id)
    reg.set_auth_login_url(registration.auth_login_url)
    reg.set_auth_token_url(registration.auth_token_url)
    reg.set_key_set_url(registration.jwks_url)
    if registration.audience:
        reg.set_auth_audience(registration.audience)
    reg.set_tool_private_key(key.private_pem)
    reg.set_tool_public_key(key.public_pem)
    return reg


class PortalToolConf(ToolConfAbstract[Any]):
    """Every issuer may have several client ids (one registration each)."""

    def __init__(self) -> None:
        super().__init__()
        self.registration: Registration | None = None

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("every issuer may have several client ids")

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        raise NotImplementedError("every issuer may have several client ids")

    def lookup(self, iss: str, client_id: str | None) -> Registration:
        """The active registration of (iss, client_id), or LaunchRefused saying which is unknown."""
        of_issuer = Registration.objects.filter(
            issuer=iss, is_active=True, approved_at__isnull=False
        )
        if not of_issuer.exists():
            known = Registration.objects.filter(issuer=iss)
            if known.filter(is_active=True).exists():
                raise LaunchRefused(
                    f"The registration of the LMS {iss!r} waits for a site administrator of "
                    "the portal to approve it."
                )
            if known.exists():
                raise LaunchRefused(
                    f"The registration of the LMS {iss!r} is switched off in the portal."
                )
            raise LaunchRefused(f"Unknown issuer: no LMS with issuer {iss!r} is registered.")
        if not client_id:
            if of_issuer.count() == 1:
                return of_issuer.get()
            raise LaunchRefused(f"The LMS {iss!r} sent no client_id and has several registrations.")
        found = of_issuer.filter(client_id=client_id).first()
        if found is None:
            raise LaunchRefused(
                f"Wrong audience: client id {client_id!r} is not registered for issuer {iss!r}."
            )
        return found

    def find_registration_by_params(
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> PyltiRegistration:
        self.registration = self.lookup(iss, client_id)
        return to_pylti(self.registration)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        registration = self.lookup(iss, client_id)
        if deployment_id not in registration.deployment_ids:
            raise LaunchRefused(
                f"Unknown deployment: {deployment_id!r} is not a deployment registered "
                f"for {registration.name!r}."
            )
        return Deployment().set_deployment_id(deployment_id)
