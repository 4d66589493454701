"""Permission classes by course role, for views whose URL carries `course_id`.

Anonymous callers get 401; signed-in users who are not members get 404 (the course's existence
is not revealed); members without the needed role get 403.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from courses.models import STAFF_ROLES, Membership, Role
from courses.selectors import membership_get


def request_membership(request: Request, view: Any) -> Membership:
    """The caller's membership in the course of the URL, looked up once per request."""
    membership = getattr(request, "course_membership", None)
    if membership is None:
        membership = membership_get(user=request.user, course_id=view.kwargs["course_id"])
        # Kept on the request for the view, which asks again; HttpRequest declares no such field.
        request.course_membership = membership  # type: ignore[attr-defined]
    return membership


class CourseRolePermission(BasePermission):
    """Members of the course read; members whose role is in `write_roles` also write."""

    write_roles: frozenset[str] = frozenset()

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user.is_authenticated:
            return False
        membership = request_membership(request, view)
        return request.method in SAFE_METHODS or membership.role in self.write_roles


class IsCourseMember(CourseRolePermission):
    write_roles = frozenset(Role.values)


class IsCourseStaffOrReadOnly(CourseRolePermission):
    message = "Only the course's TAs and instructors may change this."
    write_roles = STAFF_ROLES


class IsCourseInstructorOrReadOnly(CourseRolePermission):
    message = "Only the course's instructors may change this."
    write_roles = frozenset({Role.INSTRUCTOR})


class IsCourseInstructor(CourseRolePermission):
    """Only the course's instructors, for reads too (who its staff are, say)."""

    message = "Only the course's instructors may see or change this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user.is_authenticated:
            return False
        return request_membership(request, view).role == Role.INSTRUCTOR


def require_staff(membership: Membership) -> None:
    """For an action inside a member-readable view that only TAs and instructors may take."""
    if not membership.is_staff_role:
        raise PermissionDenied("Only the course's TAs and instructors may do this.")
