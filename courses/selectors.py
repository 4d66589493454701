"""Reads of the course core. Every function here is side-effect free."""

from __future__ import annotations

import functools

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import Http404

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


def course_list_for_user(*, user: User | AnonymousUser) -> QuerySet[Course]:
    """The courses in which `user` has an active membership."""
    if not user.is_authenticated:
        return Course.objects.none()
    return Course.objects.filter(memberships__user=user, memberships__is_active=True).distinct()


def membership_get(*, user: User | AnonymousUser, course_id: int) -> Membership:
    """The user's active membership in the course, with the course loaded.

    Raises Http404 for a course the user is not in, so that the existence of other courses
    is not revealed. Read on nearly every request, so kept (courseportal/caching.py) until the
    course's memberships or the course change.
    """
    if not user.is_authenticated:
        raise Http404("No such course.")
    membership = caching.kept(
        ("membership", user.pk, course_id),
        scopes=[caching.course_scope(course_id)],
        build=lambda: _membership_find(user.pk, course_id),
    )
    if membership is None:
        raise Http404("No such course.")
    return membership


def _membership_find(user_id: int, course_id: int) -> Membership | None:
    try:  # get(), not first(): no ORDER BY to compile on every request
        return Membership.objects.select_related("course").get(
            user_id=user_id, course_id=course_id, is_active=True
        )
    except Membership.DoesNotExist:
        return None


def course_pattern(*, course: Course) -> cal.MeetingPattern:
    return cal.MeetingPattern(
        first_day=course.first_day,
        last_day=course.last_day,
        weekdays=frozenset(course.meeting_days),
        start=course.meeting_start,
        end=course.meeting_end,
        time_zone=course.time_zone,
    )


def calendar_exception_to_core(exception: CalendarException) -> cal.CalendarException:
    return cal.CalendarException(
        date=exception.date,
        kind=cal.ExceptionKind(exception.kind),
        title=exception.title,
        reason=cal.NoClassReason(exception.reason) if exception.reason else None,
    )


def calendar_exception_list(*, course: Course) -> QuerySet[CalendarException]:
    return CalendarException.objects.filter(course=course).order_by("date")


@functools.lru_cache(maxsize=256)
def _derived_sessions(
    pattern: cal.MeetingPattern, exceptions: tuple[cal.CalendarException, ...]
) -> tuple[cal.ClassSession, ...]:
    # Keyed by the complete input (frozen values), so a changed course or exception is a new
    # key, never a stale answer. Every API read, feed and page of a course derives its term.
    return tuple(cal.derive_sessions(pattern, exceptions))


def course_sessions(*, course: Course) -> list[cal.ClassSession]:
    """Every class date of the course's term, with meets / has_papers / has_presentations."""
    exceptions = tuple(
        calendar_exception_to_core(e) for e in calendar_exception_list(course=course)
    )
    return list(_derived_sessions(course_pattern(course=course), exceptions))


def membership_roles_by_course(*, user: User) -> dict[int, str]:
    """The user's role in each course of their active memberships, by course id."""
    return dict(
        Membership.objects.filter(user=user, is_active=True).values_list("course_id", "role")
    )


def announcement_list(*, course: Course) -> QuerySet[Announcement]:
    return Announcement.objects.filter(course=course).select_related("author")


def staff_list(*, course: Course) -> QuerySet[Membership]:
    """The course's active instructors and TAs, instructors first, then by name."""
    return (
        Membership.objects.filter(
            course=course, is_active=True, role__in=[Role.INSTRUCTOR, Role.TA]
        )
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name", "user__username")
    )


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def api_token_find(*, key_hash: str) -> ApiToken | None:
    """The live token of this key hash, with its user loaded; None for a revoked or unknown one.

    Read on every API request, so kept (courseportal/caching.py) until an account changes:
    a token made, revoked or deleted, a user changed."""
    return caching.kept(
        ("token", key_hash), scopes=[caching.ACCOUNTS], build=lambda: _api_token_find(key_hash)
    )


def _api_token_find(key_hash: str) -> ApiToken | None:
    try:  # get(), not first(): no ORDER BY to compile
        return ApiToken.objects.select_related("user").get(
            key_hash=key_hash, revoked_at__isnull=True
        )
    except ApiToken.DoesNotExist:
        return None


def api_token_get(*, user: User, token_id: int) -> ApiToken | None:
    """One of the user's own tokens (revoked ones too), or None."""
    return ApiToken.objects.filter(user=user, pk=token_id).first()
