from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.models import Membership


def csv_file(text: str | bytes, name: str = "roster.csv") -> SimpleUploadedFile:
    content = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, content, content_type="text/csv")


def roster_url(course: Any, action: str) -> str:
    return f"/api/v1/courses/{course.pk}/roster/{action}/"


def upload(api: Any, course: Any, text: str | bytes, action: str = "preview") -> Any:
    return api.post(roster_url(course, action), {"file": csv_file(text)}, format="multipart")


def snapshot() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every account and membership, all columns: equal snapshots mean nothing changed."""
    users = list(get_user_model().objects.order_by("pk").values_list())
    memberships = list(Membership.objects.order_by("pk").values_list())
    return users, memberships


def membership_of(course: Any, email: str) -> Membership:
    return Membership.objects.select_related("user").get(course=course, user__email=email)
