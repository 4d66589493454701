"""Mail about the schedule: to every member of a group (one message each: classmates do not
learn each other's addresses) or to the course's staff, sent once the transaction commits; a
mail server hiccup is logged and never undoes the change."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import transaction

from courses.models import Course, Membership, Role
from presentations.models import PresenterGroup
from presentations.selectors import active_members

logger = logging.getLogger(__name__)


def day_words(day: dt.date) -> str:
    """ "Thursday, October 12": how a date reads in mail and on pages."""
    return f"{day:%A, %B} {day.day}"


def mail_group(group: PresenterGroup, *, subject: str, body: str) -> None:
    """Mail each active member of `group`, after the commit."""
    emails = [m.user.email for m in active_members().filter(group=group) if m.user.email]
    code = group.course.code
    transaction.on_commit(lambda: send_each(subject=f"[{code}] {subject}", body=body, to=emails))


def staff_emails(course: Course) -> list[str]:
    """The addresses of the course's active instructors and TAs."""
    staff = Membership.objects.filter(
        course=course, role__in=[Role.TA, Role.INSTRUCTOR], is_active=True
    ).select_related("user")
    return sorted({m.user.email for m in staff if m.user.email and m.user.is_active})


def mail_staff(course: Course, *, subject: str, body: str) -> None:
    """Mail the course's active instructors and TAs, after the commit."""
    emails = staff_emails(course)
    code = course.code
    transaction.on_commit(lambda: send(subject=f"[{code}] {subject}", body=body, to=emails))


def send_each(subject: str, body: str, to: Iterable[str]) -> None:
    """One message per address, so that nobody learns the others'; a mail server that fails
    is logged, never raised: the change is already saved."""
    messages = [EmailMessage(subject=subject, body=body, to=[email]) for email in to]
    if not messages:
        return
    try:
        get_connection().send_messages(messages)
    except OSError:
        logger.exception("could not send %r", subject)


def send(*, subject: str, body: str, to: list[str]) -> None:
    if not to:
        return
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except OSError:
        # The schedule is already saved; a mail server hiccup must not undo it.
        logger.exception("could not send %r to %s", subject, to)
