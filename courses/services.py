"""Writes of the course core. Only these functions change course, calendar or token rows.

Business rules raise django.core.exceptions.ValidationError with a dict naming the field;
the API turns that into a 400 and the pages into form errors.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from courseportal import caching
from courses import academic_calendar as cal
from courses.models import (
    Announcement,
    ApiToken,
    CalendarException,
    Course,
    Membership,
    Role,
)
from courses.people import display_name
from courses.selectors import calendar_exception_to_core, course_pattern
from courses.signals import CalendarMove, calendar_change_previewed, calendar_changed

logger = logging.getLogger(__name__)

COURSE_FIELDS = frozenset(
    {
        "code",
        "title",
        "term",
        "time_zone",
        "first_day",
        "last_day",
        "meeting_days",
        "meeting_start",
        "meeting_end",
        "presenters_per_class",
        "presentations_start",
        "presentations_end",
        "reviews_require_acknowledgement",
        "archived",
        "slides_due_hours_before",
    }
)


def _check_course(course: Course) -> None:
    try:
        course.meeting_days = sorted(cal.parse_weekdays(course.meeting_days))
    except ValueError as error:
        raise ValidationError({"meeting_days": str(error)}) from None
    if course.last_day < course.first_day:
        raise ValidationError(
            {"last_day": f"{course.last_day} is before the first day {course.first_day}"}
        )
    start, end = course.presentations_start, course.presentations_end
    for field, day in (("presentations_start", start), ("presentations_end", end)):
        if day is not None and not course.first_day <= day <= course.last_day:
            raise ValidationError(
                {field: f"{day} is outside the term ({course.first_day} to {course.last_day})"}
            )
    if start is not None and end is not None and end < start:
        raise ValidationError(
            {"presentations_end": f"{end} is before the first presentation date {start}"}
        )
    if course.meeting_end <= course.meeting_start:
        raise ValidationError(
            {"meeting_end": f"{course.meeting_end} is not after the start {course.meeting_start}"}
        )
    course.full_clean()


@transaction.atomic
def course_create(**fields: Any) -> Course:
    unknown = set(fields) - COURSE_FIELDS
    if unknown:
        raise TypeError(f"unknown course fields: {sorted(unknown)}")
    course = Course(**fields)
    _check_course(course)
    course.save()
    return course


@transaction.atomic
def course_update(*, course: Course, **fields: Any) -> Course:
    unknown = set(fields) - COURSE_FIELDS
    if unknown:
        raise TypeError(f"unknown course fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(course, name, value)
    _check_course(course)
    course.save()
    return course


def membership_set(
    *, course: Course, user: User, role: Role | str, is_active: bool = True
) -> Membership:
    """Give `user` the role in `course` (creating or updating the one membership)."""
    membership, _ = Membership.objects.update_or_create(
        course=course, user=user, defaults={"role": Role(role), "is_active": is_active}
    )
    return membership


def _check_exception(course: Course, exception: CalendarException) -> None:
    kind = exception.kind
    if kind not in {k.value for k in cal.ExceptionKind}:
        raise ValidationError({"kind": f"{kind!r} is not one of no_class, guest_lecture"})
    if exception.reason and exception.reason not in {r.value for r in cal.NoClassReason}:
        raise ValidationError(
            {"reason": f"{exception.reason!r} is not one of holiday, break, cancelled"}
        )
    if kind == cal.ExceptionKind.NO_CLASS and not exception.reason:
        raise ValidationError(
            {"reason": "required when there is no class: holiday, break or cancelled"}
        )
    if kind == cal.ExceptionKind.GUEST_LECTURE and exception.reason:
        raise ValidationError(
            {"reason": "only a day with no class has a reason; leave it empty for a guest lecture"}
        )
    try:
        cal.check_exception(course_pattern(course=course), calendar_exception_to_core(exception))
    except ValueError as error:
        raise ValidationError({"date": str(error)}) from None
    clash = CalendarException.objects.filter(course=course, date=exception.date).exclude(
        pk=exception.pk
    )
    if clash.exists():
        raise ValidationError({"date": f"{exception.date} already has a calendar exception"})


def _announce_calendar_change(course: Course, actor: User | None, description: str) -> None:
    transaction.on_commit(
        lambda: calendar_changed.send(
            sender=Course, course=course, actor=actor, description=description
        )
    )


def _save_exception(exception: CalendarException, *, actor: User | None) -> CalendarException:
    try:
        with transaction.atomic():
            exception.save()
    except IntegrityError:
        # Two staff members added the same date at once; the other request got there first.
        raise ValidationError(
            {"date": f"{exception.date} already has a calendar exception"}
        ) from None
    core = calendar_exception_to_core(exception)
    _announce_calendar_change(exception.course, actor, f"{exception.date}: {core.label}")
    return exception


def calendar_exception_create(
    *,
    course: Course,
    date: dt.date,
    kind: str,
    title: str = "",
    reason: str = "",
    actor: User | None = None,
) -> CalendarException:
    exception = CalendarException(course=course, date=date, kind=kind, title=title, reason=reason)
    _check_exception(course, exception)
    return _save_exception(exception, actor=actor)


class _TriedOut(Exception):
    """Rolls back the savepoint of a calendar change that was only tried out."""


def calendar_exception_moves(
    *, course: Course, date: dt.date, kind: str, title: str = "", reason: str = ""
) -> list[CalendarMove]:
    """What adding this calendar exception would move (presenter groups, in order), without
    keeping anything: it is checked and saved as `calendar_exception_create` would, the apps
    that react to calendar changes say what they would move, and the savepoint is rolled back
    (with the on-commit announcement it queued). Raises ValidationError as the create does."""
    moves: list[CalendarMove] = []
    try:
        with transaction.atomic():
            calendar_exception_create(
                course=course, date=date, kind=kind, title=title, reason=reason
            )
            for _receiver, answer in calendar_change_previewed.send(sender=Course, course=course):
                moves += [move for move in answer or () if isinstance(move, CalendarMove)]
            raise _TriedOut
    except _TriedOut:
        pass
    return moves


def calendar_exception_update(
    *, exception: CalendarException, actor: User | None = None, **fields: Any
) -> CalendarException:
    allowed = {"date", "kind", "title", "reason"}
    if set(fields) - allowed:
        raise TypeError(f"unknown calendar exception fields: {sorted(set(fields) - allowed)}")
    for name, value in fields.items():
        setattr(exception, name, value)
    if exception.kind == cal.ExceptionKind.GUEST_LECTURE and "reason" not in fields:
        exception.reason = ""  # a no_class turned into a guest lecture drops its reason
    _check_exception(exception.course, exception)
    return _save_exception(exception, actor=actor)


def calendar_exception_delete(*, exception: CalendarException, actor: User | None = None) -> None:
    description = f"{exception.date}: exception removed, class as usual"
    exception.delete()
    _announce_calendar_change(exception.course, actor, description)


def announcement_create(
    *,
    course: Course,
    author: User | None,
    title: str,
    body: str = "",
    pinned: bool = False,
    mail_class: bool = False,
) -> Announcement:
    """Post an announcement; with `mail_class`, also e-mail it to every active member: a
    Celery task on the jobs queue does, once the row is committed (the page does not wait)."""
    announcement = Announcement(course=course, author=author, title=title, body=body, pinned=pinned)
    announcement.full_clean()
    announcement.save()
    if mail_class:
        transaction.on_commit(lambda: announcement_mail_enqueue(announcement=announcement))
    return announcement


def announcement_recipients(*, course: Course) -> Any:
    """The memberships an announcement of `course` is e-mailed to: each active student, TA and
    instructor with an address."""
    return Membership.objects.filter(
        course=course,
        is_active=True,
        role__in=[Role.STUDENT, Role.TA, Role.INSTRUCTOR],
    ).exclude(user__email="")


def announcement_mail_enqueue(*, announcement: Announcement) -> None:
    """Hand the class mail to a worker (the jobs queue). When the broker cannot be reached the
    mail is sent here instead, so that it is never silently lost."""
    from django.conf import settings

    from courses.tasks import mail_announcement

    try:
        mail_announcement.apply_async(args=(announcement.pk,), queue=settings.JOBS_QUEUE)
    except Exception as error:
        logger.warning(
            "could not queue the mail of announcement %s (%s); sending it now",
            announcement.pk,
            error,
        )
        announcement_mail(announcement=announcement)


def announcement_mail(*, announcement: Announcement) -> int:
    """E-mail the announcement to each active student, TA and instructor of its course that has
    an address (one message each, so that nobody sees the others' addresses); returns how many
    were sent. A mail server that fails is logged, never raised: the post stays."""
    course = announcement.course
    emails = (
        announcement_recipients(course=course)
        .order_by("user__email")
        .values_list("user__email", flat=True)
        .distinct()
    )
    context = {"course": course, "announcement": announcement}
    subject = f"[{course.code}] {announcement.title}"
    body = render_to_string("courses/announcement_email.txt", context)
    messages = [EmailMessage(subject=subject, body=body, to=[email]) for email in emails]
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except OSError:  # smtplib's errors too: the post stays, the failure is logged for staff
        logger.exception("could not e-mail announcement %s to the class", announcement.pk)
        return 0


def announcement_update(*, announcement: Announcement, **fields: Any) -> Announcement:
    allowed = {"title", "body", "pinned"}
    if set(fields) - allowed:
        raise TypeError(f"unknown announcement fields: {sorted(set(fields) - allowed)}")
    for name, value in fields.items():
        setattr(announcement, name, value)
    announcement.full_clean()
    announcement.save()
    return announcement


def announcement_delete(*, announcement: Announcement) -> None:
    announcement.delete()


def _account_find(who: str) -> User:
    """The account whose username is `who`, or else whose e-mail it is (any case)."""
    who = who.strip()
    user = User.objects.filter(username=who).first()
    if user is not None:
        return user
    by_email = list(User.objects.filter(email__iexact=who)[:2])
    if len(by_email) > 1:
        raise ValidationError({"who": f"several accounts use {who}; give the username instead"})
    if not by_email:
        raise ValidationError(
            {"who": f"no account has the username or e-mail {who}; import them with the roster"}
        )
    return by_email[0]


STAFF_ROLE_NAMES = {Role.TA: "a TA", Role.INSTRUCTOR: "an instructor"}


@transaction.atomic
def membership_add_staff(*, course: Course, who: str, role: Role | str) -> Membership:
    """Make the existing account named by `who` (username or e-mail) a TA or an instructor of
    the course. A TA may be made an instructor, and former staff come back in either role.

    A student of the course (or a former one) is refused rather than promoted: their submissions
    and grades would otherwise sit under a staff account. An instructor is not made a TA here:
    they are removed as an instructor first, which keeps the course from losing its last one."""
    if role not in STAFF_ROLE_NAMES:
        raise ValidationError({"role": "choose teaching assistant or instructor"})
    role = Role(role)
    as_role = STAFF_ROLE_NAMES[role]
    who = who.strip()
    user = _account_find(who)
    current = Membership.objects.select_for_update().filter(course=course, user=user).first()
    if current is not None:
        if current.is_active and current.role == role:
            raise ValidationError({"who": f"{who} is already {as_role} of this course"})
        staff_before = current.role in STAFF_ROLE_NAMES
        demoting = current.is_active and current.role == Role.INSTRUCTOR
        if not staff_before or demoting:
            what = ("" if current.is_active else "former ") + current.get_role_display().lower()
            article = "an" if what[0] in "aeiou" else "a"
            raise ValidationError(
                {"who": f"{who} is {article} {what} of this course, and cannot also be {as_role}"}
            )
    return membership_set(course=course, user=user, role=role)


def membership_add_ta(*, course: Course, who: str) -> Membership:
    return membership_add_staff(course=course, who=who, role=Role.TA)


@transaction.atomic
def membership_remove_staff(*, membership: Membership) -> Membership:
    """Take a TA's or an instructor's role away: the membership is deactivated, never deleted,
    so that what they graded keeps its author. The course's last instructor stays."""
    if membership.role not in STAFF_ROLE_NAMES or not membership.is_active:
        raise ValidationError({"membership": "only a current TA or instructor can be removed"})
    if membership.role == Role.INSTRUCTOR:
        # Locked, so that two instructors removing each other at once cannot both succeed.
        instructors = list(
            Membership.objects.select_for_update()
            .filter(course=membership.course, role=Role.INSTRUCTOR, is_active=True)
            .values_list("pk", flat=True)
        )
        if instructors == [membership.pk] or not instructors:
            raise ValidationError(
                {
                    "membership": f"{display_name(membership.user)} is the only instructor of "
                    f"{membership.course.code}, so they cannot be removed: add another "
                    "instructor first"
                }
            )
    return membership_set(
        course=membership.course, user=membership.user, role=membership.role, is_active=False
    )


def membership_remove_ta(*, membership: Membership) -> Membership:
    if membership.role != Role.TA:
        raise ValidationError({"membership": "only a TA can be removed here"})
    return membership_remove_staff(membership=membership)


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; returns it with its key, which is never stored and cannot be shown again."""
    key = "cp_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:10], key_hash=ApiToken.hash_key(key)
    )
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:  # an update() sends no signal: the kept token lookups go by hand
        caching.changed(caching.ACCOUNTS)


def api_token_touch(*, token: ApiToken) -> None:
    """Record use, at most once a minute per token, so that reads do not become writes.

    Each process asks at most once a minute per token, and the UPDATE is conditional, so that
    processes that all saw the same old time write once between them. The token may be a kept
    copy whose last_used_at is as old as the copy: the database decides, not the copy.
    """
    if not caching.once_per(f"token-used:{token.pk}", 60):
        return
    now = timezone.now()
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - dt.timedelta(minutes=1))
    if ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now):
        token.last_used_at = now
