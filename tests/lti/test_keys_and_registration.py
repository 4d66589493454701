"""The tool's JWKS and key rotation, the registration page of a course's instructors, and the
cookie settings for LMS iframes."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import urllib.parse

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from jwcrypto import jwk, jwt

from courses.models import Role
from lti.models import Registration, ToolKey
from tests.factories import PASSWORD, make_course, make_member

pytestmark = pytest.mark.django_db


def test_jwks_publishes_the_signing_key() -> None:
    answer = Client().get("/lti/jwks/")
    assert answer.status_code == 200
    keys = answer.json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kid"] == ToolKey.signing_key().kid
    assert keys[0]["alg"] == "RS256"
    assert keys[0]["use"] == "sig"
    assert "d" not in keys[0]  # public only
    # What the signing key signs verifies against the published key.
    token = jwt.JWT(header={"alg": "RS256", "kid": keys[0]["kid"]}, claims={"a": 1})
    token.make_signed_token(jwk.JWK.from_pem(ToolKey.signing_key().private_pem.encode()))
    jwt.JWT(jwt=token.serialize(), key=jwk.JWKSet.from_json(answer.content.decode()))


def test_rotation_keeps_the_old_key_published_for_a_while(settings: object) -> None:
    first = ToolKey.signing_key()
    call_command("lti_rotate_key")
    second = ToolKey.signing_key()
    assert second.kid != first.kid
    kids = {k["kid"] for k in Client().get("/lti/jwks/").json()["keys"]}
    assert kids == {first.kid, second.kid}
    # Past the keep period the retired key leaves the JWKS, and --prune deletes it.
    ToolKey.objects.filter(pk=first.pk).update(retired_at=timezone.now() - dt.timedelta(days=30))
    kids = {k["kid"] for k in Client().get("/lti/jwks/").json()["keys"]}
    assert kids == {second.kid}
    call_command("lti_rotate_key", "--prune")
    assert not ToolKey.objects.filter(pk=first.pk).exists()
    assert ToolKey.objects.filter(retired_at__isnull=True).count() == 1


def _form(**overrides: str) -> dict[str, str]:
    values = {
        "name": "Canvas at State",
        "issuer": "https://canvas.instructure.com",
        "client_id": "10000000000042",
        "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
        "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
        "jwks_url": "https://sso.canvaslms.com/api/lti/security/jwks",
        "audience": "",
        "deployment_ids_text": "1:8865aa05b4b79b64a91a86042e43af5ea8ae79eb\n",
    }
    values.update(overrides)
    return values


def _signed_in(role: str) -> tuple[Client, int]:
    course = make_course()
    make_member(course, "person", role)
    client = Client()
    assert client.login(username="person", password=PASSWORD)
    return client, course.pk


def test_instructor_sees_the_values_to_paste_and_registers() -> None:
    client, course_id = _signed_in(Role.INSTRUCTOR)
    assert (
        f'href="/courses/{course_id}/lti/"'
        in client.get(f"/courses/{course_id}/staff/").content.decode()
    )
    page = client.get(f"/courses/{course_id}/lti/")
    assert page.status_code == 200
    text = page.content.decode()
    for url in ("/lti/login/", "/lti/launch/", "/lti/jwks/"):
        assert f"http://testserver{url}" in text
    answer = client.post(f"/courses/{course_id}/lti/", _form())
    assert answer.status_code == 302
    made = Registration.objects.get()
    assert made.course_id == course_id
    assert made.deployment_ids == ["1:8865aa05b4b79b64a91a86042e43af5ea8ae79eb"]
    assert made.created_by is not None
    assert made.created_by.username == "person"


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("issuer", "not a url", "Enter a valid URL"),
        ("client_id", "", "This field is required"),
        ("deployment_ids_text", "  \n ", "This field is required"),
        ("jwks_url", "ftp://x.example/jwks", "an http:// or https:// URL"),
    ],
)
def test_bad_registration_is_refused_naming_the_field(field: str, value: str, words: str) -> None:
    client, course_id = _signed_in(Role.INSTRUCTOR)
    answer = client.post(f"/courses/{course_id}/lti/", _form(**{field: value}))
    assert answer.status_code == 400
    assert words in answer.content.decode()
    assert f'id="id_{field}_error"' in answer.content.decode()
    assert not Registration.objects.exists()


def test_jwks_url_inside_the_network_is_refused(settings: object) -> None:
    settings.CONVLAB_WEBHOOK_ALLOW_PRIVATE = False  # type: ignore[attr-defined]
    client, course_id = _signed_in(Role.INSTRUCTOR)
    answer = client.post(f"/courses/{course_id}/lti/", _form(jwks_url="http://127.0.0.1:8000/x"))
    assert answer.status_code == 400
    assert "private or reserved address" in answer.content.decode()
    assert not Registration.objects.exists()


def test_same_issuer_and_client_twice_is_refused() -> None:
    client, course_id = _signed_in(Role.INSTRUCTOR)
    assert client.post(f"/courses/{course_id}/lti/", _form()).status_code == 302
    answer = client.post(f"/courses/{course_id}/lti/", _form(name="again"))
    assert answer.status_code == 400
    assert "already registered" in answer.content.decode()
    assert Registration.objects.count() == 1


@pytest.mark.parametrize("role", [Role.TA, Role.STUDENT])
def test_only_instructors_register(role: str) -> None:
    client, course_id = _signed_in(role)
    assert client.get(f"/courses/{course_id}/lti/").status_code == 403
    assert client.post(f"/courses/{course_id}/lti/", _form()).status_code == 403
    assert not Registration.objects.exists()


def test_lti_enabled_makes_iframe_cookies() -> None:
    """SameSite=None; Secure session and CSRF cookies, and the LMS allowed to frame the
    portal, when LTI_ENABLED (a fresh interpreter reads the settings from the environment)."""
    code = (
        "import django, os;"
        "os.environ['DJANGO_SETTINGS_MODULE']='courseportal.settings';"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.CONTENT_SECURITY_POLICY['DIRECTIVES']['frame-ancestors'],"
        " s.SECURE_PROXY_SSL_HEADER)"
    )
    env = {
        "DEBUG": "true",
        "LTI_ENABLED": "true",
        "LTI_FRAME_ANCESTORS": "https://canvas.example.edu",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == (
        "None None True True [\"'self'\", 'https://canvas.example.edu'] "
        "('HTTP_X_FORWARDED_PROTO', 'https')"
    )
    env.pop("LTI_ENABLED")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out.startswith("Lax Lax False False [\"'none'\"]")


def test_launch_behind_a_tls_proxy_sets_secure_cookies(lti_platform: object) -> None:
    """Behind a proxy that terminates TLS (X-Forwarded-Proto: https) the login's state cookie
    is Secure and SameSite=None, as an LMS iframe needs."""
    from tests.lti.platform import LtiPlatform
    from tests.lti.tool import course_with_platform

    assert isinstance(lti_platform, LtiPlatform)
    course_with_platform(lti_platform)
    lti_platform.tool_login_url = "https://testserver/lti/login/"
    claims = lti_platform.resource_link_claims(
        user_id="u",
        context_id="c",
        resource_link_id="r",
        target_link_uri="https://testserver/lti/launch/",
    )
    client = Client()
    answer = client.get(
        lti_platform.login_url(claims), HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="testserver"
    )
    assert answer.status_code == 302, answer.content.decode()[-800:]
    assert "redirect_uri=https%3A%2F%2Ftestserver%2Flti%2Flaunch%2F" in answer["Location"]
    state = [c for name, c in answer.cookies.items() if name.startswith("lti1p3-state")]
    # ... and the launch through the same proxy lands.
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer["Location"]).query))
    lti_platform.tool_redirect_uris = ["https://testserver/lti/launch/"]
    _, form = lti_platform.authorize(params)
    landed = client.post(
        "/lti/launch/", form, HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="testserver"
    )
    assert landed.status_code == 302, landed.content.decode()[-600:]
    assert state
    assert state[0]["secure"]
    assert state[0]["samesite"] == "None"


def test_instructor_corrects_and_switches_off_a_registration(lti_platform: object) -> None:
    client, course_id = _signed_in(Role.INSTRUCTOR)
    assert client.post(f"/courses/{course_id}/lti/", _form()).status_code == 302
    made = Registration.objects.get()
    url = f"/courses/{course_id}/lti/{made.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "1:8865aa05b4b79b64a91a86042e43af5ea8ae79eb" in page.content.decode()
    answer = client.post(url, _form(deployment_ids_text="1:abc\n1:def"))  # is_active unticked
    assert answer.status_code == 302
    made.refresh_from_db()
    assert made.deployment_ids == ["1:abc", "1:def"]
    assert not made.is_active
    bad = client.post(url, _form(jwks_url="nope"))
    assert bad.status_code == 400
    assert 'id="id_jwks_url_error"' in bad.content.decode()
    made.refresh_from_db()
    assert made.jwks_url == _form()["jwks_url"]


def test_switched_off_registration_refuses_launches(lti_platform: object) -> None:
    from tests.lti.platform import LtiPlatform
    from tests.lti.tool import counts, course_with_platform

    assert isinstance(lti_platform, LtiPlatform)
    setup = course_with_platform(lti_platform)
    Registration.objects.filter(pk=setup.registration.pk).update(is_active=False)
    claims = lti_platform.resource_link_claims(
        user_id="u",
        context_id="c",
        resource_link_id="r",
        target_link_uri="http://testserver/lti/launch/",
    )
    before = counts()
    answer = Client().get(lti_platform.login_url(claims))
    assert answer.status_code == 400
    assert "is switched off in the portal" in answer.content.decode()
    assert counts() == before


def test_registration_of_another_course_is_not_found() -> None:
    client, course_id = _signed_in(Role.INSTRUCTOR)
    other = make_course(code="CS 1", term="Spring 2018")
    theirs = Registration.objects.create(
        name="x",
        issuer="https://x.example",
        client_id="1",
        auth_login_url="https://x.example/a",
        auth_token_url="https://x.example/t",
        jwks_url="https://x.example/j",
        course=other,
    )
    assert client.get(f"/courses/{course_id}/lti/{theirs.pk}/").status_code == 404
    assert client.post(f"/courses/{course_id}/lti/{theirs.pk}/", _form()).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "x"
