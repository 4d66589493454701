"""Swaps: a group asks another to trade presentation dates, the other group accepts, staff
approve, and both groups trade dates in a new published version of the schedule.

Every step (request, acceptance, approval) checks the swap again against the published schedule
and the course as they are then: both groups still on the dates the swap was asked for, on
different dates (else there is nothing to trade), each new date a class day with presentations,
not a date the group marked unavailable, and not more presenters on a day than a class allows.
A refusal names the problem in plain words. Each step is mailed: the request to the other group,
the acceptance to staff and the requester, the decision to both groups.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from courses.models import Course, Membership
from presentations.models import ChangeKind, PresenterGroup, ScheduleStatus, SwapRequest, SwapStatus
from presentations.selectors import (
    group_list,
    group_member_ids,
    schedule_published,
    scheduler_group,
    scheduler_sessions,
)
from presentations.services._mail import day_words, send_each, staff_emails
from presentations.services._versions import (
    change_log_add,
    placements_score,
    schedule_mark_published,
    schedule_placements,
    schedule_version_create,
)


def _member_of(group: PresenterGroup, user: User) -> bool:
    return user.pk in group_member_ids(group)


def _current_dates(
    course: Course, from_group: PresenterGroup, to_group: PresenterGroup
) -> tuple[dict[str, dt.date], dt.date, dt.date]:
    """The published placements and the two groups' dates on them; ValidationError when there
    is no published schedule or a group is not on it."""
    published = schedule_published(course=course)
    if published is None:
        raise ValidationError({"swap": "there is no published schedule to swap dates on"})
    placements = schedule_placements(published)
    for group in (from_group, to_group):
        if str(group.pk) not in placements:
            raise ValidationError({"swap": f"{group.name} is not on the published schedule"})
    return placements, placements[str(from_group.pk)], placements[str(to_group.pk)]


def swap_problems(
    course: Course,
    placements: dict[str, dt.date],
    from_group: PresenterGroup,
    to_group: PresenterGroup,
) -> list[str]:
    """What stops the two groups from trading their dates on `placements` now, in plain words;
    empty when the swap is fine."""
    a, b = str(from_group.pk), str(to_group.pk)
    a_day, b_day = placements[a], placements[b]
    if a_day == b_day:
        return [
            f"{from_group.name} and {to_group.name} both present on {day_words(a_day)} already: "
            "there is nothing to swap"
        ]
    sessions = {s.date: s for s in scheduler_sessions(course=course)}
    groups = {g.id: g for g in (scheduler_group(x) for x in group_list(course=course))}
    problems = []
    for group, new_day in ((from_group, b_day), (to_group, a_day)):
        session = sessions.get(new_day)
        if session is None or not session.eligible:
            why = f" ({session.label})" if session is not None and session.label else ""
            problems.append(
                f"{group.name} cannot move to {day_words(new_day)}: there are no presentations "
                f"that day{why}"
            )
            continue
        spec = groups.get(str(group.pk))
        if spec is None:
            continue
        if new_day in spec.unavailable:
            problems.append(f"{group.name} marked {day_words(new_day)} as unavailable")
        if spec.fixed_date is not None and spec.fixed_date != new_day:
            problems.append(f"{group.name} must present on {day_words(spec.fixed_date)}")
    if problems:
        return problems
    after = dict(placements)
    after[a], after[b] = b_day, a_day
    for day in (a_day, b_day):
        seats = sessions[day].seats

        def used(on: dict[str, dt.date], day: dt.date = day) -> int:
            return sum(g.size for gid, g in groups.items() if on.get(gid) == day)

        now, then = used(placements), used(after)
        if then > seats and then > now:
            problems.append(
                f"{day_words(day)} would have {then} presenters, more than the {seats} "
                "a class allows"
            )
    return problems


def _validate(swap: SwapRequest) -> tuple[dict[str, dt.date], dt.date, dt.date]:
    """The swap checked against the published schedule now: raises ValidationError (on "swap")
    naming each problem."""
    placements, a_day, b_day = _current_dates(swap.course, swap.from_group, swap.to_group)
    moved = []
    for group, asked, now in (
        (swap.from_group, swap.from_date, a_day),
        (swap.to_group, swap.to_date, b_day),
    ):
        if asked is not None and asked != now:
            moved.append(
                f"{group.name} moved from {day_words(asked)} to {day_words(now)} since this swap "
                "was requested: decline it and ask again"
            )
    if moved:
        raise ValidationError({"swap": moved})
    problems = swap_problems(swap.course, placements, swap.from_group, swap.to_group)
    if problems:
        raise ValidationError({"swap": problems})
    return placements, a_day, b_day


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
    open_ = SwapRequest.objects.filter(
        from_group=from_group,
        to_group=to_group,
        status__in=[SwapStatus.REQUESTED, SwapStatus.ACCEPTED],
    )
    if open_.exists():
        raise ValidationError({"to_group": "this swap has already been requested"})
    swap = SwapRequest(
        course=from_group.course, from_group=from_group, to_group=to_group, requested_by=actor
    )
    _, swap.from_date, swap.to_date = _validate(swap)
    swap.save()
    transaction.on_commit(lambda: _mail_requested(swap))
    return swap


@transaction.atomic
def swap_accept(*, swap: SwapRequest, actor: User) -> SwapRequest:
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.status != SwapStatus.REQUESTED:
        raise ValidationError({"status": f"the swap is {swap.get_status_display().lower()}"})
    if not _member_of(swap.to_group, actor):
        raise ValidationError({"swap": "only the other group accepts a swap"})
    _, a_day, b_day = _validate(swap)
    swap.status = SwapStatus.ACCEPTED
    swap.from_date, swap.to_date = a_day, b_day
    swap.save(update_fields=["status", "from_date", "to_date"])
    transaction.on_commit(lambda: _mail_accepted(swap))
    return swap


@transaction.atomic
def swap_approve(*, swap: SwapRequest, actor: User) -> SwapRequest:
    """Staff approve an accepted swap: both groups trade dates in a new published version."""
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.status != SwapStatus.ACCEPTED:
        raise ValidationError({"status": "only a swap the other group accepted can be approved"})
    placements, a_day, b_day = _validate(swap)
    a, b = str(swap.from_group_id), str(swap.to_group_id)
    placements[a], placements[b] = b_day, a_day
    schedule = schedule_version_create(
        swap.course,
        placements,
        placements_score(swap.course, placements),
        status=ScheduleStatus.DRAFT,
        actor=actor,
    )
    schedule_mark_published(schedule)
    moves = [
        {"group_id": a, "group": swap.from_group.name, "from": a_day.isoformat(),
         "to": b_day.isoformat()},
        {"group_id": b, "group": swap.to_group.name, "from": b_day.isoformat(),
         "to": a_day.isoformat()},
    ]  # fmt: skip
    change_log_add(
        swap.course,
        ChangeKind.SWAPPED,
        f"{swap.from_group.name} ({a_day.isoformat()}) and {swap.to_group.name} "
        f"({b_day.isoformat()}) swapped; v{schedule.version} published",
        schedule=schedule,
        actor=actor,
        moves=moves,
    )
    swap.status = SwapStatus.APPROVED
    swap.decided_by = actor
    swap.decided_at = timezone.now()
    swap.from_date, swap.to_date = a_day, b_day
    swap.save(update_fields=["status", "decided_by", "decided_at", "from_date", "to_date"])
    transaction.on_commit(lambda: _mail_decided(swap))
    return swap


@transaction.atomic
def swap_reject(*, swap: SwapRequest, actor: User, is_staff: bool) -> SwapRequest:
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.status not in {SwapStatus.REQUESTED, SwapStatus.ACCEPTED}:
        raise ValidationError({"status": f"the swap is {swap.get_status_display().lower()}"})
    may = is_staff or _member_of(swap.to_group, actor) or _member_of(swap.from_group, actor)
    if not may:
        raise ValidationError({"swap": "only the two groups and staff decline a swap"})
    swap.status = SwapStatus.REJECTED
    swap.decided_by = actor
    swap.decided_at = timezone.now()
    swap.save(update_fields=["status", "decided_by", "decided_at"])
    transaction.on_commit(lambda: _mail_decided(swap))
    return swap


# Mail. One message per person, so that nobody learns the others' addresses; a mail server that
# fails is logged, never raised: the swap is already saved.


def _group_emails(group: PresenterGroup) -> list[str]:
    active = Membership.objects.filter(
        course_id=group.course_id, is_active=True, user_id__in=group_member_ids(group)
    ).select_related("user")
    return sorted({m.user.email for m in active if m.user.email and m.user.is_active})


def _trade(swap: SwapRequest) -> str:
    def on(day: dt.date | None) -> str:
        return f" (presents on {day_words(day)})" if day is not None else ""

    return f"{swap.from_group.name}{on(swap.from_date)} and {swap.to_group.name}{on(swap.to_date)}"


def _mail_requested(swap: SwapRequest) -> None:
    course = swap.course
    send_each(
        f"[{course.code}] {swap.from_group.name} asks to swap presentation dates",
        f"{swap.from_group.name} asks {swap.to_group.name} to trade presentation dates: "
        f"{_trade(swap)}.\nAccept or decline it on your group's page in {course.code}. Once "
        "you accept, course staff approve it.",
        _group_emails(swap.to_group),
    )


def _mail_accepted(swap: SwapRequest) -> None:
    course = swap.course
    subject = f"[{course.code}] Swap accepted: {swap.from_group.name} and {swap.to_group.name}"
    trade = _trade(swap)
    send_each(
        subject,
        f"{swap.to_group.name} accepted the swap of presentation dates: {trade}.\n"
        f"It waits for your approval on the presentations page of {course.code}.",
        staff_emails(course),
    )
    requester = swap.requested_by
    if requester is not None and requester.email and requester.is_active:
        send_each(
            subject,
            f"{swap.to_group.name} accepted your swap of presentation dates: {trade}.\n"
            "Course staff approve it next; you will get a mail when they decide.",
            [requester.email],
        )


def _mail_decided(swap: SwapRequest) -> None:
    course = swap.course
    approved = swap.status == SwapStatus.APPROVED
    if approved and swap.from_date is not None and swap.to_date is not None:
        subject = f"[{course.code}] Swap approved: your presentation date changed"
        body = (
            f"The swap of presentation dates was approved: {swap.from_group.name} now presents "
            f"on {day_words(swap.to_date)} and {swap.to_group.name} on "
            f"{day_words(swap.from_date)}.\nYour calendar feed shows the new date."
        )
    else:
        subject = f"[{course.code}] Swap declined: {swap.from_group.name} and {swap.to_group.name}"
        body = (
            f"The swap of presentation dates of {_trade(swap)} was declined. Both groups keep "
            "their dates."
        )
    emails = sorted(set(_group_emails(swap.from_group)) | set(_group_emails(swap.to_group)))
    send_each(subject, body, emails)
