"""Celery tasks of the course core: thin shells around its services."""

from __future__ import annotations

from celery import shared_task

from courses import services
from courses.models import Announcement


@shared_task(name="courses.mail_announcement", acks_late=True)
def mail_announcement(announcement_id: int) -> int:
    """E-mail an announcement to its class (queued by the page that posted it); how many
    messages went out. An announcement deleted before the worker got to it is not sent."""
    announcement = Announcement.objects.select_related("course").filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    return services.announcement_mail(announcement=announcement)
