"""Invitations: a student asks a classmate into their presenter group; the classmate joins only
by accepting. Staff, who are trusted, still assign members directly (`groups.group_update`).

The answer to an invitation of someone who cannot be invited is the same whether no account has
that username (or id) or the account is not a student of the course (`NOT_A_CLASSMATE`): the
endpoint must not tell a student which usernames exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.models import Course, Membership, Role
from presentations.models import (
    GroupInvitation,
    GroupMember,
    InvitationStatus,
    PresenterGroup,
    ScheduleStatus,
    Slot,
)

NOT_A_CLASSMATE = "no student of this course has that username or id"


def _classmate(course: Course, field: str, *, username: str | None, user_id: int | None) -> Any:
    """The active student of `course` with this username (or id), or ValidationError
    NOT_A_CLASSMATE naming `field`, one answer for every other case."""
    users = get_user_model().objects.filter(
        is_active=True,
        memberships__course=course,
        memberships__role=Role.STUDENT,
        memberships__is_active=True,
    )
    if username is not None:
        found = users.filter(username=username).first()
    elif user_id is not None:
        found = users.filter(pk=user_id).first()
    else:
        raise ValidationError({field: "name the classmate to invite"})
    if found is None:
        raise ValidationError({field: NOT_A_CLASSMATE})
    return found


def _in_a_group(course: Course, user: Any) -> bool:
    return GroupMember.objects.filter(course=course, user=user).exists()


def _on_published_schedule(group: PresenterGroup) -> bool:
    return Slot.objects.filter(group=group, schedule__status=ScheduleStatus.PUBLISHED).exists()


@transaction.atomic
def invitation_create(
    *,
    group: PresenterGroup,
    actor: Any,
    username: str | None = None,
    user_id: int | None = None,
) -> GroupInvitation:
    """`actor`, a member of `group`, invites the classmate named by `username` or `user_id`.

    A group may have as many members and pending invitations together as a class has seats.
    Errors about the invitee name the field they were given by: `username` or `user_id`.
    """
    field = "username" if username is not None else "user_id"
    course = group.course
    members = set(group.members.values_list("user_id", flat=True))
    if actor.pk not in members:
        raise ValidationError({"group": "only the group's members invite classmates"})
    invitee = _classmate(course, field, username=username, user_id=user_id)
    if invitee.pk in members:
        raise ValidationError({field: "already in your group"})
    if _in_a_group(course, invitee):
        raise ValidationError({field: "already in another presenter group"})
    if _on_published_schedule(group):
        raise ValidationError(
            {"group": "your group is on the published schedule: ask the staff to add members"}
        )
    pending = GroupInvitation.objects.filter(group=group, status=InvitationStatus.PENDING)
    if pending.filter(invitee=invitee).exists():
        raise ValidationError({field: "already invited: waiting for an answer"})
    seats = course.presenters_per_class
    if len(members) + pending.count() >= seats:
        raise ValidationError(
            {field: f"members and open invitations would exceed the {seats} presenters "
                        "per class: withdraw an invitation first"}
        )  # fmt: skip
    try:
        with transaction.atomic():
            return GroupInvitation.objects.create(
                course=course, group=group, invitee=invitee, invited_by=actor
            )
    except IntegrityError:
        raise ValidationError({field: "already invited: waiting for an answer"}) from None


def _close(invitation: GroupInvitation, status: str) -> GroupInvitation:
    """Move a pending invitation to `status` with one conditional UPDATE; ValidationError when
    it was answered or withdrawn meanwhile."""
    now = timezone.now()
    closed = GroupInvitation.objects.filter(
        pk=invitation.pk, status=InvitationStatus.PENDING
    ).update(status=status, decided_at=now)
    if not closed:
        invitation.refresh_from_db()
        what = invitation.get_status_display().lower()
        raise ValidationError({"invitation": f"the invitation is no longer open ({what})"})
    invitation.status, invitation.decided_at = status, now
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: GroupInvitation, actor: Any) -> GroupInvitation:
    """The invitee joins the group, if it still has a seat and they are in no other group of the
    course. All or nothing: the membership and the accepted invitation are written together, or
    neither is (the checks run while holding the group's row, so two classmates accepting the last
    seat at once cannot both get it)."""
    if actor.pk != invitation.invitee_id:
        raise ValidationError({"invitation": "only the invited student accepts an invitation"})
    group = PresenterGroup.objects.select_for_update().get(pk=invitation.group_id)
    course = group.course
    active = Membership.objects.filter(
        course=course, user=actor, role=Role.STUDENT, is_active=True
    ).exists()
    if not active:
        raise ValidationError({"invitation": "you are not a student of this course"})
    if invitation.status != InvitationStatus.PENDING:
        what = invitation.get_status_display().lower()
        raise ValidationError({"invitation": f"the invitation is no longer open ({what})"})
    if _in_a_group(course, actor):
        raise ValidationError({"invitation": "you are already in a presenter group"})
    if _on_published_schedule(group):
        raise ValidationError(
            {"invitation": "the group is on the published schedule: ask the staff to add you"}
        )
    seats = course.presenters_per_class
    if group.members.count() >= seats:
        raise ValidationError({"invitation": f"the group is full ({seats} presenters per class)"})
    invitation = _close(invitation, InvitationStatus.ACCEPTED)
    try:
        with transaction.atomic():
            GroupMember.objects.create(group=group, course=course, user=actor)
    except IntegrityError:
        # Another request put the student into a group meanwhile; the outer transaction is
        # rolled back with this error, the invitation with it.
        raise ValidationError({"invitation": "you are already in a presenter group"}) from None
    # The student's other invitations in this course cannot be accepted any more.
    GroupInvitation.objects.filter(
        course=course, invitee=actor, status=InvitationStatus.PENDING
    ).update(status=InvitationStatus.CANCELLED, decided_at=timezone.now())
    return invitation


def invitation_decline(*, invitation: GroupInvitation, actor: Any) -> GroupInvitation:
    if actor.pk != invitation.invitee_id:
        raise ValidationError({"invitation": "only the invited student declines an invitation"})
    return _close(invitation, InvitationStatus.DECLINED)


def invitation_withdraw(*, invitation: GroupInvitation) -> GroupInvitation:
    """Withdraw a pending invitation (the caller checked the actor is a member or staff)."""
    return _close(invitation, InvitationStatus.WITHDRAWN)
