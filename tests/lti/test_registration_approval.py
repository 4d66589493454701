"""A registration an instructor makes in the course's pages waits for a site admin's approval
before any launch, roster sync or score uses it: otherwise an instructor could register another
course's issuer and client id first (its real launches would land in their course), or send the
portal's visitors from /lti/login/ to a login URL of their own."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from courses.models import Membership, Role
from lti.models import Registration
from tests.factories import PASSWORD, make_course, make_member
from tests.lti.platform import LtiPlatform
from tests.lti.tool import LAUNCH, counts, course_with_platform, launch, start_login

pytestmark = pytest.mark.django_db

CANVAS = {
    "name": "Canvas at State",
    "issuer": "https://canvas.instructure.com",
    "client_id": "10000000000042",
    "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
    "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
    "jwks_url": "https://sso.canvaslms.com/api/lti/security/jwks",
    "audience": "",
    "deployment_ids_text": "1:8865aa05b4b79b64a91a86042e43af5ea8ae79eb",
}


def _instructor() -> tuple[Client, int]:
    course = make_course()
    make_member(course, "teacher", Role.INSTRUCTOR)
    client = Client()
    assert client.login(username="teacher", password=PASSWORD)
    return client, course.pk


def _claims(platform: LtiPlatform) -> dict[str, object]:
    return platform.resource_link_claims(
        user_id="sub-ada", context_id="ctx-1", resource_link_id="rl-1", target_link_uri=LAUNCH
    )


def _admin() -> Client:
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client()
    assert client.login(username="root", password=PASSWORD)
    return client


def test_a_registration_made_in_the_pages_waits_for_approval() -> None:
    client, course_id = _instructor()
    answer = client.post(f"/courses/{course_id}/lti/", CANVAS, follow=True)
    assert answer.status_code == 200
    made = Registration.objects.get()
    assert made.approved_at is None
    assert not made.usable
    text = answer.content.decode()
    assert "wait for a site administrator to approve it" in text
    assert "waiting for a site administrator" in text  # the table's column


def test_an_unapproved_registration_refuses_launches_then_an_admin_approves_it(
    lti_platform: LtiPlatform,
) -> None:
    # As an instructor squatting the platform's issuer and client id would have it: made in
    # their course's page, not yet approved.
    setup = course_with_platform(lti_platform)
    Registration.objects.filter(pk=setup.registration.pk).update(approved_at=None)
    before = counts()
    refused = start_login(Client(), lti_platform, _claims(lti_platform))
    assert refused.status_code == 400
    assert "waits for a site administrator" in refused.content.decode()
    assert counts() == before

    # A site admin approves it in the admin (the changelist's action).
    approved = _admin().post(
        "/admin/lti/registration/",
        {"action": "approve", "_selected_action": [setup.registration.pk]},
        follow=True,
    )
    assert approved.status_code == 200
    assert "1 registration(s) approved." in approved.content.decode()
    registration = Registration.objects.get(pk=setup.registration.pk)
    assert registration.approved_at is not None
    assert registration.approved_by is not None
    assert registration.approved_by.username == "root"

    landed = launch(Client(), lti_platform, _claims(lti_platform))
    assert landed.status_code == 302, landed.content.decode()[-400:]
    assert Membership.objects.filter(course=setup.course, user__lti_identities__sub="sub-ada")


def test_changing_an_address_takes_the_approval_back_and_a_name_does_not() -> None:
    client, course_id = _instructor()
    assert client.post(f"/courses/{course_id}/lti/", CANVAS).status_code == 302
    made = Registration.objects.get()
    Registration.objects.filter(pk=made.pk).update(approved_at="2026-12-01T00:00:00Z")
    url = f"/courses/{course_id}/lti/{made.pk}/"
    renamed = client.post(url, {**CANVAS, "name": "Canvas", "is_active": "on"})
    assert renamed.status_code == 302
    made.refresh_from_db()
    assert made.name == "Canvas"
    assert made.approved_at is not None
    moved = client.post(
        url,
        {**CANVAS, "name": "Canvas", "is_active": "on", "auth_login_url": "https://evil.example/"},
        follow=True,
    )
    assert moved.status_code == 200
    assert "wait for a site administrator to approve it" in moved.content.decode()
    made.refresh_from_db()
    assert made.auth_login_url == "https://evil.example/"
    assert made.approved_at is None
    assert made.approved_by is None


def test_the_roster_sync_is_not_offered_for_an_unapproved_registration(
    lti_platform: LtiPlatform,
) -> None:
    from lti.jobs import _syncable
    from lti.models import CourseContext

    setup = course_with_platform(lti_platform)
    CourseContext.objects.create(
        registration=setup.registration,
        deployment_id=lti_platform.deployment_id,
        context_id="ctx-1",
        course=setup.course,
        memberships_url="https://lms.example/members",
    )
    assert _syncable(setup.course.pk).count() == 1
    Registration.objects.filter(pk=setup.registration.pk).update(approved_at=None)
    assert _syncable(setup.course.pk).count() == 0


def test_only_site_admins_may_approve() -> None:
    course = make_course()
    make_member(course, "teacher", Role.INSTRUCTOR)
    client = Client()
    assert client.login(username="teacher", password=PASSWORD)
    # Instructors are not admin staff: the admin sends them to its login page.
    answer = client.post("/admin/lti/registration/", {"action": "approve"})
    assert answer.status_code == 302
    assert "/admin/login/" in answer["Location"]
