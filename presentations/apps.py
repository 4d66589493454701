from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class PresentationsConfig(AppConfig):
    name = "presentations"

    def ready(self) -> None:
        from courseportal import caching
        from courses.signals import calendar_changed
        from presentations.models import (
            CalendarFeed,
            GroupMember,
            PresentationSchedule,
            PresenterGroup,
            Slot,
        )

        calendar_changed.connect(_repair_schedule, dispatch_uid="presentations-repair")

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
