"""Presenter groups: who presents together, their ranked dates, the dates they cannot make."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from courseportal import caching
from courses.models import Course, Membership, Role
from courses.selectors import course_sessions
from presentations.models import GroupMember, PresenterGroup, ScheduleStatus, Slot
from presentations.selectors import parse_dates


def _check_group(
    *,
    course: Course,
    group: PresenterGroup | None,
    members: list[Any],
    preferences: list[dt.date],
    unavailable: list[dt.date],
    fixed_date: dt.date | None,
) -> None:
    if not members:
        raise ValidationError({"members": "a group needs at least one student"})
    if len({m.pk for m in members}) != len(members):
        raise ValidationError({"members": "a student is listed twice"})
    students = set(
        Membership.objects.filter(
            course=course, role=Role.STUDENT, is_active=True, user__in=members
        ).values_list("user_id", flat=True)
    )
    outsiders = [m.username for m in members if m.pk not in students]
    if outsiders:
        raise ValidationError({"members": f"not students of this course: {', '.join(outsiders)}"})
    taken = GroupMember.objects.filter(course=course, user__in=members)
    if group is not None:
        taken = taken.exclude(group=group)
    busy = sorted(taken.values_list("user__username", flat=True))
    if busy:
        raise ValidationError({"members": f"already in another group: {', '.join(busy)}"})
    seats = course.presenters_per_class
    if len(members) > seats:
        too_many = f"a group of {len(members)} is larger than the {seats} presenters per class"
        raise ValidationError({"members": too_many})
    sessions = {s.date: s for s in course_sessions(course=course)}
    day: dt.date | None  # of `unavailable`, then of the preferences and the fixed date (or None)
    for day in unavailable:
        if not course.first_day <= day <= course.last_day:
            term = f"{course.first_day} to {course.last_day}"
            raise ValidationError({"unavailable": f"{day} is outside the term ({term})"})
    if len(set(preferences)) != len(preferences):
        raise ValidationError({"preferences": "a date is ranked twice"})
    for field_name, days in (("preferences", preferences), ("fixed_date", [fixed_date])):
        for day in days:
            if day is None:
                continue
            session = sessions.get(day)
            if session is None or not session.has_presentations:
                why = session.label if session else "not a class day"
                raise ValidationError({field_name: f"{day} has no student presentations ({why})"})


@transaction.atomic
def group_create(
    *,
    course: Course,
    name: str,
    members: list[Any],
    preferences: Iterable[dt.date] = (),
    unavailable: Iterable[dt.date] = (),
    topic: str = "",
    fixed_date: dt.date | None = None,
) -> PresenterGroup:
    preferences, unavailable = list(preferences), sorted(set(unavailable))
    _check_group(
        course=course,
        group=None,
        members=members,
        preferences=preferences,
        unavailable=unavailable,
        fixed_date=fixed_date,
    )
    if PresenterGroup.objects.filter(course=course, name=name).exists():
        raise ValidationError({"name": f"a group named {name!r} exists already"})
    group = PresenterGroup(
        course=course,
        name=name,
        topic=topic,
        fixed_date=fixed_date,
        preferences=[d.isoformat() for d in preferences],
        unavailable=[d.isoformat() for d in unavailable],
    )
    group.full_clean()
    group.save()
    try:
        GroupMember.objects.bulk_create(
            GroupMember(group=group, course=course, user=member) for member in members
        )
    except IntegrityError:
        raise ValidationError({"members": "a student joined another group meanwhile"}) from None
    caching.changed(caching.course_scope(course.pk))  # bulk_create sends no signal
    return group


@transaction.atomic
def group_update(*, group: PresenterGroup, **fields: Any) -> PresenterGroup:
    allowed = {"name", "members", "preferences", "unavailable", "topic", "fixed_date"}
    if set(fields) - allowed:
        raise TypeError(f"unknown group fields: {sorted(set(fields) - allowed)}")
    members = fields.pop("members", None)
    current_members = [m.user for m in group.members.select_related("user")]
    preferences = list(fields.get("preferences", parse_dates(group.preferences)))
    unavailable = sorted(set(fields.get("unavailable", parse_dates(group.unavailable))))
    fixed_date = fields.get("fixed_date", group.fixed_date)
    _check_group(
        course=group.course,
        group=group,
        members=members if members is not None else current_members,
        preferences=preferences,
        unavailable=unavailable,
        fixed_date=fixed_date,
    )
    if "name" in fields and fields["name"] != group.name:
        if PresenterGroup.objects.filter(course=group.course, name=fields["name"]).exists():
            raise ValidationError({"name": f"a group named {fields['name']!r} exists already"})
        group.name = fields["name"]
    group.topic = fields.get("topic", group.topic)
    group.fixed_date = fixed_date
    group.preferences = [d.isoformat() for d in preferences]
    group.unavailable = [d.isoformat() for d in unavailable]
    group.full_clean()
    group.save()
    if members is not None:
        group.members.all().delete()
        try:
            GroupMember.objects.bulk_create(
                GroupMember(group=group, course=group.course, user=member) for member in members
            )
        except IntegrityError:
            raise ValidationError({"members": "a student joined another group meanwhile"}) from None
        caching.changed(caching.course_scope(group.course_id))  # bulk_create sends no signal
    return group


@transaction.atomic
def group_delete(*, group: PresenterGroup) -> None:
    """Delete the group (its slots in drafts and its invitations go with it); refused while the
    group is on the published schedule."""
    if Slot.objects.filter(group=group, schedule__status=ScheduleStatus.PUBLISHED).exists():
        raise ValidationError({"group": "the group is on the published schedule"})
    group.delete()
