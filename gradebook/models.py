"""What the gradebook stores: only what no other app records.

Convlab scores and review lateness live in their own apps and are read from there; the
gradebook adds the course's grading policy and the staff-entered presentation scores.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from courses.models import Course
from presentations.models import PresenterGroup

DEFAULT_REVIEW_POINTS = 1.0
DEFAULT_LATE_REVIEW_FRACTION = 0.5
DEFAULT_PRESENTATION_POINTS = 10.0


class GradePolicy(models.Model):
    """How reviews and presentations turn into points; a course without a row uses the defaults.

    Reviews: every paper whose review deadline has passed is worth `review_points`; an on-time
    review earns all of them, a late one `late_review_fraction` of them, none earns nothing.
    Presentations: staff enter a score out of `presentation_points` per presenter group.
    """

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="grade_policy")
    review_points = models.FloatField(
        default=DEFAULT_REVIEW_POINTS, validators=[MinValueValidator(0), MaxValueValidator(1000)]
    )
    late_review_fraction = models.FloatField(
        default=DEFAULT_LATE_REVIEW_FRACTION,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    presentation_points = models.FloatField(
        default=DEFAULT_PRESENTATION_POINTS,
        validators=[MinValueValidator(0.01), MaxValueValidator(1000)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(late_review_fraction__gte=0, late_review_fraction__lte=1),
                name="policy_late_fraction_0_to_1",
            ),
            models.CheckConstraint(
                condition=models.Q(review_points__gte=0, presentation_points__gt=0),
                name="policy_points_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"grade policy of {self.course}"


class PresentationGrade(models.Model):
    """A staff-entered score for a presenter group; every member of the group gets it."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    group = models.OneToOneField(
        PresenterGroup, on_delete=models.CASCADE, related_name="presentation_grade"
    )
    score = models.FloatField(validators=[MinValueValidator(0)])
    comment = models.TextField(blank=True, max_length=2_000)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0), name="presentation_score_gte_0"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.score:g}"
