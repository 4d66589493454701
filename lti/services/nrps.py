"""Names and Role Provisioning Services (https://www.imsglobal.org/spec/lti-nrps/v2p0/): the
roster of an LMS course (context) read page by page from its `context_memberships_url` and
written to the portal course: a user and an LTI identity for each new member, memberships with
the role a launch would give (lti.launch.role_from_lti); members the LMS marks Inactive, or no
longer lists, lose an active *student* membership (deactivated, never deleted). Staff
memberships are never removed nor demoted by a sync: an LMS that drops a TA does not lock them
out of grading."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from pylti1p3.names_roles import NamesRolesProvisioningService

from courses.models import STAFF_ROLES, Membership, Role
from courses.signals import memberships_changed
from lti.launch import role_from_lti
from lti.models import CourseContext, Identity
from lti.services.connector import PortalServiceConnector

Progress = Callable[[int, int, str], None]
RANK: dict[str, int] = {Role.STUDENT: 0, Role.TA: 1, Role.INSTRUCTOR: 2}


@dataclass
class SyncResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unchanged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "deactivated": self.deactivated,
            "skipped": self.skipped,
            "unchanged": self.unchanged,
            "message": (
                f"{len(self.created)} added, {len(self.updated)} updated, "
                f"{len(self.deactivated)} deactivated, {len(self.skipped)} skipped, "
                f"{self.unchanged} unchanged"
            ),
        }


def members_fetch(context: CourseContext, progress: Progress) -> list[dict[str, Any]]:
    """Every member the platform lists, following its `Link: rel="next"` pages."""
    if not context.memberships_url:
        raise ValueError("this LMS course announced no Names and Role Provisioning Service")
    service = NamesRolesProvisioningService(
        PortalServiceConnector(context.registration),
        {"context_memberships_url": context.memberships_url},
    )
    members: list[dict[str, Any]] = []
    url: str | None = context.memberships_url
    pages = 0
    while url:
        # pylti1p3's get_members_page lowercases the next page's URL (its Link header parsing):
        # the header is read here instead, as the platform wrote it.
        data = service.get_nrps_data(url)
        body = data.get("body") or {}
        page = body.get("members", []) if isinstance(body, dict) else []
        members.extend(dict(m) for m in page)
        url = next_page(data.get("headers") or {})
        pages += 1
        progress(pages, pages + (1 if url else 0), f"read {len(members)} members ({pages} pages)")
    return members


def next_page(headers: Mapping[str, str]) -> str | None:
    """The `rel="next"` URL of a Link header (RFC 8288), its case kept."""
    link = next((v for k, v in headers.items() if k.lower() == "link"), "")
    for part in link.split(","):
        found = re.match(r"\s*<([^>]*)>\s*;(.*)$", part)
        if found and re.search(r'rel\s*=\s*"?next"?', found.group(2), re.IGNORECASE):
            return found.group(1)
    return None


def _username(member: dict[str, Any]) -> str:
    email = str(member.get("email") or "")
    base = email.split("@", 1)[0] if email else f"lti-{member['user_id']}"
    base = re.sub(r"[^\w.@+-]", "-", base)[:140] or "lti-user"
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def roster_sync(
    *, context: CourseContext, members: list[dict[str, Any]], progress: Progress | None = None
) -> SyncResult:
    """Write the members to the context's course, all in one transaction."""
    result = SyncResult()
    registration, course = context.registration, context.course
    listed: set[int] = set()
    with transaction.atomic():
        for n, member in enumerate(members, 1):
            sub = str(member.get("user_id") or "")
            role = role_from_lti(list(member.get("roles") or []))
            if not sub or role is None:
                result.skipped.append(sub or "(no user_id)")
                continue
            identity = (
                Identity.objects.select_related("user")
                .filter(registration=registration, sub=sub)
                .first()
            )
            name = str(member.get("name") or "")
            email = str(member.get("email") or "")
            if identity is None:
                user = User.objects.create_user(
                    username=_username(member),
                    email=email,
                    first_name=str(member.get("given_name") or "")[:150],
                    last_name=str(member.get("family_name") or "")[:150],
                )
                user.set_unusable_password()
                user.save(update_fields=["password"])
                identity = Identity.objects.create(
                    registration=registration, sub=sub, user=user, name=name, email=email
                )
            user = identity.user
            listed.add(user.pk)
            membership = Membership.objects.filter(course=course, user=user).first()
            inactive = str(member.get("status") or "Active") == "Inactive"
            if membership is None:
                if inactive:
                    result.skipped.append(sub)
                    continue
                Membership.objects.create(
                    course=course, user=user, role=role, lms_user_id=sub[:32], lms_name=name[:255]
                )
                result.created.append(sub)
            elif membership.role in STAFF_ROLES and RANK.get(role, 0) < RANK[membership.role]:
                result.unchanged += 1  # staff are never demoted (nor removed) by a sync
            elif inactive:
                if membership.is_active and membership.role == Role.STUDENT:
                    membership.is_active = False
                    membership.save(update_fields=["is_active"])
                    result.deactivated.append(sub)
                else:
                    result.unchanged += 1
            elif membership.role != role or not membership.is_active:
                membership.role, membership.is_active = role, True
                membership.save(update_fields=["role", "is_active"])
                result.updated.append(sub)
            else:
                result.unchanged += 1
            if progress is not None and n % 50 == 0:
                progress(n, len(members), f"wrote {n} of {len(members)} members")
        # Students of this platform the LMS no longer lists: dropped, deactivated.
        gone = (
            Membership.objects.filter(
                course=course,
                role=Role.STUDENT,
                is_active=True,
                user__lti_identities__registration=registration,
            )
            .exclude(user_id__in=listed)
            .select_related("user")
        )
        for membership in gone:
            membership.is_active = False
            membership.save(update_fields=["is_active"])
            result.deactivated.append(membership.user.username)
        transaction.on_commit(lambda: memberships_changed.send(sender=type(course), course=course))
    return result
