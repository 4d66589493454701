"""Small factories for tests: plain functions over the services, with sensible defaults."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from courses import services
from courses.models import Course

PASSWORD = "correct horse battery staple"


def make_course(**overrides: Any) -> Course:
    """CS 7643 Fall 2017 as in the seed lecture (Tue/Thu, 2017-08-22 to 2017-12-07)."""
    fields: dict[str, Any] = {
        "code": "CS 7643",
        "title": "Deep Learning",
        "term": "Fall 2017",
        "time_zone": "America/New_York",
        "first_day": dt.date(2017, 8, 22),
        "last_day": dt.date(2017, 12, 7),
        "meeting_days": ["Tue", "Thu"],
        "meeting_start": dt.time(16, 30),
        "meeting_end": dt.time(17, 45),
    }
    fields.update(overrides)
    for key in ("first_day", "last_day"):
        if isinstance(fields[key], str):
            fields[key] = dt.date.fromisoformat(fields[key])
    return services.course_create(**fields)


def make_user(username: str, **extra: Any) -> Any:
    user_model = get_user_model()
    return user_model.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.edu", **extra
    )


def make_member(course: Course, username: str, role: str) -> Any:
    user = make_user(username)
    services.membership_set(course=course, user=user, role=role)
    return user
