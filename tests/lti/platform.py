"""A small but real LTI 1.3 *platform* (an LMS, as the tool sees it) for the tests.

It listens on the loopback (a threaded `http.server` on 127.0.0.1, a free port) and speaks, with
jwcrypto (the JOSE library the tool uses), the parts of LTI 1.3 and LTI Advantage a tool meets:

- its own RSA key and key set (JWKS), `GET /.well-known/jwks.json`;
- OpenID Connect third-party-initiated login (LTI 1.3 core section 4.1.1 and 1EdTech Security
  Framework 1.0 section 5.1.1: https://www.imsglobal.org/spec/lti/v1p3/#third-party-initiated-login,
  https://www.imsglobal.org/spec/security/v1p0/#platform-originating-messages): `login_url()`
  is where a browser starts (the tool's login initiation URL with iss, login_hint,
  target_link_uri, lti_message_hint, client_id, lti_deployment_id), and `GET|POST /auth`, the
  authentication request the tool redirects to (scope=openid, response_type=id_token,
  response_mode=form_post, prompt=none, nonce, state, redirect_uri checked against the tool's
  registration), answers an auto-submitting form that POSTs `id_token` and `state` to the
  tool's redirect URI (or, without a browser, `authorize()` returns the same);
- id_tokens with the LTI claims (https://www.imsglobal.org/spec/lti/v1p3/#required-message-claims):
  resource link launches, deep linking requests (https://www.imsglobal.org/spec/lti-dl/v2p0/),
  the AGS claim `https://purl.imsglobal.org/spec/lti-ags/claim/endpoint` and the NRPS claim
  `https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice`; and deliberately bad ones
  (`BAD_KINDS`: signed by another key under the same kid, expired, another audience, an unknown
  deployment, a replayed nonce);
- the OAuth 2.0 token endpoint for services, `POST /token`: client_credentials with a JWT client
  assertion (RFC 7523, 1EdTech Security Framework section 4.1,
  https://www.imsglobal.org/spec/security/v1p0/#using-json-web-tokens-with-oauth-2-0-client-credentials-grant),
  verified against the tool's JWKS URL (iss = sub = client id, aud = this endpoint, not expired,
  jti not seen before), answering a bearer token bound to the scopes asked for and allowed;
- Names and Role Provisioning Services 2.0 (https://www.imsglobal.org/spec/lti-nrps/v2p0/):
  `GET /contexts/<id>/memberships`, a membership container
  (application/vnd.ims.lti-nrps.v2.membershipcontainer+json), paged with `limit` (or the
  platform's own `nrps_page_size`) and a `Link: <...>; rel="next"` header, filtered by `role`;
- Assignment and Grade Services 2.0 (https://www.imsglobal.org/spec/lti-ags/v2p0/): line items
  (`GET|POST /contexts/<id>/lineitems`, filtered by resource_link_id, resource_id, tag;
  `GET /contexts/<id>/lineitems/<n>`), scores (`POST .../lineitems/<n>/scores`,
  application/vnd.ims.lis.v1.score+json) and results (`GET .../lineitems/<n>/results`). Every
  score received is RECORDED (`scores_received`, `scores`): a test asserts "exactly one score
  with this scoreGiven/scoreMaximum/userId". As the spec says, a score older than the last one
  on record for its (line item, user) does not replace it (answered 409, kept in
  `scores_rejected`); the field rules follow the spec and Canvas's Score API
  (https://developerdocs.instructure.com/services/canvas/file.all_resources/score);
- the deep linking return URL, `POST /deep_links`: the tool's LtiDeepLinkingResponse JWT,
  verified against the tool's JWKS and kept in `deep_link_responses`.

Faults on demand: `fail_next(path_prefix, status, times)` answers the next requests whose path
starts with `path_prefix` with `status` (recorded in `requests` like every other request).
Start it with `LtiPlatform().start()` (or the `lti_platform` fixture in tests/lti/conftest.py),
then tell it where the tool is (`tool_login_url`, `tool_redirect_uris`, `tool_jwks_url` or
`tool_jwks`).
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from jwcrypto import jwk, jws, jwt

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READ = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READ = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ALL_SCOPES = (SCOPE_LINEITEM, SCOPE_LINEITEM_READ, SCOPE_RESULT_READ, SCOPE_SCORE, SCOPE_NRPS)

MEDIA_LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MEDIA_LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MEDIA_SCORE = "application/vnd.ims.lis.v1.score+json"
MEDIA_RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"
MEDIA_MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
LEARNER = ROLE + "Learner"
INSTRUCTOR = ROLE + "Instructor"
# A sub-role is its context role's URI path, then #SubRole (LTI 1.3 core A.2.3.1).
TEACHING_ASSISTANT = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
)
CONTENT_DEVELOPER = ROLE + "ContentDeveloper"

ACTIVITY_PROGRESS = {"Initialized", "Started", "InProgress", "Submitted", "Completed"}
GRADING_PROGRESS = {"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}

BAD_KINDS = ("wrong_key", "expired", "wrong_aud", "unknown_deployment", "reused_nonce")


class PlatformError(Exception):
    """A request the platform refuses: its HTTP status and a JSON error body."""

    def __init__(self, status: int, error: str, description: str = "") -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status, self.error, self.description = status, error, description


def _now() -> int:
    return int(time.time())


def _timestamp(value: Any) -> dt.datetime:
    """An ISO 8601 timestamp with its offset (AGS: "timestamp ... MUST be formatted as ISO 8601
    with a sub-second precision" is a SHOULD in practice; an offset is required here)."""
    if not isinstance(value, str):
        raise PlatformError(400, "invalid_request", "timestamp: an ISO 8601 string is required")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as bad:
        raise PlatformError(400, "invalid_request", f"timestamp: {bad}") from bad
    if moment.tzinfo is None:
        raise PlatformError(400, "invalid_request", "timestamp: an offset (or Z) is required")
    return moment


@dataclass
class Request:
    """One request the platform answered, as a test reads it back."""

    method: str
    path: str
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Score:
    """A score the AGS score endpoint received."""

    lineitem: str  # the line item's URL
    body: dict[str, Any]
    scopes: frozenset[str]
    accepted: bool

    @property
    def user_id(self) -> str:
        return str(self.body.get("userId"))


@dataclass
class PendingLaunch:
    """What the platform will say in the id_token of a login it initiated."""

    claims: dict[str, Any]
    login_hint: str
    target_link_uri: str
    bad: str = ""  # one of BAD_KINDS: the answer is deliberately wrong in that way


@dataclass
class LtiPlatform:
    """The platform. Its state is plain attributes, guarded by `lock` while a request runs."""

    client_id: str = "portal-client-1"
    deployment_id: str = "deployment-1"
    tool_login_url: str = ""
    tool_redirect_uris: list[str] = field(default_factory=list)
    tool_jwks_url: str = ""
    # The tool's public keys when no URL serves them (tests that drive Django's test client).
    tool_jwks: dict[str, Any] | Callable[[], dict[str, Any]] | None = None
    nrps_page_size: int | None = None
    token_lifetime: int = 3600

    def __post_init__(self) -> None:
        self.key = jwk.JWK.generate(kty="RSA", size=2048, kid=f"platform-{uuid.uuid4().hex[:8]}")
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self.launches: dict[str, PendingLaunch] = {}
        self.issued_nonces: list[str] = []
        self.form_posts: list[tuple[str, dict[str, str]]] = []
        self.tokens: dict[str, tuple[frozenset[str], float]] = {}
        self.assertion_jtis: set[str] = set()
        self.contexts: dict[str, dict[str, str]] = {}
        self.members: dict[str, list[dict[str, Any]]] = {}
        self.lineitems: dict[str, list[dict[str, Any]]] = {}
        self.scores_received: list[Score] = []
        self.results: dict[tuple[str, str], dict[str, Any]] = {}
        self.deep_link_responses: list[dict[str, Any]] = []
        self.faults: list[list[Any]] = []
        self._lineitem_ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # --- running ----------------------------------------------------------------------------

    def start(self) -> LtiPlatform:
        handler = type("Handler", (_Handler,), {"platform": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @contextmanager
    def running(self) -> Iterator[LtiPlatform]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    # --- what the tool registers ------------------------------------------------------------

    @property
    def issuer(self) -> str:
        return self.base_url

    @property
    def jwks_url(self) -> str:
        return f"{self.base_url}/.well-known/jwks.json"

    @property
    def auth_url(self) -> str:
        return f"{self.base_url}/auth"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    @property
    def deep_link_return_url(self) -> str:
        return f"{self.base_url}/deep_links"

    def jwks(self) -> dict[str, Any]:
        return {"keys": [json.loads(self.key.export_public())]}

    def registration(self) -> dict[str, Any]:
        """The values a staff member pastes into the tool's registration form."""
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "deployment_ids": [self.deployment_id],
            "jwks_url": self.jwks_url,
            "auth_url": self.auth_url,
            "token_url": self.token_url,
        }

    # --- courses: contexts, members, line items ---------------------------------------------

    def add_context(self, context_id: str, *, label: str = "", title: str = "") -> None:
        with self.lock:
            self.contexts[context_id] = {"id": context_id, "label": label, "title": title}
            self.members.setdefault(context_id, [])
            self.lineitems.setdefault(context_id, [])

    def add_member(
        self,
        context_id: str,
        user_id: str,
        roles: list[str] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A member of the context, as NRPS lists it: `fields` adds name, given_name,
        family_name, email, lis_person_sourcedid, status ("Active" unless given)."""
        if context_id not in self.contexts:
            self.add_context(context_id)
        member = {"user_id": user_id, "roles": roles or [LEARNER], "status": "Active", **fields}
        with self.lock:
            self.members[context_id].append(member)
        return member

    def memberships_url(self, context_id: str) -> str:
        return f"{self.base_url}/contexts/{urllib.parse.quote(context_id, safe='')}/memberships"

    def lineitems_url(self, context_id: str) -> str:
        return f"{self.base_url}/contexts/{urllib.parse.quote(context_id, safe='')}/lineitems"

    def add_lineitem(self, context_id: str, **fields: Any) -> dict[str, Any]:
        """A line item made on the platform's side (by an instructor in the LMS)."""
        if context_id not in self.contexts:
            self.add_context(context_id)
        with self.lock:
            item = {"id": f"{self.lineitems_url(context_id)}/{next(self._lineitem_ids)}", **fields}
            self.lineitems[context_id].append(item)
        return item

    @property
    def scores(self) -> list[Score]:
        """The scores the platform accepted, in the order they came."""
        with self.lock:
            return [score for score in self.scores_received if score.accepted]

    @property
    def scores_rejected(self) -> list[Score]:
        with self.lock:
            return [score for score in self.scores_received if not score.accepted]

    def fail_next(self, path_prefix: str, status: int = 503, times: int = 1) -> None:
        """Answer the next `times` requests whose path starts with `path_prefix` with `status`."""
        with self.lock:
            self.faults.append([path_prefix, status, times])

    def requests_to(self, path_prefix: str, method: str | None = None) -> list[Request]:
        with self.lock:
            return [
                r
                for r in self.requests
                if r.path.startswith(path_prefix) and (method is None or r.method == method)
            ]

    # --- messages: claims and id_tokens -----------------------------------------------------

    def resource_link_claims(
        self,
        *,
        user_id: str,
        context_id: str,
        resource_link_id: str,
        target_link_uri: str = "",
        roles: list[str] | None = None,
        ags: bool = True,
        nrps: bool = True,
        lineitem: str | None = None,
        person: dict[str, Any] | None = None,
        custom: dict[str, str] | None = None,
        resource_link_title: str = "",
    ) -> dict[str, Any]:
        """The claims of an LtiResourceLinkRequest (LTI 1.3 core section 5.3), less the
        id_token's own (iss, aud, iat, exp, nonce: `mint` adds them)."""
        if context_id not in self.contexts:
            self.add_context(context_id, label=context_id, title=context_id)
        claims: dict[str, Any] = {
            "sub": user_id,
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": target_link_uri or self._default_target(),
            LTI + "resource_link": {"id": resource_link_id, "title": resource_link_title},
            LTI + "roles": roles if roles is not None else [LEARNER],
            LTI + "context": {
                **self.contexts[context_id],
                "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            },
            **(person or {}),
        }
        if custom:
            claims[LTI + "custom"] = custom
        if ags:
            endpoint: dict[str, Any] = {
                "scope": [SCOPE_LINEITEM, SCOPE_LINEITEM_READ, SCOPE_RESULT_READ, SCOPE_SCORE],
                "lineitems": self.lineitems_url(context_id),
            }
            if lineitem:
                endpoint["lineitem"] = lineitem
            claims[AGS_CLAIM] = endpoint
        if nrps:
            claims[NRPS_CLAIM] = {
                "context_memberships_url": self.memberships_url(context_id),
                "service_versions": ["2.0"],
            }
        return claims

    def deep_linking_claims(
        self,
        *,
        user_id: str,
        context_id: str,
        target_link_uri: str = "",
        roles: list[str] | None = None,
        data: str = "",
        accept_multiple: bool = True,
    ) -> dict[str, Any]:
        """The claims of an LtiDeepLinkingRequest (Deep Linking 2.0 section 4.4)."""
        claims = self.resource_link_claims(
            user_id=user_id,
            context_id=context_id,
            resource_link_id="unused",
            target_link_uri=target_link_uri,
            roles=roles if roles is not None else [INSTRUCTOR],
            ags=False,
            nrps=False,
        )
        del claims[LTI + "resource_link"]
        claims[LTI + "message_type"] = "LtiDeepLinkingRequest"
        claims[DL + "deep_linking_settings"] = {
            "deep_link_return_url": self.deep_link_return_url,
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": accept_multiple,
            "auto_create": True,
            "data": data,
        }
        return claims

    def mint(
        self,
        claims: dict[str, Any],
        *,
        nonce: str | None = None,
        key: jwk.JWK | None = None,
        aud: str | list[str] | None = None,
        iat: int | None = None,
        exp: int | None = None,
        iss: str | None = None,
    ) -> str:
        """An id_token with `claims`, signed by the platform's key unless `key` is given (its
        header names the platform's kid either way)."""
        issued = _now() if iat is None else iat
        body = {
            "iss": self.issuer if iss is None else iss,
            "aud": self.client_id if aud is None else aud,
            "azp": self.client_id,
            "iat": issued,
            "exp": issued + 600 if exp is None else exp,
            "nonce": nonce or secrets.token_urlsafe(16),
            **claims,
        }
        token = jwt.JWT(header={"alg": "RS256", "typ": "JWT", "kid": self.key["kid"]}, claims=body)
        token.make_signed_token(key or self.key)
        return str(token.serialize())

    def mint_bad(self, kind: str, claims: dict[str, Any], *, nonce: str | None = None) -> str:
        """An id_token wrong in one way (`BAD_KINDS`); a replay needs an earlier launch's nonce:
        the last nonce this platform issued is used when `nonce` is not given."""
        if kind == "wrong_key":
            stranger = jwk.JWK.generate(kty="RSA", size=2048)
            return self.mint(claims, nonce=nonce, key=stranger)
        if kind == "expired":
            past = _now() - 7200
            return self.mint(claims, nonce=nonce, iat=past, exp=past + 600)
        if kind == "wrong_aud":
            return self.mint(claims, nonce=nonce, aud="some-other-tool")
        if kind == "unknown_deployment":
            return self.mint({**claims, LTI + "deployment_id": "no-such-deployment"}, nonce=nonce)
        if kind == "reused_nonce":
            with self.lock:
                earlier = nonce or (self.issued_nonces[-1] if self.issued_nonces else None)
            if earlier is None:
                raise ValueError("no nonce to reuse: launch once first")
            return self.mint(claims, nonce=earlier)
        raise ValueError(f"unknown kind of bad token {kind!r} (one of {', '.join(BAD_KINDS)})")

    # --- the OIDC login -------------------------------------------------------------------

    def _default_target(self) -> str:
        return self.tool_redirect_uris[0] if self.tool_redirect_uris else ""

    def login_url(
        self,
        claims: dict[str, Any],
        *,
        bad: str = "",
        login_url: str | None = None,
        method_get: bool = True,
    ) -> str:
        """Where the platform sends the browser to start a launch with `claims` (third-party
        initiated login); `bad` makes the id_token it will answer wrong in that way."""
        params = self.login_params(claims, bad=bad)
        base = login_url or self.tool_login_url
        if not base:
            raise ValueError("tell the platform the tool's login URL (tool_login_url)")
        sep = "&" if "?" in base else "?"
        return base + sep + urllib.parse.urlencode(params)

    def login_params(self, claims: dict[str, Any], *, bad: str = "") -> dict[str, str]:
        if bad and bad not in BAD_KINDS:
            raise ValueError(f"unknown kind of bad token {bad!r}")
        hint = secrets.token_urlsafe(12)
        target = str(claims.get(LTI + "target_link_uri") or self._default_target())
        launch = PendingLaunch(claims=claims, login_hint=str(claims["sub"]), target_link_uri=target)
        launch.bad = bad
        with self.lock:
            self.launches[hint] = launch
        return {
            "iss": self.issuer,
            "login_hint": launch.login_hint,
            "target_link_uri": target,
            "lti_message_hint": hint,
            "client_id": self.client_id,
            "lti_deployment_id": str(claims.get(LTI + "deployment_id", self.deployment_id)),
        }

    def authorize(self, params: dict[str, str]) -> tuple[str, dict[str, str]]:
        """The platform's answer to the tool's authentication request: the redirect URI and the
        form (id_token, state) to POST there. Raises PlatformError for a bad request."""

        def need(name: str) -> str:
            value = params.get(name, "")
            if not value:
                raise PlatformError(400, "invalid_request", f"{name} is required")
            return value

        if "openid" not in need("scope").split():
            raise PlatformError(400, "invalid_scope", "scope must include openid")
        if need("response_type") != "id_token":
            raise PlatformError(400, "unsupported_response_type", "response_type must be id_token")
        if need("response_mode") != "form_post":
            raise PlatformError(400, "invalid_request", "response_mode must be form_post")
        if params.get("prompt", "none") != "none":
            raise PlatformError(400, "invalid_request", "prompt must be none")
        if need("client_id") != self.client_id:
            raise PlatformError(400, "unauthorized_client", "unknown client_id")
        redirect_uri = need("redirect_uri")
        if redirect_uri not in self.tool_redirect_uris:
            raise PlatformError(400, "invalid_request", "redirect_uri is not registered")
        nonce = need("nonce")
        with self.lock:
            launch = self.launches.pop(need("lti_message_hint"), None)
        if launch is None:
            raise PlatformError(400, "invalid_request", "lti_message_hint is unknown or used")
        if need("login_hint") != launch.login_hint:
            raise PlatformError(400, "login_required", "login_hint is not the user who launched")
        claims = launch.claims
        if launch.bad:
            reuse = launch.bad == "reused_nonce"
            token = self.mint_bad(launch.bad, claims, nonce=None if reuse else nonce)
        else:
            token = self.mint(claims, nonce=nonce)
            with self.lock:
                self.issued_nonces.append(nonce)
        form = {"id_token": token, "state": params.get("state", "")}
        with self.lock:
            self.form_posts.append((redirect_uri, form))
        return redirect_uri, form

    def last_form_post(self) -> tuple[str, dict[str, str]]:
        """The last (redirect URI, form) the platform answered: POST it again to replay it."""
        with self.lock:
            return self.form_posts[-1]

    # --- verifying what the tool sends ------------------------------------------------------

    def tool_keys(self) -> jwk.JWKSet:
        source = self.tool_jwks
        if callable(source):
            data = source()
        elif source is not None:
            data = source
        elif self.tool_jwks_url:
            with urllib.request.urlopen(self.tool_jwks_url, timeout=10) as answer:  # noqa: S310
                data = json.load(answer)
        else:
            raise PlatformError(401, "invalid_client", "the platform knows no key of the tool's")
        return jwk.JWKSet.from_json(json.dumps(data))

    def verify_tool_jwt(self, token: str) -> dict[str, Any]:
        """The claims of a JWT the tool signed, checked against the tool's JWKS (signature,
        kid known, exp and iat)."""
        try:
            checked = jwt.JWT(jwt=token, key=self.tool_keys(), expected_type="JWS")
        except (jws.InvalidJWSSignature, jws.InvalidJWSObject, jwt.JWTMissingKey) as bad:
            why = "no key of the tool's verifies it"
            raise PlatformError(401, "invalid_client", f"bad signature: {why}") from bad
        except jwt.JWTExpired as bad:
            raise PlatformError(401, "invalid_client", f"expired: {bad}") from bad
        except (jwt.JWException, ValueError) as bad:
            raise PlatformError(401, "invalid_client", f"{type(bad).__name__}: {bad}") from bad
        claims: dict[str, Any] = json.loads(checked.claims)
        if "exp" not in claims:
            raise PlatformError(401, "invalid_client", "the JWT has no exp")
        return claims

    def grant(self, form: dict[str, str]) -> dict[str, Any]:
        """The token endpoint: an access token for a valid client assertion."""
        if form.get("grant_type") != "client_credentials":
            raise PlatformError(400, "unsupported_grant_type", "grant_type: client_credentials")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise PlatformError(400, "invalid_request", f"client_assertion_type: {ASSERTION_TYPE}")
        assertion = form.get("client_assertion", "")
        if not assertion:
            raise PlatformError(400, "invalid_request", "client_assertion is required")
        claims = self.verify_tool_jwt(assertion)
        if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
            raise PlatformError(401, "invalid_client", "iss and sub must be the client id")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.token_url not in audiences and self.issuer not in audiences:
            raise PlatformError(401, "invalid_client", "aud must name this token endpoint")
        jti = str(claims.get("jti") or "")
        with self.lock:
            if not jti or jti in self.assertion_jtis:
                raise PlatformError(400, "invalid_grant", "jti missing or already used")
            self.assertion_jtis.add(jti)
        asked = set(form.get("scope", "").split())
        unknown = asked - set(ALL_SCOPES)
        if not asked or unknown:
            raise PlatformError(400, "invalid_scope", f"unknown scopes: {sorted(unknown)}")
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = (frozenset(asked), time.time() + self.token_lifetime)
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.token_lifetime,
            "scope": " ".join(sorted(asked)),
        }

    def bearer(self, headers: dict[str, str], *scopes: str) -> frozenset[str]:
        """The scopes of the request's bearer token, if it holds one of `scopes`."""
        value = headers.get("authorization", "")
        if not value.lower().startswith("bearer "):
            raise PlatformError(401, "invalid_token", "a bearer token is required")
        with self.lock:
            found = self.tokens.get(value[7:].strip())
        if found is None or found[1] < time.time():
            raise PlatformError(401, "invalid_token", "unknown or expired token")
        if not found[0] & set(scopes):
            raise PlatformError(403, "insufficient_scope", f"needs one of {list(scopes)}")
        return found[0]

    # --- services ---------------------------------------------------------------------------

    def _context(self, context_id: str) -> dict[str, str]:
        with self.lock:
            context = self.contexts.get(context_id)
        if context is None:
            raise PlatformError(404, "not_found", f"no context {context_id!r}")
        return context

    def memberships(
        self, context_id: str, query: dict[str, str]
    ) -> tuple[dict[str, Any], str | None]:
        context = self._context(context_id)
        with self.lock:
            members = list(self.members[context_id])
        role = query.get("role")
        if role:
            members = [
                m for m in members if any(r == role or r.endswith("#" + role) for r in m["roles"])
            ]
        limit = int(query["limit"]) if query.get("limit") else self.nrps_page_size
        start = int(query.get("from", "0"))
        page = members[start : start + limit] if limit else members[start:]
        following = None
        if limit and start + limit < len(members):
            rest = {k: v for k, v in query.items() if k != "from"}
            following = (
                f"{self.memberships_url(context_id)}?"
                f"{urllib.parse.urlencode({**rest, 'limit': limit, 'from': start + limit})}"
            )
        body = {
            "id": self.memberships_url(context_id),
            "context": {k: v for k, v in context.items() if v},
            "members": page,
        }
        return body, following

    def lineitem(self, context_id: str, number: str) -> dict[str, Any]:
        self._context(context_id)
        url = f"{self.lineitems_url(context_id)}/{number}"
        with self.lock:
            for item in self.lineitems[context_id]:
                if item["id"] == url:
                    return item
        raise PlatformError(404, "not_found", f"no line item {url}")

    def lineitems_list(self, context_id: str, query: dict[str, str]) -> list[dict[str, Any]]:
        self._context(context_id)
        with self.lock:
            items = list(self.lineitems[context_id])
        for param, key in (
            ("resource_link_id", "resourceLinkId"),
            ("resource_id", "resourceId"),
            ("tag", "tag"),
        ):
            if param in query:
                items = [item for item in items if item.get(key) == query[param]]
        if query.get("limit"):
            items = items[: int(query["limit"])]
        return items

    def lineitem_create(self, context_id: str, body: Any) -> dict[str, Any]:
        self._context(context_id)
        if not isinstance(body, dict):
            raise PlatformError(400, "invalid_request", "a JSON object is required")
        maximum = body.get("scoreMaximum")
        if isinstance(maximum, bool) or not isinstance(maximum, int | float) or maximum <= 0:
            raise PlatformError(400, "invalid_request", "scoreMaximum: a number > 0 is required")
        if not isinstance(body.get("label"), str) or not body["label"].strip():
            raise PlatformError(400, "invalid_request", "label is required")
        fields = {
            k: body[k]
            for k in (
                "scoreMaximum", "label", "resourceId", "resourceLinkId", "tag",
                "startDateTime", "endDateTime", "gradesReleased",
            )
            if k in body
        }  # fmt: skip
        return self.add_lineitem(context_id, **fields)

    def score(self, context_id: str, number: str, body: Any, scopes: frozenset[str]) -> Score:
        item = self.lineitem(context_id, number)
        if not isinstance(body, dict):
            raise PlatformError(400, "invalid_request", "a JSON object is required")
        if not isinstance(body.get("userId"), str) or not body["userId"]:
            raise PlatformError(400, "invalid_request", "userId is required")
        moment = _timestamp(body.get("timestamp"))
        if body.get("activityProgress") not in ACTIVITY_PROGRESS:
            raise PlatformError(400, "invalid_request", "activityProgress is not a known value")
        if body.get("gradingProgress") not in GRADING_PROGRESS:
            raise PlatformError(400, "invalid_request", "gradingProgress is not a known value")
        if "scoreGiven" in body and body["scoreGiven"] is not None:
            given, maximum = body.get("scoreGiven"), body.get("scoreMaximum")
            for name, value in (("scoreGiven", given), ("scoreMaximum", maximum)):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise PlatformError(400, "invalid_request", f"{name}: a number is required")
            assert isinstance(given, int | float)
            assert isinstance(maximum, int | float)
            if given < 0 or maximum <= 0:
                raise PlatformError(400, "invalid_request", "scoreGiven >= 0, scoreMaximum > 0")
        key = (str(item["id"]), str(body["userId"]))
        with self.lock:
            last = self.results.get(key)
            # AGS 2.0, 3.4.4: the platform MUST NOT update a result if the last timestamp on
            # record is later than the incoming score (nor, here, the same moment twice).
            accepted = last is None or _timestamp(last["timestamp"]) < moment
            received = Score(lineitem=str(item["id"]), body=body, scopes=scopes, accepted=accepted)
            self.scores_received.append(received)
            if accepted:
                self.results[key] = body
        if not accepted:
            raise PlatformError(409, "conflict", "a score as late or later is on record")
        return received

    def results_list(self, context_id: str, number: str) -> list[dict[str, Any]]:
        item = self.lineitem(context_id, number)
        with self.lock:
            mine = [(user, body) for (url, user), body in self.results.items() if url == item["id"]]
        return [
            {
                "id": f"{item['id']}/results/{urllib.parse.quote(user, safe='')}",
                "scoreOf": item["id"],
                "userId": user,
                "resultScore": body.get("scoreGiven"),
                "resultMaximum": body.get("scoreMaximum"),
                "comment": body.get("comment"),
            }
            for user, body in mine
        ]

    def deep_link_response(self, form: dict[str, str]) -> dict[str, Any]:
        token = form.get("JWT", "")
        if not token:
            raise PlatformError(400, "invalid_request", "JWT is required")
        claims = self.verify_tool_jwt(token)
        if claims.get("iss") != self.client_id:
            raise PlatformError(401, "invalid_client", "iss must be the client id")
        audience = claims.get("aud")
        if self.issuer not in (audience if isinstance(audience, list) else [audience]):
            raise PlatformError(401, "invalid_client", "aud must be the platform's issuer")
        if claims.get(LTI + "message_type") != "LtiDeepLinkingResponse":
            raise PlatformError(400, "invalid_request", "not an LtiDeepLinkingResponse")
        if claims.get(LTI + "deployment_id") != self.deployment_id:
            raise PlatformError(400, "invalid_request", "unknown deployment_id")
        with self.lock:
            self.deep_link_responses.append(claims)
        return claims


def auto_post_form(action: str, fields: dict[str, str]) -> bytes:
    """An HTML page that POSTs `fields` to `action` as soon as a browser loads it (and has a
    button for one that runs no script)."""
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Test platform</title></head>"
        f'<body><form id=f method=post action="{html.escape(action)}">{inputs}'
        "<button type=submit>Continue</button></form>"
        "<script>document.getElementById('f').submit()</script></body></html>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    platform: LtiPlatform
    _seen: tuple[str, str, dict[str, str], bytes]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        parsed = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parsed.query))
        # Recorded as the answer goes out (before it is written: a test that has its answer
        # finds the request in `requests`).
        self._seen = (method, parsed.path, headers, body)
        try:
            self._fault(parsed.path) or self._route(method, parsed.path, query, headers, body)
        except PlatformError as refused:
            self._json(
                refused.status, {"error": refused.error, "error_description": refused.description}
            )
        except Exception as bug:
            self._json(500, {"error": "server_error", "error_description": repr(bug)})
            raise

    def _fault(self, path: str) -> int:
        with self.platform.lock:
            for fault in self.platform.faults:
                if path.startswith(fault[0]) and fault[2] > 0:
                    fault[2] -= 1
                    status = int(fault[1])
                    break
            else:
                return 0
        self._json(status, {"error": "injected", "error_description": f"fault {status}"})
        return status

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: bytes,
    ) -> int:
        platform = self.platform
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
        form = dict(urllib.parse.parse_qsl(body.decode())) if method == "POST" else {}
        if path == "/.well-known/jwks.json" and method == "GET":
            return self._json(200, platform.jwks())
        if path == "/auth":
            redirect_uri, fields = platform.authorize(query if method == "GET" else form)
            return self._send(200, "text/html; charset=utf-8", auto_post_form(redirect_uri, fields))
        if path == "/token" and method == "POST":
            return self._json(200, platform.grant(form))
        if path == "/deep_links" and method == "POST":
            platform.deep_link_response(form)
            return self._send(200, "text/html; charset=utf-8", b"<!doctype html><p>Linked.</p>")
        if len(parts) >= 3 and parts[0] == "contexts":
            return self._service(method, parts, query, headers, body)
        raise PlatformError(404, "not_found", f"no route {method} {path}")

    def _service(
        self,
        method: str,
        parts: list[str],
        query: dict[str, str],
        headers: dict[str, str],
        body: bytes,
    ) -> int:
        platform, context_id, rest = self.platform, parts[1], parts[2:]
        if rest == ["memberships"] and method == "GET":
            platform.bearer(headers, SCOPE_NRPS)
            container, following = platform.memberships(context_id, query)
            extra = {"Link": f'<{following}>; rel="next"'} if following else {}
            return self._json(200, container, MEDIA_MEMBERSHIPS, extra)
        if rest == ["lineitems"] and method == "GET":
            platform.bearer(headers, SCOPE_LINEITEM, SCOPE_LINEITEM_READ)
            return self._json(200, platform.lineitems_list(context_id, query), MEDIA_LINEITEMS)
        if rest == ["lineitems"] and method == "POST":
            platform.bearer(headers, SCOPE_LINEITEM)
            self._media(headers, MEDIA_LINEITEM)
            return self._json(
                201, platform.lineitem_create(context_id, self._body(body)), MEDIA_LINEITEM
            )
        if len(rest) == 2 and rest[0] == "lineitems" and method == "GET":
            platform.bearer(headers, SCOPE_LINEITEM, SCOPE_LINEITEM_READ)
            return self._json(200, platform.lineitem(context_id, rest[1]), MEDIA_LINEITEM)
        if len(rest) == 3 and rest[0] == "lineitems" and rest[2] == "scores" and method == "POST":
            scopes = platform.bearer(headers, SCOPE_SCORE)
            self._media(headers, MEDIA_SCORE)
            platform.score(context_id, rest[1], self._body(body), scopes)
            return self._send(204, "", b"")
        if len(rest) == 3 and rest[0] == "lineitems" and rest[2] == "results" and method == "GET":
            platform.bearer(headers, SCOPE_RESULT_READ)
            return self._json(200, platform.results_list(context_id, rest[1]), MEDIA_RESULTS)
        raise PlatformError(404, "not_found", f"no service {method} /{'/'.join(parts)}")

    @staticmethod
    def _media(headers: dict[str, str], media: str) -> None:
        if headers.get("content-type", "").split(";")[0].strip() != media:
            raise PlatformError(415, "unsupported_media_type", f"Content-Type must be {media}")

    @staticmethod
    def _body(body: bytes) -> Any:
        try:
            return json.loads(body)
        except ValueError as bad:
            raise PlatformError(400, "invalid_request", f"the body is not JSON: {bad}") from bad

    def _json(
        self,
        status: int,
        data: Any,
        media: str = "application/json",
        extra: dict[str, str] | None = None,
    ) -> int:
        return self._send(status, media, json.dumps(data).encode(), extra)

    def _send(
        self, status: int, media: str, payload: bytes, extra: dict[str, str] | None = None
    ) -> int:
        method, path, headers, body = self._seen
        with self.platform.lock:
            self.platform.requests.append(
                Request(method=method, path=path, status=status, headers=headers, body=body)
            )
        self.send_response(status)
        if media:
            self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
        return status
