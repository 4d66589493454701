from __future__ import annotations

import logging
from typing import Any

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class PresentationsConfig(AppConfig):
    name = "presentations"

    def ready(self) -> None:
        from courseportal import caching
        from courses.signals import calendar_change_previewed, calendar_changed, memberships_changed
        from presentations.models import (
            CalendarFeed,
            GroupMember,
            PresentationSchedule,
            PresenterGroup,
            Slot,
        )

        calendar_changed.connect(_repair_schedule, dispatch_uid="presentations-repair")
        calendar_change_previewed.connect(_repair_preview, dispatch_uid="presentations-preview")

        # Constraint drift: the seats, the window or the calendar (Course), the memberships and
        # a group's members or unavailable dates can make the published schedule break a rule.
        from django.db.models.signals import post_delete, post_save

        from courses.models import Course, Membership

        post_save.connect(_drift_of_course, sender=Course, dispatch_uid="presentations-drift-c")
        memberships_changed.connect(_drift_of_roster, dispatch_uid="presentations-drift-roster")
        for watched in (Membership, PresenterGroup, GroupMember):
            name = watched.__name__
            post_save.connect(_drift_of_row, sender=watched, dispatch_uid=f"drift-{name}")
            post_delete.connect(_drift_of_row, sender=watched, dispatch_uid=f"drift-del-{name}")

        # What the kept feeds show (courseportal/caching.py): groups, their members, schedules
        # and slots; and the feed keys, which are the accounts'. A slot whose schedule is
        # already gone (deleted with its course) names no scope: that deletion retires it.
        def slot_scope(slot: Slot) -> str | None:
            try:
                return caching.course_scope(slot.schedule.course_id)
            except PresentationSchedule.DoesNotExist:
                return None

        for model in (PresenterGroup, GroupMember, PresentationSchedule):
            caching.retire_on_change(model, lambda row: caching.course_scope(row.course_id))
        caching.retire_on_change(Slot, slot_scope)
        caching.retire_on_change(CalendarFeed, lambda feed: caching.ACCOUNTS)


def _repair_schedule(sender: Any, *, course: Any, actor: Any, description: str, **_: Any) -> None:
    from presentations.services.calendar_repair import schedule_repair_after_calendar_change

    schedule_repair_after_calendar_change(course=course, actor=actor, description=description)


def _repair_preview(sender: Any, *, course: Any, **_: Any) -> list[Any]:
    from presentations.services.calendar_repair import schedule_repair_preview

    return schedule_repair_preview(course=course)


def _drift_of_course(sender: Any, *, instance: Any, **_: Any) -> None:
    _check_drift_after_commit(instance.pk)


def _drift_of_roster(sender: Any, *, course: Any, **_: Any) -> None:
    _check_drift_after_commit(course.pk)


def _drift_of_row(sender: Any, *, instance: Any, **_: Any) -> None:
    _check_drift_after_commit(instance.course_id)


def _check_drift_after_commit(course_id: int) -> None:
    """Once the change commits, check the published schedule again (see
    presentations.services.schedule_issues)."""
    from django.db import transaction

    def run() -> None:
        from courses.models import Course
        from presentations.services.schedule_issues import issues_sync

        course = Course.objects.filter(pk=course_id).first()
        if course is None:
            return
        try:
            issues_sync(course=course)
        except Exception:  # a check must never undo or break the change that triggered it
            logger.exception("could not check the published schedule of course %s", course_id)

    transaction.on_commit(run)
