"""What an accepted launch does: map the LTI roles, find or make the user, the course membership,
the context and resource link, and remember the service endpoints. All of it in one transaction
run by the view after every check passed, so that a refused launch changes nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from convlab.models import Assignment
from courses.models import STAFF_ROLES, Membership, Role
from lti.models import CourseContext, Identity, Registration, ResourceLink, UsedNonce
from lti.tool_conf import LaunchRefused
from reviews.models import Paper

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
CONTEXT = CLAIM + "context"
RESOURCE_LINK = CLAIM + "resource_link"
ROLES = CLAIM + "roles"
DEPLOYMENT_ID = CLAIM + "deployment_id"
MESSAGE_TYPE = CLAIM + "message_type"
CUSTOM = CLAIM + "custom"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
# Context roles (LTI 1.3 core, A.2.2), full URIs and the deprecated short names. Institution
# roles (.../institution/person#Instructor) say nothing about this course and give no role.
_TA = {MEMBERSHIP + "/Instructor#TeachingAssistant", "TeachingAssistant"}
_INSTRUCTOR = {
    MEMBERSHIP + "#Instructor",
    MEMBERSHIP + "#ContentDeveloper",
    "Instructor",
    "ContentDeveloper",
}
_STUDENT = {MEMBERSHIP + "#Learner", "Learner"}


def claim_object(body: dict[str, Any], name: str) -> dict[str, Any]:
    """A claim that LTI defines as a JSON object: {} when absent, LaunchRefused when not one."""
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LaunchRefused(f"Invalid id_token: its claim {name} must be a JSON object.")
    return value


def claim_roles(body: dict[str, Any]) -> list[Any]:
    value = body.get(ROLES)
    if value is None:
        return []
    if not isinstance(value, list):
        raise LaunchRefused(f"Invalid id_token: its claim {ROLES} must be a list of roles.")
    return value


def role_from_lti(roles: list[Any]) -> Role | None:
    """The portal role of LTI context roles: a TA sub-role first (it sits under Instructor),
    then instructor (Instructor, ContentDeveloper), then student (Learner); None if none."""
    given = {r for r in roles if isinstance(r, str)}
    if given & _TA:
        return Role.TA
    if given & _INSTRUCTOR:
        return Role.INSTRUCTOR
    if given & _STUDENT:
        return Role.STUDENT
    return None


@dataclass(frozen=True)
class LaunchResult:
    user: User
    membership: Membership
    context: CourseContext
    link: ResourceLink | None


def _context_for(
    registration: Registration, deployment_id: str, claim: dict[str, Any]
) -> CourseContext:
    context_id = str(claim.get("id") or "")
    if not context_id:
        raise LaunchRefused("The launch names no LMS course (its context claim has no id).")
    found = CourseContext.objects.filter(
        registration=registration, deployment_id=deployment_id, context_id=context_id
    ).first()
    if found is None:
        if registration.course_id is None:
            raise LaunchRefused(
                f"The LMS course {claim.get('title') or context_id!r} is not linked to a portal "
                "course yet: ask the portal's administrator to link it."
            )
        found = CourseContext(
            registration=registration,
            deployment_id=deployment_id,
            context_id=context_id,
            course_id=registration.course_id,
        )
    found.title = str(claim.get("title") or "")[:500]
    found.label = str(claim.get("label") or "")[:255]
    return found


def _user_for(registration: Registration, sub: str, body: dict[str, Any]) -> Identity:
    identity = Identity.objects.select_related("user").filter(registration=registration, sub=sub)
    found = identity.first()
    given = body.get("email")
    email = given[:254] if isinstance(given, str) else ""
    name = str(body.get("name") or "")[:500]
    if found is not None:
        found.name, found.email = name or found.name, email or found.email
        return found
    users = get_user_model().objects
    user = None
    # A site-wide registration (made by a site admin, trusted for every course) finds the
    # account an e-mail already has, e.g. one a roster import made. A course's own registration
    # never does: its staff could otherwise claim any address and sign in as its owner.
    # Never an account that can do more than a student's (site staff, superusers, the staff of
    # any course: they sign in with their password, or an admin links them), nor one already
    # linked to another person (sub) of this platform: a second LMS user given the same
    # address, by mistake or by the user themselves where the LMS lets them change it, must
    # not become the first.
    if registration.course_id is None and email:
        same = list(users.filter(email__iexact=email)[:2])
        candidate = same[0] if len(same) == 1 else None
        if (
            candidate is not None
            and not candidate.is_staff
            and not candidate.is_superuser
            and not Identity.objects.filter(registration=registration, user=candidate).exists()
            and not Membership.objects.filter(user=candidate, role__in=STAFF_ROLES).exists()
        ):
            user = candidate
    if user is None:
        digest = hashlib.sha256(f"{registration.pk}:{sub}".encode()).hexdigest()
        # Usernames come from elsewhere too (a roster's login ids): one already taken by
        # another account is never reused, a longer one is taken instead.
        username = next(
            f"lti-{digest[:size]}"
            for size in (16, 24, 32, 64)
            if size == 64 or not users.filter(username=f"lti-{digest[:size]}").exists()
        )
        user = users.create_user(
            username=username,
            email=email,
            first_name=str(body.get("given_name") or "")[:150],
            last_name=str(body.get("family_name") or "")[:150],
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return Identity(registration=registration, sub=sub, user=user, name=name, email=email)


def _target(course_id: int, custom: dict[str, Any]) -> dict[str, Any]:
    """The assignment or paper a deep-linked resource link names (its custom parameters), when
    it belongs to the course."""
    if str(custom.get("portal_assignment") or "").isdigit():
        lab = Assignment.objects.filter(pk=int(custom["portal_assignment"]), course_id=course_id)
        return {"assignment": lab.first()}
    if str(custom.get("portal_paper") or "").isdigit():
        paper = Paper.objects.filter(pk=int(custom["portal_paper"]), course_id=course_id)
        return {"paper": paper.first()}
    return {}


def accept_launch(registration: Registration, body: dict[str, Any]) -> LaunchResult:
    """Record an id_token that passed every check: its nonce, the user, the membership, the
    context and link. LaunchRefused (nothing written) for a replay or a launch with no role."""
    roles = claim_roles(body)
    context_claim = claim_object(body, CONTEXT)
    link_claim = claim_object(body, RESOURCE_LINK)
    custom = claim_object(body, CUSTOM)
    nrps = claim_object(body, NRPS)
    ags = claim_object(body, AGS)
    if not isinstance(ags.get("scope") or [], list):
        raise LaunchRefused(f"Invalid id_token: the scope of its claim {AGS} must be a list.")
    role = role_from_lti(roles)
    if role is None:
        given = ", ".join(str(r) for r in roles) or "none"
        raise LaunchRefused(
            f"Your LMS roles ({given}) give no role in the portal course: "
            "it takes Learner, TeachingAssistant, Instructor or ContentDeveloper.",
            status=403,
        )
    sub = str(body.get("sub") or "")
    if not sub:
        raise LaunchRefused("The launch names no user (its id_token has no sub).")
    deployment_id = str(body.get(DEPLOYMENT_ID) or "")
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                UsedNonce.objects.create(registration=registration, nonce=str(body["nonce"]))
        except IntegrityError:
            raise LaunchRefused(
                "Replayed launch: this id_token's nonce was already used. Launch again from "
                "the LMS."
            ) from None
        context = _context_for(registration, deployment_id, context_claim)
        context.memberships_url = str(nrps.get("context_memberships_url") or "")[:1000]
        context.lineitems_url = str(ags.get("lineitems") or "")[:1000]
        context.ags_scopes = [str(s) for s in ags.get("scope") or []]
        context.save()
        identity = _user_for(registration, sub, body)
        if not identity.user.is_active:
            raise LaunchRefused(
                "Your portal account is deactivated: ask the portal's administrator.", status=403
            )
        identity.last_launch_at = now
        identity.save()
        user = identity.user
        membership = Membership.objects.filter(user=user, course_id=context.course_id).first()
        if membership is None:
            membership = Membership.objects.create(
                user=user, course_id=context.course_id, role=role
            )
        elif not membership.is_active:
            raise LaunchRefused(
                "Your membership in this course was ended by its staff: ask them to restore it.",
                status=403,
            )
        # The LMS's role wins, except that staff are never demoted to student by it (as the
        # NRPS sync): an instructor looking at the course as a Learner stays staff.
        elif (
            membership.role != role
            and membership.role != Role.AUTOGRADER
            and not (membership.is_staff_role and role == Role.STUDENT)
        ):
            membership.role = role
            membership.save(update_fields=["role"])
        link = None
        if link_claim.get("id"):
            link, _made = ResourceLink.objects.get_or_create(
                context=context,
                resource_link_id=str(link_claim["id"])[:255],
                defaults=_target(context.course_id, custom),
            )
            link.title = str(link_claim.get("title") or link.title)[:500]
            if ags.get("lineitem"):
                link.lineitem_url = str(ags["lineitem"])[:1000]
                link.ags_scopes = [str(s) for s in ags.get("scope") or []]
            link.save()
    return LaunchResult(user=user, membership=membership, context=context, link=link)
