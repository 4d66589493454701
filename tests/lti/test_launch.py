"""Launches from the test platform (tests/lti/platform.py) into the tool: the good ones land
where they should and make the user and membership; every bad one is refused with a page that
names what was wrong, and changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from courses.models import Membership, Role
from lti.launch import role_from_lti
from lti.models import CourseContext, Identity, ResourceLink, UsedNonce
from tests.factories import make_user
from tests.lti.platform import (
    CONTENT_DEVELOPER,
    INSTRUCTOR,
    LEARNER,
    LTI,
    LtiPlatform,
)
from tests.lti.tool import LAUNCH, counts, course_with_platform, launch, start_login

pytestmark = pytest.mark.django_db

# LTI 1.3 core A.2.3.1: a sub-role is the context role's URI path, then #SubRole.
TEACHING_ASSISTANT = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
)

PERSON = {
    "name": "Ada Lovelace",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "email": "ada@example.edu",
}


def student_claims(platform: LtiPlatform, **extra: object) -> dict[str, object]:
    return platform.resource_link_claims(
        user_id="lms-user-ada",
        context_id="ctx-1",
        resource_link_id="rl-1",
        target_link_uri=LAUNCH,
        person=PERSON,
        **extra,  # type: ignore[arg-type]
    )


def test_student_launch_lands_on_the_lab_and_makes_user_and_membership(
    lti_platform: LtiPlatform,
) -> None:
    setup = course_with_platform(lti_platform)
    ResourceLink.objects.create(
        context=CourseContext.objects.create(
            registration=setup.registration,
            deployment_id=lti_platform.deployment_id,
            context_id="ctx-1",
            course=setup.course,
        ),
        resource_link_id="rl-1",
        assignment=setup.lab,
    )
    client = Client()
    answer = launch(client, lti_platform, student_claims(lti_platform))
    assert answer.status_code == 302, answer.content[:400]
    assert answer["Location"] == f"/courses/{setup.course.pk}/labs/conv-backward/"
    identity = Identity.objects.get(registration=setup.registration, sub="lms-user-ada")
    assert identity.user.email == "ada@example.edu"
    assert identity.user.first_name == "Ada"
    assert not identity.user.has_usable_password()
    membership = Membership.objects.get(user=identity.user, course=setup.course)
    assert membership.role == Role.STUDENT
    # Signed in: the lab page opens for them.
    assert client.get(answer["Location"]).status_code == 200
    context = CourseContext.objects.get(context_id="ctx-1")
    assert context.memberships_url == lti_platform.memberships_url("ctx-1")
    assert context.lineitems_url == lti_platform.lineitems_url("ctx-1")
    assert UsedNonce.objects.count() == 1


def test_second_launch_finds_the_same_user(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    launch(Client(), lti_platform, student_claims(lti_platform))
    before = counts()
    answer = launch(Client(), lti_platform, student_claims(lti_platform))
    assert answer.status_code == 302
    after = counts()
    assert after["users"] == before["users"]
    assert after["memberships"] == before["memberships"]
    assert after["nonces"] == before["nonces"] + 1


def test_launch_stores_the_lineitem_of_the_link(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    item = lti_platform.add_lineitem("ctx-1", label="Conv backward", scoreMaximum=100)
    answer = launch(Client(), lti_platform, student_claims(lti_platform, lineitem=item["id"]))
    assert answer.status_code == 302
    link = ResourceLink.objects.get(resource_link_id="rl-1")
    assert link.lineitem_url == item["id"]
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in link.ags_scopes


def test_student_launch_of_a_paper_link(lti_platform: LtiPlatform) -> None:
    setup = course_with_platform(lti_platform)
    claims = student_claims(lti_platform, custom={"portal_paper": str(setup.paper.pk)})
    answer = launch(Client(), lti_platform, claims)
    assert answer["Location"] == f"/courses/{setup.course.pk}/papers/{setup.paper.pk}/"
    assert ResourceLink.objects.get(resource_link_id="rl-1").paper == setup.paper


def test_custom_target_of_another_course_is_ignored(lti_platform: LtiPlatform) -> None:
    from tests.factories import make_course

    setup = course_with_platform(lti_platform)
    other = make_course(code="CS 1", term="Spring 2018")
    from convlab.models import Assignment

    foreign = Assignment.objects.create(
        course=other,
        slug="x",
        title="x",
        suite="s",
        opens_at=setup.lab.opens_at,
        due_at=setup.lab.due_at,
    )
    claims = student_claims(lti_platform, custom={"portal_assignment": str(foreign.pk)})
    answer = launch(Client(), lti_platform, claims)
    assert answer["Location"] == f"/courses/{setup.course.pk}/"
    assert ResourceLink.objects.get(resource_link_id="rl-1").assignment is None


@pytest.mark.parametrize(
    ("roles", "role"),
    [
        ([INSTRUCTOR], Role.INSTRUCTOR),
        ([CONTENT_DEVELOPER], Role.INSTRUCTOR),
        ([TEACHING_ASSISTANT], Role.TA),
    ],
)
def test_teacher_launch_lands_on_the_staff_pages(
    lti_platform: LtiPlatform, roles: list[str], role: Role
) -> None:
    setup = course_with_platform(lti_platform)
    client = Client()
    answer = launch(client, lti_platform, student_claims(lti_platform, roles=roles))
    assert answer.status_code == 302
    assert answer["Location"] == f"/courses/{setup.course.pk}/staff/"
    user = Identity.objects.get(sub="lms-user-ada").user
    assert Membership.objects.get(user=user, course=setup.course).role == role
    assert client.get(answer["Location"]).status_code == 200


def test_role_mapping() -> None:
    assert role_from_lti([LEARNER]) == Role.STUDENT
    assert role_from_lti([INSTRUCTOR]) == Role.INSTRUCTOR
    assert role_from_lti(["Instructor"]) == Role.INSTRUCTOR
    assert role_from_lti([CONTENT_DEVELOPER]) == Role.INSTRUCTOR
    # The TA sub-role sits under Instructor; both given, TA wins.
    assert role_from_lti([INSTRUCTOR, TEACHING_ASSISTANT]) == Role.TA
    assert role_from_lti([LEARNER, INSTRUCTOR]) == Role.INSTRUCTOR
    # An institution role says nothing about this course.
    assert (
        role_from_lti(["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"])
        is None
    )
    assert role_from_lti([]) is None


def _refused(answer: object, status: int, words: str) -> None:
    assert answer.status_code == status, answer.content[:500]  # type: ignore[attr-defined]
    text = answer.content.decode()  # type: ignore[attr-defined]
    assert words in text, text[:2000]
    assert "Nothing was changed" in text


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("wrong_key", "Wrong signature"),
        ("expired", "Expired id_token"),
        ("wrong_aud", "Wrong audience"),
        ("unknown_deployment", "Unknown deployment"),
    ],
)
def test_bad_id_token_is_refused_and_changes_nothing(
    lti_platform: LtiPlatform, bad: str, words: str
) -> None:
    course_with_platform(lti_platform)
    client = Client()
    start_login(client, lti_platform, student_claims(lti_platform))  # a session exists
    before = counts()
    answer = launch(client, lti_platform, student_claims(lti_platform), bad=bad)
    _refused(answer, 400, words)
    # The login initiation may add a session; the refused launch itself writes nothing.
    after = counts()
    assert {k: v for k, v in after.items() if k != "sessions"} == {
        k: v for k, v in before.items() if k != "sessions"
    }
    assert "_auth_user_id" not in client.session


def test_replayed_nonce_is_refused_and_changes_nothing(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    client = Client()
    assert launch(client, lti_platform, student_claims(lti_platform)).status_code == 302
    before = counts()
    # A new login in the same browser, but an id_token carrying the nonce of the launch before
    # (still in this session, so only the used-nonce record catches it).
    answer = launch(client, lti_platform, student_claims(lti_platform), bad="reused_nonce")
    _refused(answer, 400, "Replayed launch")
    assert counts() == before


def test_replayed_nonce_in_another_browser_is_refused(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302
    client = Client()
    before = counts()
    answer = launch(client, lti_platform, student_claims(lti_platform), bad="reused_nonce")
    _refused(answer, 400, "nonce")
    assert {k: v for k, v in counts().items() if k != "sessions"} == {
        k: v for k, v in before.items() if k != "sessions"
    }
    assert "_auth_user_id" not in client.session


def test_the_same_form_posted_twice_is_refused(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    client = Client()
    assert launch(client, lti_platform, student_claims(lti_platform)).status_code == 302
    _url, form = lti_platform.last_form_post()
    before = counts()
    answer = client.post("/lti/launch/", form)
    _refused(answer, 400, "Replayed launch")
    assert counts() == before


def test_launch_without_the_login_is_refused(lti_platform: LtiPlatform) -> None:
    """An id_token the tool never asked for: no state cookie, no nonce in the session."""
    course_with_platform(lti_platform)
    token = lti_platform.mint(student_claims(lti_platform))
    before = counts()
    answer = Client().post("/lti/launch/", {"id_token": token, "state": "state-made-up"})
    _refused(answer, 400, "State mismatch")
    assert counts() == before


def test_launch_with_a_nonce_not_issued_is_refused(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    client = Client()
    answer = start_login(client, lti_platform, student_claims(lti_platform))
    import urllib.parse

    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer["Location"]).query))
    token = lti_platform.mint(student_claims(lti_platform), nonce="a-nonce-never-issued")
    before = counts()
    answer = client.post("/lti/launch/", {"id_token": token, "state": params["state"]})
    _refused(answer, 400, "Unknown nonce")
    assert counts() == before


def test_unknown_issuer_is_refused_at_login(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    params = lti_platform.login_params(student_claims(lti_platform))
    params["iss"] = "https://lms.elsewhere.example"
    before = counts()
    answer = Client().get("/lti/login/", params)
    _refused(answer, 400, "Unknown issuer")
    assert counts() == before


def test_unknown_issuer_is_refused_at_launch(lti_platform: LtiPlatform) -> None:
    setup = course_with_platform(lti_platform)
    client = Client()
    answer = start_login(client, lti_platform, student_claims(lti_platform))
    import urllib.parse

    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer["Location"]).query))
    _, form = lti_platform.authorize(params)
    setup.registration.delete()
    before = counts()
    _refused(client.post("/lti/launch/", form), 400, "Unknown issuer")
    assert counts() == before


@pytest.mark.parametrize("missing", ["iss", "login_hint", "target_link_uri"])
def test_login_without_a_parameter_is_refused(lti_platform: LtiPlatform, missing: str) -> None:
    course_with_platform(lti_platform)
    params = lti_platform.login_params(student_claims(lti_platform))
    del params[missing]
    _refused(Client().get("/lti/login/", params), 400, missing)


def test_login_to_a_target_elsewhere_is_refused(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    params = lti_platform.login_params(student_claims(lti_platform))
    params["target_link_uri"] = "https://evil.example/phish"
    _refused(Client().get("/lti/login/", params), 400, "not on this portal")


def test_launch_without_a_role_is_refused(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    client = Client()
    before = counts()
    answer = launch(
        client,
        lti_platform,
        student_claims(
            lti_platform, roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]
        ),
    )
    _refused(answer, 403, "give no role")
    assert {k: v for k, v in counts().items() if k != "sessions"} == {
        k: v for k, v in before.items() if k != "sessions"
    }


def test_dropped_student_is_refused(lti_platform: LtiPlatform) -> None:
    setup = course_with_platform(lti_platform)
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302
    user = Identity.objects.get(sub="lms-user-ada").user
    Membership.objects.filter(user=user).update(is_active=False)
    before = counts()
    answer = launch(Client(), lti_platform, student_claims(lti_platform))
    _refused(answer, 403, "ended by its staff")
    assert {k: v for k, v in counts().items() if k != "sessions"} == {
        k: v for k, v in before.items() if k != "sessions"
    }
    assert not Membership.objects.get(user=user, course=setup.course).is_active


def test_site_wide_registration_needs_a_linked_context(lti_platform: LtiPlatform) -> None:
    setup = course_with_platform(lti_platform, site_wide=True)
    before = counts()
    answer = launch(Client(), lti_platform, student_claims(lti_platform))
    _refused(answer, 400, "not linked to a portal course")
    assert {k: v for k, v in counts().items() if k != "sessions"} == {
        k: v for k, v in before.items() if k != "sessions"
    }
    CourseContext.objects.create(
        registration=setup.registration,
        deployment_id=lti_platform.deployment_id,
        context_id="ctx-1",
        course=setup.course,
    )
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302


def test_site_wide_registration_finds_the_account_of_the_email(lti_platform: LtiPlatform) -> None:
    setup = course_with_platform(lti_platform, site_wide=True)
    CourseContext.objects.create(
        registration=setup.registration,
        deployment_id=lti_platform.deployment_id,
        context_id="ctx-1",
        course=setup.course,
    )
    ada = make_user("ada")  # ada@example.edu, e.g. from a roster import
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302
    assert Identity.objects.get(sub="lms-user-ada").user == ada


def test_course_registration_never_takes_over_an_account(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    ada = make_user("ada")
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302
    assert Identity.objects.get(sub="lms-user-ada").user != ada
    assert get_user_model().objects.filter(email="ada@example.edu").count() == 2


def test_launch_is_post_only(lti_platform: LtiPlatform) -> None:
    assert Client().get("/lti/launch/").status_code == 405


def test_launch_claims_message_type(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    claims = student_claims(lti_platform)
    claims[LTI + "message_type"] = "LtiSubmissionReviewRequest"
    before = counts()
    answer = launch(Client(), lti_platform, claims)
    assert answer.status_code == 400
    assert {k: v for k, v in counts().items() if k != "sessions"} == {
        k: v for k, v in before.items() if k != "sessions"
    }


def test_jwks_url_inside_the_network_is_not_fetched(
    lti_platform: LtiPlatform, settings: object
) -> None:
    """The registration's JWKS URL is checked again when fetched: with private addresses
    refused (production), the loopback platform's keys are never asked for."""
    course_with_platform(lti_platform)
    settings.CONVLAB_WEBHOOK_ALLOW_PRIVATE = False  # type: ignore[attr-defined]
    before = counts()
    answer = launch(Client(), lti_platform, student_claims(lti_platform))
    _refused(answer, 400, "JWKS URL did not answer")
    assert lti_platform.requests_to("/.well-known/jwks.json") == []
    assert {k: v for k, v in counts().items() if k != "sessions"} == {
        k: v for k, v in before.items() if k != "sessions"
    }


def test_platform_jwks_is_cached(lti_platform: LtiPlatform) -> None:
    course_with_platform(lti_platform)
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302
    assert len(lti_platform.requests_to("/.well-known/jwks.json")) == 1


def test_platform_key_rotation_is_followed(lti_platform: LtiPlatform) -> None:
    """A kid the cached JWKS lacks makes the tool fetch the platform's JWKS again."""
    from jwcrypto import jwk

    course_with_platform(lti_platform)
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302
    lti_platform.key = jwk.JWK.generate(kty="RSA", size=2048, kid="platform-rotated")
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302
    assert len(lti_platform.requests_to("/.well-known/jwks.json")) == 2


def test_lti_endpoints_keep_the_site_headers(lti_platform: LtiPlatform) -> None:
    """csrf-exempt (a cross-site form POST, verified by the id_token) and nothing else: the
    refused page and the landing redirect carry the site's framing and CSP headers."""
    course_with_platform(lti_platform)
    for answer in (
        Client().get("/lti/login/"),
        Client().post("/lti/launch/", {"id_token": "x.y.z"}),
        launch(Client(), lti_platform, student_claims(lti_platform)),
    ):
        assert answer["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in answer["Content-Security-Policy"]
        assert answer["Cache-Control"].startswith("max-age=0")


def test_launch_role_updates_the_membership_but_never_demotes_staff(
    lti_platform: LtiPlatform,
) -> None:
    setup = course_with_platform(lti_platform)
    assert launch(Client(), lti_platform, student_claims(lti_platform)).status_code == 302
    user = Identity.objects.get(sub="lms-user-ada").user
    launch(Client(), lti_platform, student_claims(lti_platform, roles=[TEACHING_ASSISTANT]))
    assert Membership.objects.get(user=user, course=setup.course).role == Role.TA
    answer = launch(Client(), lti_platform, student_claims(lti_platform, roles=[LEARNER]))
    assert answer["Location"] == f"/courses/{setup.course.pk}/staff/"
    assert Membership.objects.get(user=user, course=setup.course).role == Role.TA
