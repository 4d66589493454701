"""Launches as an adversary makes them: id_tokens malformed in the ways pylti1p3 trips on,
forged (alg none, HS256 keyed with the public key, no kid, issued in the future), a course's own
"platform" reaching into another course or account, and e-mail linking abused. Each is refused
with a clear 4xx that changes nothing, or lands where it is allowed to and no further."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.parse
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from jwcrypto import jwt

from courses.models import Membership, Role
from lti.models import CourseContext, Identity, Registration
from tests.factories import make_course, make_user
from tests.lti.platform import INSTRUCTOR, LTI, LtiPlatform
from tests.lti.test_launch import student_claims
from tests.lti.tool import counts, course_with_platform, launch, start_login

pytestmark = pytest.mark.django_db


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _login(platform: LtiPlatform) -> tuple[Client, str, str]:
    """A browser that went through the login initiation: its state and the nonce it was given,
    so that only the id_token itself is wrong."""
    client = Client()
    answer = start_login(client, platform, student_claims(platform))
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer["Location"]).query))
    return client, params["state"], params["nonce"]


def _body(platform: LtiPlatform, nonce: Any, **over: Any) -> dict[str, Any]:
    now = int(time.time())
    body = {
        "iss": platform.issuer,
        "aud": platform.client_id,
        "iat": now,
        "exp": now + 600,
        "nonce": nonce,
        **student_claims(platform),
    }
    body.update(over)
    return body


def _signed(
    platform: LtiPlatform, body: dict[str, Any], header: dict[str, Any] | None = None
) -> str:
    token = jwt.JWT(header=header or {"alg": "RS256", "kid": platform.key["kid"]}, claims=body)
    token.make_signed_token(platform.key)
    return str(token.serialize())


def _token(platform: LtiPlatform, case: str, nonce: str) -> str:
    kid = platform.key["kid"]
    body = _body(platform, nonce)
    if case == "header_not_object":
        return _b64([1]) + "." + _b64(body) + ".x"
    if case == "body_not_object":
        return _b64({"alg": "RS256", "kid": kid}) + "." + _b64([1]) + ".x"
    if case == "not_base64_json":
        return "%%%.@@@.!!!"
    if case == "aud_empty_list":
        return _signed(platform, _body(platform, nonce, aud=[]))
    if case == "azp_not_the_client":
        return _signed(platform, _body(platform, nonce, aud=[platform.client_id, "x"], azp="x"))
    if case == "nonce_not_string":
        return _signed(platform, _body(platform, {"n": nonce}))
    if case == "context_not_object":
        return _signed(platform, _body(platform, nonce, **{LTI + "context": "ctx-1"}))
    if case == "resource_link_not_object":
        return _signed(platform, _body(platform, nonce, **{LTI + "resource_link": "rl-1"}))
    if case == "roles_not_list":
        return _signed(platform, _body(platform, nonce, **{LTI + "roles": INSTRUCTOR}))
    if case == "iat_in_the_future":
        later = int(time.time()) + 30 * 86400
        return _signed(platform, _body(platform, nonce, iat=later, exp=later + 600))
    if case == "alg_none":
        return _b64({"alg": "none", "kid": kid}) + "." + _b64(body) + "."
    if case == "hs256_keyed_with_the_public_key":
        signing_input = _b64({"alg": "HS256", "kid": kid}) + "." + _b64(body)
        secret = platform.key.export_to_pem()  # the public key, as PEM
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        return signing_input + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    if case == "no_kid":
        return _signed(platform, body, header={"alg": "RS256"})
    raise AssertionError(case)


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("header_not_object", "must be JSON objects"),
        ("body_not_object", "must be JSON objects"),
        ("not_base64_json", "not base64url JSON"),
        ("aud_empty_list", "aud must be"),
        ("azp_not_the_client", "azp"),
        ("nonce_not_string", "nonce must be"),
        ("context_not_object", "context must be a JSON object"),
        ("resource_link_not_object", "resource_link must be a JSON object"),
        ("roles_not_list", "roles must be a list"),
        ("iat_in_the_future", "not yet valid (iat)"),
        ("alg_none", "Wrong signature"),
        ("hs256_keyed_with_the_public_key", "Wrong signature"),
        ("no_kid", "names no key (kid)"),
    ],
)
def test_malformed_or_forged_id_token_is_a_clear_400(
    lti_platform: LtiPlatform, case: str, words: str
) -> None:
    course_with_platform(lti_platform)
    client, state, nonce = _login(lti_platform)
    before = {k: v for k, v in counts().items() if k != "sessions"}
    answer = client.post(
        "/lti/launch/", {"id_token": _token(lti_platform, case, nonce), "state": state}
    )
    assert answer.status_code == 400, answer.content[:300]
    text = answer.content.decode()
    assert words in text, re.sub(r"\s+", " ", text)[:1500]
    assert "Nothing was changed" in text
    assert {k: v for k, v in counts().items() if k != "sessions"} == before
    assert "_auth_user_id" not in client.session


def test_huge_id_token_is_a_400(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    client, state, nonce = _login(lti_platform)
    token = _signed(lti_platform, _body(lti_platform, nonce, junk="x" * 3_000_000))
    answer = client.post("/lti/launch/", {"id_token": token, "state": state})
    assert answer.status_code == 400
    assert "_auth_user_id" not in client.session


def _second_course_platform(attacker: LtiPlatform, victim: LtiPlatform) -> Any:
    """Course A's instructor registers their own platform (their keys) under the issuer of
    course B's LMS, with a client id of their own."""
    course_a = make_course(code="CS 1000")
    attacker.tool_login_url = "http://testserver/lti/login/"
    attacker.tool_redirect_uris = ["http://testserver/lti/launch/"]
    return Registration.objects.create(
        name="A's own",
        issuer=attacker.issuer,
        client_id="client-of-a",
        auth_login_url=attacker.auth_url,
        auth_token_url=attacker.token_url,
        jwks_url=attacker.jwks_url,
        deployment_ids=[victim.deployment_id],
        course=course_a,
    )


def test_own_platform_with_the_same_sub_and_context_stays_in_its_course(
    lti_platform: LtiPlatform,
) -> None:
    """B's student has an identity (sub) and B's LMS course a context; A's own platform
    launches the same sub and context id as Instructor: a new account, in course A only."""
    setup_b = course_with_platform(lti_platform)
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302
    victim = Identity.objects.get(registration=setup_b.registration, sub="lms-user-ada").user
    with LtiPlatform(client_id="client-of-a").running() as attacker:
        registration_a = _second_course_platform(attacker, lti_platform)
        claims = student_claims(attacker, roles=[INSTRUCTOR])
        answer = launch(Client(), attacker, claims)
    assert answer.status_code == 302
    mine = Identity.objects.get(registration=registration_a, sub="lms-user-ada").user
    assert mine != victim
    assert answer["Location"] == f"/courses/{registration_a.course_id}/staff/"
    assert not Membership.objects.filter(user=mine, course=setup_b.course).exists()
    assert Membership.objects.get(user=victim, course=setup_b.course).role == Role.STUDENT
    assert CourseContext.objects.get(registration=registration_a).course_id != setup_b.course.pk


def test_token_signed_by_another_platform_for_this_client_is_refused(
    lti_platform: LtiPlatform,
) -> None:
    """A's platform signs a token naming B's client id (aud): B's JWKS verifies it, and fails."""
    setup_b = course_with_platform(lti_platform)
    client, state, nonce = _login(lti_platform)
    attacker = LtiPlatform()  # never started: only its key is used
    token = jwt.JWT(
        header={"alg": "RS256", "kid": lti_platform.key["kid"]},
        claims=_body(lti_platform, nonce, **{LTI + "roles": [INSTRUCTOR]}),
    )
    token.make_signed_token(attacker.key)
    answer = client.post("/lti/launch/", {"id_token": token.serialize(), "state": state})
    assert answer.status_code == 400
    assert "Wrong signature" in answer.content.decode()
    assert not Membership.objects.filter(course=setup_b.course).exists()


def test_deployment_of_another_registration_is_refused(lti_platform: LtiPlatform) -> None:
    setup = course_with_platform(lti_platform)
    Registration.objects.create(
        name="Other", issuer="https://other.example", client_id="other", auth_login_url="https://other.example/a",
        auth_token_url="https://other.example/t", jwks_url="https://other.example/j",
        deployment_ids=["deployment-of-other"], course=make_course(code="CS 2000"),
    )  # fmt: skip
    claims = student_claims(lti_platform)
    claims[LTI + "deployment_id"] = "deployment-of-other"
    answer = launch(Client(), lti_platform, claims)
    assert answer.status_code == 400
    assert "Unknown deployment" in answer.content.decode()
    assert not Membership.objects.filter(course=setup.course).exists()


def _site_wide(platform: LtiPlatform) -> Any:
    setup = course_with_platform(platform, site_wide=True)
    CourseContext.objects.create(
        registration=setup.registration,
        deployment_id=platform.deployment_id,
        context_id="ctx-1",
        course=setup.course,
    )
    return setup


def test_email_never_links_to_a_site_admin_account(lti_platform: LtiPlatform) -> None:
    _site_wide(lti_platform)
    admin = make_user("ada", is_staff=True, is_superuser=True)  # ada@example.edu
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302
    assert Identity.objects.get(sub="lms-user-ada").user != admin


def test_email_never_links_a_second_lms_user_to_an_account(lti_platform: LtiPlatform) -> None:
    """Two LMS users (subs) with one address: the second is not signed in as the first."""
    _site_wide(lti_platform)
    ada = make_user("ada")
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302
    assert Identity.objects.get(sub="lms-user-ada").user == ada
    other = student_claims(lti_platform)
    other["sub"] = "lms-user-mallory"
    assert launch(Client(), lti_platform, other).status_code == 302
    assert Identity.objects.get(sub="lms-user-mallory").user != ada
    assert get_user_model().objects.filter(email="ada@example.edu").count() == 2


def test_jwks_fetch_checks_the_address_it_connects_to(
    lti_platform: LtiPlatform, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the JWKS URL's name passed the address check (here: the check is made to
    pass), then resolves to the loopback when connected to. The connection is refused."""
    import lti.http

    course_with_platform(lti_platform)
    settings.CONVLAB_WEBHOOK_ALLOW_PRIVATE = False
    monkeypatch.setattr(lti.http, "check_webhook_url", lambda url, field: None)
    client = Client()
    answer = launch(client, lti_platform, student_claims(lti_platform))
    assert answer.status_code == 400
    assert "JWKS URL did not answer" in answer.content.decode()
    assert lti_platform.requests_to("/.well-known/jwks.json") == []
    assert "_auth_user_id" not in client.session


def test_jwks_fetch_ignores_proxies_of_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from lti.http import PlatformSession

    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    session = PlatformSession()
    assert session.trust_env is False
    settings_proxies = session.merge_environment_settings(
        "https://lms.example/jwks", {}, None, None, None
    )
    assert settings_proxies["proxies"] == {}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/jwks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/jwks",
        "http://2130706433/jwks",
        "http://0/jwks",
        "http://[::1]/jwks",
        "http://10.0.0.5/jwks",
        "http://localhost/jwks",
    ],
)
def test_registration_refuses_a_jwks_url_inside_the_network(settings: Any, url: str) -> None:
    from lti.forms import RegistrationForm

    settings.CONVLAB_WEBHOOK_ALLOW_PRIVATE = False
    form = RegistrationForm(
        {
            "name": "Mine",
            "issuer": "https://lms.example",
            "client_id": "c",
            "auth_login_url": "https://lms.example/auth",
            "auth_token_url": "https://lms.example/token",
            "jwks_url": url,
            "deployment_ids_text": "d",
        }
    )
    assert not form.is_valid()
    assert "jwks_url" in form.errors


def test_email_never_links_to_the_staff_of_a_course(lti_platform: LtiPlatform) -> None:
    """An LMS that lets a user set their address must not sign them in as an instructor."""
    from tests.factories import make_member

    _site_wide(lti_platform)
    teacher = make_member(make_course(code="CS 3000"), "ada", Role.INSTRUCTOR)
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302
    assert Identity.objects.get(sub="lms-user-ada").user != teacher


def test_deactivated_account_is_refused(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302
    user = Identity.objects.get(sub="lms-user-ada").user
    user.is_active = False
    user.save(update_fields=["is_active"])
    before = counts()
    client = Client()
    answer = launch(client, lti_platform, student_claims(lti_platform))
    assert answer.status_code == 403
    assert "deactivated" in answer.content.decode()
    assert {k: v for k, v in counts().items() if k != "sessions"} == {
        k: v for k, v in before.items() if k != "sessions"
    }
    assert "_auth_user_id" not in client.session


def test_username_taken_elsewhere_is_not_a_500(lti_platform: LtiPlatform) -> None:
    """A roster import (or anyone) holding the username the launch would make."""
    setup = course_with_platform(lti_platform)
    digest = hashlib.sha256(f"{setup.registration.pk}:lms-user-ada".encode()).hexdigest()
    squatter = make_user(f"lti-{digest[:16]}")
    answer = launch(Client(), lti_platform, student_claims(lti_platform))
    assert answer.status_code == 302
    assert Identity.objects.get(sub="lms-user-ada").user != squatter


def test_registration_refuses_a_login_url_that_is_not_a_web_page() -> None:
    from lti.forms import RegistrationForm

    form = RegistrationForm(
        {
            "name": "Mine",
            "issuer": "ftp://lms.example",
            "client_id": "c",
            "auth_login_url": "ftp://lms.example/auth",
            "auth_token_url": "https://lms.example/token",
            "jwks_url": "https://lms.example/jwks",
            "deployment_ids_text": "d",
        }
    )
    assert not form.is_valid()
    assert "auth_login_url" in form.errors
    assert "issuer" in form.errors


@pytest.mark.parametrize("return_url", ["javascript:alert(document.cookie)", None, 7])
def test_deep_link_return_url_must_be_a_web_page(
    lti_platform: LtiPlatform, return_url: Any
) -> None:
    """The signed items are posted to it by an auto-submitting form of the portal's origin."""
    course_with_platform(lti_platform)
    claims = lti_platform.deep_linking_claims(
        user_id="lms-teacher", context_id="ctx-1", target_link_uri="http://testserver/lti/launch/"
    )
    settings_claim = claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]
    if return_url is None:
        del settings_claim["deep_link_return_url"]
    else:
        settings_claim["deep_link_return_url"] = return_url
    before = counts()
    client = Client()
    answer = launch(client, lti_platform, claims)
    assert answer.status_code == 400, answer.content[:300]
    assert "deep_link_return_url" in answer.content.decode()
    assert {k: v for k, v in counts().items() if k != "sessions"} == {
        k: v for k, v in before.items() if k != "sessions"
    }
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "target",
    [
        "javascript://testserver/%0aalert(1)",
        "https://testserver@evil.example/lti/launch/",
        "https://evil.example\\@testserver/lti/launch/",
        "//evil.example/lti/launch/",
        "/lti/launch/",
    ],
)
def test_login_target_elsewhere_or_not_a_web_page_is_refused(
    lti_platform: LtiPlatform, target: str
) -> None:
    course_with_platform(lti_platform)
    params = {
        "iss": lti_platform.issuer,
        "login_hint": "x",
        "client_id": lti_platform.client_id,
        "target_link_uri": target,
    }
    answer = Client().get("/lti/login/", params)
    assert answer.status_code == 400
    assert "is not on this portal" in answer.content.decode()


def test_made_up_kids_do_not_make_the_portal_fetch_the_jwks_each_time(
    lti_platform: LtiPlatform,
) -> None:
    """Key rotation is followed (a fetch past the cache), but at most once a minute."""
    course_with_platform(lti_platform)
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302
    fetched = len(lti_platform.requests_to("/.well-known/jwks.json"))
    for attempt in range(3):
        client, state, nonce = _login(lti_platform)
        header = {"alg": "RS256", "kid": f"made-up-{attempt}"}
        token = _signed(lti_platform, _body(lti_platform, nonce), header=header)
        answer = client.post("/lti/launch/", {"id_token": token, "state": state})
        assert answer.status_code == 400
        assert "Wrong signature" in answer.content.decode()
    assert len(lti_platform.requests_to("/.well-known/jwks.json")) == fetched + 1


def test_launch_started_in_another_browser_is_refused(lti_platform: LtiPlatform) -> None:
    """Login CSRF / fixation: the attacker starts a login in their browser and makes the victim's
    browser (no state cookie, no nonce in its session) post the attacker's id_token and state."""
    course_with_platform(lti_platform)
    attacker = Client()
    answer = start_login(attacker, lti_platform, student_claims(lti_platform))
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer["Location"]).query))
    _redirect, form = lti_platform.authorize(params)
    victim = Client()
    before = counts()
    answer = victim.post("/lti/launch/", form)
    assert answer.status_code == 400
    assert "State mismatch" in answer.content.decode()
    assert "_auth_user_id" not in victim.session
    assert {k: v for k, v in counts().items() if k != "sessions"} == {
        k: v for k, v in before.items() if k != "sessions"
    }
    # The attacker's own browser still launches: the token was good, the browser was wrong.
    assert attacker.post("/lti/launch/", form).status_code == 302
