"""Swaps: a group asks another to trade presentation dates, the other group accepts, staff
approve, and both groups trade dates in a new published version of the schedule."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from presentations.models import ChangeKind, PresenterGroup, ScheduleStatus, SwapRequest, SwapStatus
from presentations.selectors import group_member_ids, schedule_published
from presentations.services._versions import (
    change_log_add,
    placements_check,
    placements_score,
    schedule_mark_published,
    schedule_placements,
    schedule_version_create,
)


def _member_of(group: PresenterGroup, user: User) -> bool:
    return user.pk in group_member_ids(group)


@transaction.atomic
def swap_request(
    *, from_group: PresenterGroup, to_group: PresenterGroup, actor: User
) -> SwapRequest:
    if from_group.course_id != to_group.course_id:
        raise ValidationError({"to_group": "the other group is not in this course"})
    if from_group.pk == to_group.pk:
        raise ValidationError({"to_group": "a group cannot swap with itself"})
    if not _member_of(from_group, actor):
        raise ValidationError({"from_group": "you are not a member of this group"})
    published = schedule_published(course=from_group.course)
    placements = schedule_placements(published) if published else {}
    for field, group in (("from_group", from_group), ("to_group", to_group)):
        if str(group.pk) not in placements:
            raise ValidationError({field: f"{group.name} is not on the published schedule"})
    if placements[str(from_group.pk)] == placements[str(to_group.pk)]:
        raise ValidationError({"to_group": "both groups present on the same day already"})
    open_ = SwapRequest.objects.filter(
        from_group=from_group,
        to_group=to_group,
        status__in=[SwapStatus.REQUESTED, SwapStatus.ACCEPTED],
    )
    if open_.exists():
        raise ValidationError({"to_group": "this swap has already been requested"})
    return SwapRequest.objects.create(
        course=from_group.course, from_group=from_group, to_group=to_group, requested_by=actor
    )


def swap_accept(*, swap: SwapRequest, actor: User) -> SwapRequest:
    if swap.status != SwapStatus.REQUESTED:
        raise ValidationError({"status": f"the swap is {swap.get_status_display().lower()}"})
    if not _member_of(swap.to_group, actor):
        raise ValidationError({"swap": "only the other group accepts a swap"})
    updated = SwapRequest.objects.filter(pk=swap.pk, status=SwapStatus.REQUESTED).update(
        status=SwapStatus.ACCEPTED
    )
    if not updated:
        raise ValidationError({"status": "the swap changed meanwhile"})
    swap.refresh_from_db()
    return swap


@transaction.atomic
def swap_approve(*, swap: SwapRequest, actor: User) -> SwapRequest:
    """Staff approve an accepted swap: both groups trade dates in a new published version."""
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.status != SwapStatus.ACCEPTED:
        raise ValidationError({"status": "only a swap the other group accepted can be approved"})
    published = schedule_published(course=swap.course)
    if published is None:
        raise ValidationError({"schedule": "there is no published schedule"})
    placements = schedule_placements(published)
    a, b = str(swap.from_group_id), str(swap.to_group_id)
    if a not in placements or b not in placements:
        raise ValidationError({"schedule": "a group of the swap is no longer on the schedule"})
    placements[a], placements[b] = placements[b], placements[a]
    placements_check(swap.course, placements, "swap", placed_only=True)
    schedule = schedule_version_create(
        swap.course,
        placements,
        placements_score(swap.course, placements),
        status=ScheduleStatus.DRAFT,
        actor=actor,
    )
    schedule_mark_published(schedule)
    moves = [
        {"group_id": a, "group": swap.from_group.name, "from": placements[b].isoformat(),
         "to": placements[a].isoformat()},
        {"group_id": b, "group": swap.to_group.name, "from": placements[a].isoformat(),
         "to": placements[b].isoformat()},
    ]  # fmt: skip
    change_log_add(
        swap.course,
        ChangeKind.SWAPPED,
        f"{swap.from_group.name} and {swap.to_group.name} swapped; v{schedule.version} published",
        schedule=schedule,
        actor=actor,
        moves=moves,
    )
    swap.status = SwapStatus.APPROVED
    swap.decided_by = actor
    swap.decided_at = timezone.now()
    swap.save(update_fields=["status", "decided_by", "decided_at"])
    return swap


def swap_reject(*, swap: SwapRequest, actor: User, is_staff: bool) -> SwapRequest:
    if swap.status not in {SwapStatus.REQUESTED, SwapStatus.ACCEPTED}:
        raise ValidationError({"status": f"the swap is {swap.get_status_display().lower()}"})
    may = is_staff or _member_of(swap.to_group, actor) or _member_of(swap.from_group, actor)
    if not may:
        raise ValidationError({"swap": "only the two groups and staff decline a swap"})
    swap.status = SwapStatus.REJECTED
    swap.decided_by = actor
    swap.decided_at = timezone.now()
    swap.save(update_fields=["status", "decided_by", "decided_at"])
    return swap
