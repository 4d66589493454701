from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from courses.permissions import request_membership


class IsCourseStaff(BasePermission):
    """TAs and instructors of the course of the URL, for every method (non-members get 404)."""

    message = "Only the course's TAs and instructors may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user.is_authenticated:
            return False
        return request_membership(request, view).is_staff_role
