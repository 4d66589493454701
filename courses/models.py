from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from courses.academic_calendar import ExceptionKind, NoClassReason, is_time_zone


def validate_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise ValidationError(f"{value!r} is not an IANA time zone such as America/New_York")


class Course(models.Model):
    code = models.CharField(max_length=32, help_text='For example "CS 7643".')
    title = models.CharField(max_length=200)
    term = models.CharField(max_length=64, help_text='For example "Fall 2017".')
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    first_day = models.DateField(help_text="First day of classes.")
    last_day = models.DateField(help_text="Last day of classes.")
    # Weekday numbers, Monday = 0 (Tue/Thu is [1, 3]).
    meeting_days = models.JSONField(default=list)
    meeting_start = models.TimeField()
    meeting_end = models.TimeField()
    presenters_per_class = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    # The presentation window: no presentation is scheduled before the first or after the last
    # of these dates (either may be unset: from the first / until the last day of classes).
    presentations_start = models.DateField(null=True, blank=True)
    presentations_end = models.DateField(null=True, blank=True)
    # Review guidance never blocks a submission unless the course asks students to acknowledge
    # open findings first.
    reviews_require_acknowledgement = models.BooleanField(default=False)
    # Presenters attach their slides at the latest this many hours before their session starts.
    slides_due_hours_before = models.PositiveSmallIntegerField(
        default=24, validators=[MaxValueValidator(24 * 14)]
    )
    # A past term kept for the record: listed apart, under "Archived", on the home page.
    archived = models.BooleanField(default=False)
    # The assignment columns of the last Canvas grades export imported as a roster, as Canvas
    # titled them ("Quiz 1 (87568490)"): the Canvas export names a grade column after the one of
    # the same title, so that Canvas's gradebook import updates that assignment.
    lms_columns = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-first_day", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "term"], name="course_code_term_unique"),
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="course_term_not_reversed",
            ),
            models.CheckConstraint(
                condition=models.Q(meeting_end__gt=models.F("meeting_start")),
                name="course_meeting_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.term})"


class Role(models.TextChoices):
    STUDENT = "student", "Student"
    TA = "ta", "Teaching assistant"
    INSTRUCTOR = "instructor", "Instructor"
    AUTOGRADER = "autograder", "Autograder"


STAFF_ROLES = frozenset({Role.TA, Role.INSTRUCTOR})


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    # Dropped students are deactivated, never deleted: their work and grades stay on record.
    is_active = models.BooleanField(default=True)
    # From the registrar's roster (Canvas "SIS User ID", Gradescope "SID"), per course.
    sis_id = models.CharField("SIS id", max_length=64, blank=True)
    section = models.CharField(max_length=100, blank=True)
    # The rest of the LMS identity, kept exactly as the roster file wrote it so that the grade
    # export gives it back unchanged: Canvas "SIS Login ID", Canvas "ID" (its own user id) and
    # the "Student" cell ("Last, First").
    sis_login_id = models.CharField("SIS login id", max_length=255, blank=True)
    lms_user_id = models.CharField("LMS user id", max_length=32, blank=True)
    lms_name = models.CharField("name in the LMS", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"], name="membership_user_course_unique"
            ),
            models.UniqueConstraint(
                fields=["course", "sis_id"],
                condition=~models.Q(sis_id=""),
                name="membership_course_sis_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["course", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.course}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES


class CalendarException(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="calendar_exceptions")
    date = models.DateField()
    kind = models.CharField(
        max_length=16, choices=[(k.value, k.value.replace("_", " ")) for k in ExceptionKind]
    )
    reason = models.CharField(
        max_length=16,
        blank=True,
        choices=[(r.value, r.value) for r in NoClassReason],
        help_text="For no_class only: holiday, break or cancelled.",
    )
    title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["course", "date"], name="exception_course_date_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.kind} {self.title}".strip()


class Announcement(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, max_length=10_000)
    pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pinned", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the key is shown once, at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
