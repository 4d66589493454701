"""The test platform itself (tests/lti/platform.py), driven over HTTP as a tool would, so that the
tool's tests stand on a platform that refuses what a real one refuses."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

import pytest
from jwcrypto import jwk, jws, jwt

from tests.lti.platform import (
    AGS_CLAIM,
    ASSERTION_TYPE,
    BAD_KINDS,
    INSTRUCTOR,
    LTI,
    MEDIA_LINEITEM,
    MEDIA_SCORE,
    NRPS_CLAIM,
    SCOPE_LINEITEM,
    SCOPE_NRPS,
    SCOPE_SCORE,
    LtiPlatform,
)

TOOL_LAUNCH = "https://tool.test/lti/launch/"


def call(
    method: str, url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    assert url.startswith("http://127.0.0.1:")  # the test platform only
    request = urllib.request.Request(url, data, headers or {}, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read()


@pytest.fixture
def tool_key() -> jwk.JWK:
    return jwk.JWK.generate(kty="RSA", size=2048, kid="tool-1")


@pytest.fixture
def platform(lti_platform: LtiPlatform, tool_key: jwk.JWK) -> LtiPlatform:
    lti_platform.tool_login_url = "https://tool.test/lti/login/"
    lti_platform.tool_redirect_uris = [TOOL_LAUNCH]
    lti_platform.tool_jwks = {"keys": [json.loads(tool_key.export_public())]}
    return lti_platform


def assertion(platform: LtiPlatform, key: jwk.JWK, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": platform.client_id,
        "sub": platform.client_id,
        "aud": platform.token_url,
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
        **overrides,
    }
    token = jwt.JWT(header={"alg": "RS256", "kid": key["kid"]}, claims=claims)
    token.make_signed_token(key)
    return str(token.serialize())


def get_token(platform: LtiPlatform, key: jwk.JWK, scope: str, **overrides: Any) -> tuple[int, Any]:
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion(platform, key, **overrides),
        "scope": scope,
    }
    status, _, body = call("POST", platform.token_url, urllib.parse.urlencode(form).encode())
    return status, json.loads(body)


def verify(platform: LtiPlatform, token: str) -> dict[str, Any]:
    """As the tool does: the platform's published JWKS, then exp."""
    status, _, body = call("GET", platform.jwks_url)
    assert status == 200
    keys = jwk.JWKSet.from_json(body.decode())
    assert "d" not in json.loads(body)["keys"][0]  # the public half only
    checked = jwt.JWT(jwt=token, key=keys, check_claims={"exp": None, "aud": platform.client_id})
    claims: dict[str, Any] = json.loads(checked.claims)
    return claims


def launch_claims(platform: LtiPlatform, **overrides: Any) -> dict[str, Any]:
    return platform.resource_link_claims(
        user_id="lms-user-7", context_id="ctx-1", resource_link_id="rl-1", **overrides
    )


def tool_auth_request(params: dict[str, str], nonce: str = "n-1") -> dict[str, str]:
    """The authentication request a tool makes from the platform's login initiation."""
    return {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": params["client_id"],
        "redirect_uri": TOOL_LAUNCH,
        "login_hint": params["login_hint"],
        "lti_message_hint": params["lti_message_hint"],
        "state": "s-1",
        "nonce": nonce,
    }


def test_a_login_goes_through_auth_to_a_form_post_with_a_signed_id_token(platform):
    url = platform.login_url(launch_claims(platform))
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert url.startswith("https://tool.test/lti/login/?")
    assert (params["iss"], params["login_hint"], params["target_link_uri"]) == (
        platform.issuer,
        "lms-user-7",
        TOOL_LAUNCH,
    )
    query = urllib.parse.urlencode(tool_auth_request(params))
    status, headers, page = call("GET", f"{platform.auth_url}?{query}")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert f'action="{TOOL_LAUNCH}"' in page.decode()
    token = re.search(r'name="id_token" value="([^"]+)"', page.decode())
    assert token is not None
    assert 'name="state" value="s-1"' in page.decode()
    claims = verify(platform, token.group(1))
    assert claims["nonce"] == "n-1"
    assert claims["iss"] == platform.issuer
    assert claims[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert claims[LTI + "deployment_id"] == platform.deployment_id
    assert claims[LTI + "resource_link"]["id"] == "rl-1"
    assert claims[AGS_CLAIM]["lineitems"] == platform.lineitems_url("ctx-1")
    assert claims[NRPS_CLAIM]["context_memberships_url"] == platform.memberships_url("ctx-1")
    # The message hint is spent: the same authentication request again is refused.
    again, _, body = call("GET", f"{platform.auth_url}?{query}")
    assert again == 400
    assert "lti_message_hint" in json.loads(body)["error_description"]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"redirect_uri": "https://evil.test/"}, "redirect_uri"),
        ({"client_id": "someone"}, "client_id"),
        ({"response_type": "code"}, "response_type"),
        ({"nonce": ""}, "nonce"),
        ({"login_hint": "another-user"}, "login_hint"),
    ],
)
def test_auth_refuses_a_bad_authentication_request(platform, change, error):
    params = platform.login_params(launch_claims(platform))
    status, _, body = call(
        "POST",
        platform.auth_url,
        urllib.parse.urlencode({**tool_auth_request(params), **change}).encode(),
    )
    assert status == 400
    assert error in json.loads(body)["error_description"]
    assert not platform.form_posts


def test_each_bad_token_is_wrong_in_its_own_way(platform):
    claims = launch_claims(platform)
    good = platform.mint(claims, nonce="first")
    assert verify(platform, good)["nonce"] == "first"
    with pytest.raises(jwt.JWTMissingKey):  # no key of the platform's verifies it
        verify(platform, platform.mint_bad("wrong_key", claims))
    with pytest.raises(jwt.JWTExpired):
        verify(platform, platform.mint_bad("expired", claims))
    with pytest.raises(jwt.JWTInvalidClaimValue):
        verify(platform, platform.mint_bad("wrong_aud", claims))
    unknown = verify(platform, platform.mint_bad("unknown_deployment", claims))
    assert unknown[LTI + "deployment_id"] == "no-such-deployment"
    replay = verify(platform, platform.mint_bad("reused_nonce", claims, nonce="first"))
    assert replay["nonce"] == "first"
    with pytest.raises(ValueError, match="unknown kind"):
        platform.mint_bad("sloppy", claims)


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_the_login_flow_answers_the_bad_token_asked_for(platform, kind):
    first = platform.login_params(launch_claims(platform))
    platform.authorize(tool_auth_request(first, nonce="n-first"))
    params = platform.login_params(launch_claims(platform), bad=kind)
    _, form = platform.authorize(tool_auth_request(params, nonce="n-second"))
    unverified = jws.JWS()
    unverified.deserialize(form["id_token"])
    claims = json.loads(unverified.objects["payload"])
    assert claims["nonce"] == ("n-first" if kind == "reused_nonce" else "n-second")
    if kind in {"wrong_key", "expired", "wrong_aud"}:
        with pytest.raises((jwt.JWTMissingKey, jwt.JWTExpired, jwt.JWTInvalidClaimValue)):
            verify(platform, form["id_token"])
    else:
        verify(platform, form["id_token"])


def test_the_token_endpoint_grants_a_valid_assertion_once(platform, tool_key):
    status, body = get_token(platform, tool_key, f"{SCOPE_SCORE} {SCOPE_LINEITEM}")
    assert status == 200
    assert body["token_type"] == "Bearer"
    assert set(body["scope"].split()) == {SCOPE_SCORE, SCOPE_LINEITEM}
    # The same assertion (its jti) twice is refused.
    jti = uuid.uuid4().hex
    assert get_token(platform, tool_key, SCOPE_SCORE, jti=jti)[0] == 200
    status, body = get_token(platform, tool_key, SCOPE_SCORE, jti=jti)
    assert (status, body["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"aud": "https://elsewhere.test/token"}, 401, "invalid_client"),
        ({"iss": "someone-else"}, 401, "invalid_client"),
        ({"exp": int(time.time()) - 3600}, 401, "invalid_client"),
    ],
)
def test_the_token_endpoint_refuses_a_bad_assertion(platform, tool_key, overrides, status, error):
    answer, body = get_token(platform, tool_key, SCOPE_SCORE, **overrides)
    assert (answer, body["error"]) == (status, error)
    assert not platform.tokens


def test_the_token_endpoint_refuses_a_stranger_key_and_an_unknown_scope(platform, tool_key):
    stranger = jwk.JWK.generate(kty="RSA", size=2048, kid="tool-1")
    status, body = get_token(platform, stranger, SCOPE_SCORE)
    assert (status, body["error"]) == (401, "invalid_client")
    assert "signature" in body["error_description"]
    status, body = get_token(platform, tool_key, "https://purl.imsglobal.org/spec/everything")
    assert (status, body["error"]) == (400, "invalid_scope")


def bearer(platform: LtiPlatform, key: jwk.JWK, scope: str) -> dict[str, str]:
    status, body = get_token(platform, key, scope)
    assert status == 200
    return {"Authorization": f"Bearer {body['access_token']}"}


def test_nrps_pages_the_membership_container_with_link_headers(platform, tool_key):
    platform.add_context("ctx-1", label="CS 1", title="Intro")
    for n in range(5):
        platform.add_member("ctx-1", f"u{n}", name=f"User {n}", email=f"u{n}@example.edu")
    platform.add_member("ctx-1", "prof", [INSTRUCTOR], name="Prof")
    auth = {**bearer(platform, tool_key, SCOPE_NRPS)}
    url: str | None = platform.memberships_url("ctx-1") + "?limit=2"
    seen: list[str] = []
    pages = 0
    while url:
        status, headers, body = call("GET", url, headers=auth)
        assert status == 200
        assert headers["Content-Type"] == "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
        container = json.loads(body)
        assert container["context"] == {"id": "ctx-1", "label": "CS 1", "title": "Intro"}
        seen += [m["user_id"] for m in container["members"]]
        pages += 1
        link = re.match(r'<([^>]+)>; rel="next"', headers.get("Link", ""))
        url = link.group(1) if link else None
    assert (pages, seen) == (3, ["u0", "u1", "u2", "u3", "u4", "prof"])
    status, _, body = call(
        "GET", platform.memberships_url("ctx-1") + "?role=Instructor", None, auth
    )
    assert [m["user_id"] for m in json.loads(body)["members"]] == ["prof"]


def test_nrps_refuses_without_a_token_or_with_another_scope(platform, tool_key):
    platform.add_context("ctx-1")
    assert call("GET", platform.memberships_url("ctx-1"))[0] == 401
    other = bearer(platform, tool_key, SCOPE_SCORE)
    assert call("GET", platform.memberships_url("ctx-1"), None, other)[0] == 403


def post_json(url: str, data: Any, media: str, auth: dict[str, str]) -> tuple[int, Any]:
    status, _, body = call("POST", url, json.dumps(data).encode(), {**auth, "Content-Type": media})
    return status, json.loads(body) if body else None


def test_ags_line_items_and_scores_are_recorded(platform, tool_key):
    platform.add_context("ctx-1")
    auth = bearer(platform, tool_key, f"{SCOPE_LINEITEM} {SCOPE_SCORE}")
    items = platform.lineitems_url("ctx-1")
    status, body = post_json(items, {"label": "Lab 2"}, MEDIA_LINEITEM, auth)
    assert (status, body["error_description"]) == (400, "scoreMaximum: a number > 0 is required")
    status, body = post_json(
        items, {"label": "Lab 2", "scoreMaximum": 10}, "application/json", auth
    )
    assert status == 415
    made = {"label": "Lab 2", "scoreMaximum": 10, "resourceLinkId": "rl-1", "tag": "lab"}
    status, item = post_json(items, made, MEDIA_LINEITEM, auth)
    assert status == 201
    assert item["id"].startswith(items + "/")
    status, _, listed = call("GET", items + "?resource_link_id=rl-1", headers=auth)
    assert (status, json.loads(listed)) == (200, [item])
    assert json.loads(call("GET", items + "?resource_link_id=rl-9", headers=auth)[2]) == []
    assert json.loads(call("GET", item["id"], headers=auth)[2]) == item

    def score(given: float, stamp: str) -> tuple[int, Any]:
        data = {
            "userId": "lms-user-7",
            "scoreGiven": given,
            "scoreMaximum": 10,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "timestamp": stamp,
        }
        return post_json(item["id"] + "/scores", data, MEDIA_SCORE, auth)

    assert score(7, "2026-12-07T10:00:00.000+00:00")[0] == 204
    # Older than the one on record: kept out, answered 409.
    assert score(3, "2026-12-07T09:00:00.000+00:00")[0] == 409
    [accepted] = platform.scores
    assert (accepted.user_id, accepted.body["scoreGiven"], accepted.lineitem) == (
        "lms-user-7",
        7,
        item["id"],
    )
    assert [s.body["scoreGiven"] for s in platform.scores_rejected] == [3]
    status, body = score(-1, "2026-12-07T11:00:00+00:00")
    assert (status, body["error"]) == (400, "invalid_request")
    status, body = score(5, "yesterday")
    assert (status, body["error_description"][:10]) == (400, "timestamp:")
    assert len(platform.scores_received) == 2


def test_ags_refuses_a_score_without_the_score_scope(platform, tool_key):
    item = platform.add_lineitem("ctx-1", label="Lab", scoreMaximum=10)
    auth = bearer(platform, tool_key, SCOPE_LINEITEM)
    data = {"userId": "u", "activityProgress": "Completed", "gradingProgress": "FullyGraded",
            "timestamp": "2026-12-07T10:00:00Z"}  # fmt: skip
    assert post_json(item["id"] + "/scores", data, MEDIA_SCORE, auth)[0] == 403
    assert post_json(item["id"] + "/scores", data, MEDIA_SCORE, {})[0] == 401
    assert platform.scores_received == []


def test_an_injected_fault_answers_first_and_is_recorded(platform, tool_key):
    platform.fail_next("/.well-known/", 503, times=1)
    assert call("GET", platform.jwks_url)[0] == 503
    assert call("GET", platform.jwks_url)[0] == 200
    assert [r.status for r in platform.requests_to("/.well-known/")] == [503, 200]


def test_a_deep_linking_response_is_verified_against_the_tool_keys(platform, tool_key):
    claims = platform.deep_linking_claims(user_id="prof", context_id="ctx-1", data="opaque")
    assert claims[LTI + "message_type"] == "LtiDeepLinkingRequest"
    response = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": int(time.time()),
        "exp": int(time.time()) + 300,
        "nonce": "x",
        LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0",
        LTI + "deployment_id": platform.deployment_id,
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [
            {"type": "ltiResourceLink", "title": "Lab 2", "url": TOOL_LAUNCH}
        ],
        "https://purl.imsglobal.org/spec/lti-dl/claim/data": "opaque",
    }
    token = jwt.JWT(header={"alg": "RS256", "kid": "tool-1"}, claims=response)
    token.make_signed_token(tool_key)
    form = urllib.parse.urlencode({"JWT": token.serialize()}).encode()
    assert call("POST", platform.deep_link_return_url, form)[0] == 200
    assert platform.deep_link_responses[0][LTI + "deployment_id"] == platform.deployment_id
    stranger = jwt.JWT(header={"alg": "RS256", "kid": "tool-1"}, claims=response)
    stranger.make_signed_token(jwk.JWK.generate(kty="RSA", size=2048))
    form = urllib.parse.urlencode({"JWT": stranger.serialize()}).encode()
    assert call("POST", platform.deep_link_return_url, form)[0] == 401
    assert len(platform.deep_link_responses) == 1
