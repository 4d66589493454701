"""Writes of the gradebook: presentation scores and the course's grade policy.

Business rules raise django.core.exceptions.ValidationError with a dict naming the field; the
API answers 400 and the pages show form errors.
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from courses.models import Course
from gradebook.models import GradePolicy, PresentationGrade
from gradebook.selectors import grade_policy_get
from presentations.models import PresenterGroup

POLICY_FIELDS = frozenset({"review_points", "late_review_fraction", "presentation_points"})


def _finite(field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError({field: "a number is required"})
    return float(value)


@transaction.atomic
def presentation_grade_set(
    *,
    course: Course,
    group_id: int,
    score: float,
    comment: str = "",
    actor: User | None = None,
) -> PresentationGrade:
    """Set (or replace) the score of a presenter group of `course`, out of the policy's points.

    A group of another course is refused as if it did not exist: its id says nothing.
    """
    group = PresenterGroup.objects.filter(course=course, pk=group_id).first()
    if group is None:
        raise ValidationError({"group": f"no presenter group {group_id} in this course"})
    score = _finite("score", score)
    maximum = grade_policy_get(course=course).presentation_points
    if not 0 <= score <= maximum:
        raise ValidationError({"score": f"must be between 0 and {maximum:g}"})
    grade = PresentationGrade.objects.select_for_update().filter(
        group=group
    ).first() or PresentationGrade(course=course, group=group)
    grade.score = score
    grade.comment = comment
    grade.graded_by = actor if actor is not None and actor.is_authenticated else None
    grade.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            grade.save()
    except IntegrityError:
        # Another staff member scored the same group at the same moment.
        raise ValidationError(
            {"group": "this group was scored by someone else just now; reload and retry"}
        ) from None
    return grade


@transaction.atomic
def presentation_grade_delete(*, course: Course, group_id: int) -> None:
    deleted, _ = PresentationGrade.objects.filter(course=course, group_id=group_id).delete()
    if not deleted:
        raise ValidationError({"group": f"presenter group {group_id} has no score to remove"})


@transaction.atomic
def grade_policy_update(*, course: Course, **fields: Any) -> GradePolicy:
    unknown = set(fields) - POLICY_FIELDS
    if unknown:
        raise TypeError(f"unknown policy fields: {sorted(unknown)}")
    policy = GradePolicy.objects.select_for_update().filter(course=course).first()
    policy = policy or GradePolicy(course=course)
    for name, value in fields.items():
        setattr(policy, name, _finite(name, value))
    highest = (
        PresentationGrade.objects.filter(course=course)
        .order_by("-score")
        .values_list("score", flat=True)
        .first()
    )
    if highest is not None and policy.presentation_points < highest:
        raise ValidationError(
            {"presentation_points": f"a group already has {highest:g} points; keep at least that"}
        )
    policy.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError:
        # Another staff member saved the course's first policy at the same moment.
        raise ValidationError(
            {"non_field_errors": "the policy was changed by someone else just now; retry"}
        ) from None
    return policy
