from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courses import academic_calendar as cal
from courses.models import (
    Announcement,
    CalendarException,
    Course,
    Membership,
    validate_time_zone,
)
from courses.people import display_name


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "enum": list(cal.WEEKDAY_NAMES)},
        "example": ["Tue", "Thu"],
    }
)
class WeekdayListField(serializers.Field):
    """A weekday list in, ["Tue", "Thu"] out. Accepts names ("Tue", "thursday") or 0-6."""

    default_error_messages = {"invalid": "{message}"}

    def to_internal_value(self, data: Any) -> list[int]:
        try:
            return sorted(cal.parse_weekdays(data))
        except ValueError as error:
            self.fail("invalid", message=str(error))
            raise  # unreachable: fail() raises

    def to_representation(self, value: list[int]) -> list[str]:
        return [cal.WEEKDAY_NAMES[day] for day in sorted(value)]


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
        "example": "16:30:00",
    }
)
class WallClockTimeField(serializers.TimeField):
    """A time of day on the course's clock ("16:30:00"). OpenAPI's "time" format is RFC 3339's,
    which requires a UTC offset; a meeting time has none, its zone is the course's."""


class CourseOutput(serializers.ModelSerializer):
    meeting_days = WeekdayListField()
    meeting_start = WallClockTimeField()
    meeting_end = WallClockTimeField()
    role = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = [
            "id",
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
            "reviews_require_acknowledgement",
            "slides_due_hours_before",
            "role",
        ]

    def get_role(self, course: Course) -> str | None:
        roles: dict[int, str] = self.context.get("roles", {})
        return roles.get(course.pk)


class CourseInput(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    title = serializers.CharField(max_length=200)
    term = serializers.CharField(max_length=64)
    time_zone = serializers.CharField(max_length=64, validators=[validate_time_zone])
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    meeting_days = WeekdayListField()
    meeting_start = WallClockTimeField()
    meeting_end = WallClockTimeField()
    presenters_per_class = serializers.IntegerField(min_value=1, max_value=50, required=False)
    reviews_require_acknowledgement = serializers.BooleanField(required=False)
    slides_due_hours_before = serializers.IntegerField(
        min_value=0, max_value=24 * 14, required=False
    )


class SessionOutput(serializers.Serializer):
    date = serializers.DateField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    number = serializers.IntegerField(allow_null=True)
    meets = serializers.BooleanField()
    has_papers = serializers.BooleanField()
    has_presentations = serializers.BooleanField()
    # A field named like Field.label: DRF's metaclass takes declared fields off the class.
    label = serializers.CharField()  # type: ignore[assignment]
    exception_kind = serializers.CharField(source="exception.kind", allow_null=True, default=None)
    exception_title = serializers.CharField(source="exception.title", allow_null=True, default=None)


class CalendarExceptionOutput(serializers.ModelSerializer):
    class Meta:
        model = CalendarException
        fields = ["id", "date", "kind", "reason", "title", "created_at", "updated_at"]


class CalendarExceptionInput(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=[k.value for k in cal.ExceptionKind])
    reason = serializers.ChoiceField(
        choices=[r.value for r in cal.NoClassReason], required=False, allow_blank=True
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AnnouncementOutput(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_full_name", allow_null=True, default=None)

    class Meta:
        model = Announcement
        fields = ["id", "title", "body", "pinned", "author", "created_at", "updated_at"]


class AnnouncementInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    pinned = serializers.BooleanField(required=False)


class TokenOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The first characters of the key, to recognise it.")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)


class TokenInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)


class StaffOutput(serializers.Serializer):
    """A TA or instructor of the course (their membership)."""

    id = serializers.IntegerField(help_text="The membership: DELETE .../staff/{id}/ removes it.")
    username = serializers.CharField(source="user.username")
    name = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=["ta", "instructor"])

    def get_name(self, membership: Membership) -> str:
        return display_name(membership.user)


class StaffInput(serializers.Serializer):
    who = serializers.CharField(
        max_length=254, help_text="The username or e-mail of an existing account."
    )
    role = serializers.ChoiceField(choices=["ta", "instructor"], default="ta")
