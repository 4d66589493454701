from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class PresentationsConfig(AppConfig):
    name = "presentations"

    def ready(self) -> None:
        from courses.signals import calendar_changed

        calendar_changed.connect(_repair_schedule, dispatch_uid="presentations-repair")


def _repair_schedule(sender: Any, *, course: Any, actor: Any, description: str, **_: Any) -> None:
    from presentations.services.calendar_repair import schedule_repair_after_calendar_change

    schedule_repair_after_calendar_change(course=course, actor=actor, description=description)
