"""`{% load course_nav %}` then `{% course_nav %}`: the course's navigation and breadcrumbs.

Shown on every page whose context has a ``course`` the signed-in user is a member of: Home,
Calendar, Papers, Presentations, Labs, Grades, and Staff for its TAs and instructors, with the
section of the current page marked (``aria-current="page"``).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import Http404
from django.urls import reverse

from courses.models import Membership
from courses.selectors import membership_get

register = template.Library()

# The section a page belongs to, by the first words of its URL name.
_SECTIONS = (
    ("course-calendar", "calendar"),
    ("course-home", "home"),
    ("course-settings", "staff"),
    ("course-staff", "staff"),
    ("announcement", "staff"),
    ("paper", "papers"),
    ("review", "papers"),
    ("presentation", "presentations"),
    ("lab", "labs"),
    ("submission", "labs"),
    ("my-grades", "grades"),
    ("student-grades", "grades"),
    ("gradebook", "grades"),
    ("staff", "staff"),
    ("roster", "staff"),
    ("job", "staff"),
    ("lti", "staff"),
)


def section_of(url_name: str | None) -> str | None:
    """The navigation section of the page named ``url_name`` ("paper-detail" -> "papers")."""
    if not url_name:
        return None
    for prefix, section in _SECTIONS:
        if url_name.startswith(prefix):
            return section
    return None


@register.inclusion_tag("courses/_course_nav.html", takes_context=True)
def course_nav(context: template.Context) -> dict[str, Any]:
    course = context.get("course")
    request = context.get("request")
    if course is None or request is None:
        return {"items": []}
    membership = context.get("membership")
    if not isinstance(membership, Membership) or membership.course_id != course.pk:
        try:
            membership = membership_get(user=request.user, course_id=course.pk)
        except Http404:
            return {"items": []}
    staff = membership.is_staff_role
    kwargs = {"course_id": course.pk}
    items = [
        ("home", "Home", reverse("course-home", kwargs=kwargs)),
        ("calendar", "Calendar", reverse("course-calendar", kwargs=kwargs)),
        ("papers", "Papers", reverse("paper-list", kwargs=kwargs)),
        ("presentations", "Presentations", reverse("presentations", kwargs=kwargs)),
        ("labs", "Labs", reverse("labs", kwargs=kwargs)),
        ("grades", "Grades", reverse("gradebook" if staff else "my-grades", kwargs=kwargs)),
    ]
    if staff:
        items.append(("staff", "Staff", reverse("staff-home", kwargs=kwargs)))
    match = getattr(request, "resolver_match", None)
    current = section_of(match.url_name if match else None)
    return {
        "course": course,
        "items": [
            {"label": label, "url": url, "current": key == current} for key, label, url in items
        ],
        "current_label": next((label for key, label, _ in items if key == current), None),
    }
