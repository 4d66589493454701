"""After the course calendar changes, move only the groups whose session is gone, publish the
result, and mail the moved groups (or the staff, when the groups cannot be placed)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction

from courses.models import Course, Membership, Role
from presentations import scheduling
from presentations.models import ChangeKind, PresenterGroup, ScheduleChange, ScheduleStatus
from presentations.selectors import (
    group_list,
    schedule_published,
    scheduler_group,
    scheduler_sessions,
)
from presentations.services._versions import (
    change_log_add,
    schedule_mark_published,
    schedule_placements,
    schedule_version_create,
    solver_costs,
)

logger = logging.getLogger(__name__)


def schedule_repair_after_calendar_change(
    *, course: Course, actor: User | None, description: str
) -> ScheduleChange | None:
    """Move only the groups whose session is gone; everyone else keeps their date.

    Runs after a calendar exception is added, changed or removed (see apps.py). With nothing
    published, or nobody affected, it changes nothing. When the moved groups cannot be placed,
    the calendar change still stands: the log says why and staff are emailed.
    """
    with transaction.atomic():
        published = schedule_published(course=course)
        if published is None:
            return None
        placements = schedule_placements(published)
        groups = [scheduler_group(g) for g in group_list(course=course) if str(g.pk) in placements]
        placements = {g.id: placements[g.id] for g in groups}
        try:
            repaired = scheduling.repair(placements, scheduler_sessions(course=course), groups)
        except scheduling.ScheduleInfeasible as error:
            change = change_log_add(
                course,
                ChangeKind.REPAIRED,
                f"Calendar change ({description}): the schedule could not be repaired: {error}",
                schedule=published,
                actor=actor,
            )
            _notify_staff(course, change.message)
            return change
        if not repaired.moves:
            return None
        names = {str(g.pk): g.name for g in group_list(course=course)}
        schedule = schedule_version_create(
            course,
            repaired.schedule.placements(),
            solver_costs(repaired.schedule),
            status=ScheduleStatus.DRAFT,
            actor=actor,
        )
        schedule_mark_published(schedule)
        moves = [
            {"group_id": m.group_id, "group": names[m.group_id], "from": m.from_date.isoformat(),
             "to": m.to_date.isoformat()}
            for m in repaired.moves
        ]  # fmt: skip
        change = change_log_add(
            course,
            ChangeKind.REPAIRED,
            f"Calendar change ({description}): {len(moves)} group(s) moved, schedule "
            f"v{schedule.version} published",
            schedule=schedule,
            actor=actor,
            moves=moves,
        )
        transaction.on_commit(lambda: _notify_moved(course, repaired.moves, description))
        return change


def _notify_moved(course: Course, moves: Iterable[scheduling.Move], description: str) -> None:
    for move in moves:
        group = PresenterGroup.objects.filter(pk=int(move.group_id)).first()
        if group is None:
            continue
        emails = [m.user.email for m in group.members.select_related("user") if m.user.email]
        # One message per member: classmates do not learn each other's e-mail addresses.
        for email in emails:
            _send(
                subject=f"[{course.code}] Your presentation moved to {move.to_date:%a %b %d}",
                body=(
                    f"The course calendar changed ({description}), so {group.name} now presents "
                    f"on {move.to_date:%A, %B %d} instead of {move.from_date:%A, %B %d}.\n"
                    "Everyone else keeps their date. If the new date does not work for you, "
                    "ask another group for a swap on the schedule page."
                ),
                to=[email],
            )


def _notify_staff(course: Course, message: str) -> None:
    staff = Membership.objects.filter(
        course=course, role__in=[Role.TA, Role.INSTRUCTOR], is_active=True
    ).select_related("user")
    emails = [m.user.email for m in staff if m.user.email]
    transaction.on_commit(
        lambda: _send(subject=f"[{course.code}] Schedule needs attention", body=message, to=emails)
    )


def _send(*, subject: str, body: str, to: list[str]) -> None:
    if not to:
        return
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except OSError:
        # The schedule is already saved; a mail server hiccup must not undo it.
        logger.exception("could not send %r to %s", subject, to)
