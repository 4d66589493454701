"""The course settings page (issue #16): an instructor changes what students see of the course
(code, title, term) and its defaults for presentations and reviews. TAs and students get a 403,
people outside the course a 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render

from courseportal.types import AuthenticatedHttpRequest
from courses import selectors, services
from courses.models import Course, Role

# The settings this page changes; the calendar (days, times, exceptions) has its own page.
FIELDS = (
    "code",
    "title",
    "term",
    "presenters_per_class",
    "slides_due_hours_before",
    "reviews_require_acknowledgement",
)


class CourseSettingsForm(forms.Form):
    code = forms.CharField(max_length=32, label="Course code", help_text='For example "CS 7643".')
    title = forms.CharField(max_length=200, label="Course title")
    term = forms.CharField(max_length=64, label="Term", help_text='For example "Fall 2026".')
    presenters_per_class = forms.IntegerField(
        min_value=1,
        max_value=50,
        label="Presenters per class",
        help_text="How many students present in one class; the scheduler fills this many seats.",
    )
    slides_due_hours_before = forms.IntegerField(
        min_value=0,
        max_value=24 * 14,
        label="Slides due (hours before the class)",
        help_text="Presenters attach their slides at the latest this many hours before class.",
    )
    reviews_require_acknowledgement = forms.BooleanField(
        required=False,
        label="Students confirm they read the writing guidance before submitting a review",
        help_text="Off: the guidance only advises and never blocks a submission.",
    )


def _require_instructor(role: str) -> None:
    if role != Role.INSTRUCTOR:
        raise PermissionDenied("Only the course's instructors change its settings.")


def _save(course: Course, form: CourseSettingsForm) -> bool:
    """Save the form's values; on a refusal put it on the form, naming the field, and keep
    nothing of it."""
    try:
        with transaction.atomic():
            services.course_update(course=course, **form.cleaned_data)
    except ValidationError as error:
        course.refresh_from_db()
        for field, problems in error.message_dict.items():
            if field == NON_FIELD_ERRORS and any("Code and Term" in p for p in problems):
                form.add_error(
                    "term", "Another course already has this code in this term; change one."
                )
            else:
                form.add_error(field if field in form.fields else None, problems)
        return False
    return True


@login_required
def course_settings(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    membership = selectors.membership_get(user=request.user, course_id=course_id)
    _require_instructor(membership.role)
    course = membership.course
    form = CourseSettingsForm(initial={name: getattr(course, name) for name in FIELDS})
    status = 200
    if request.method == "POST":
        form = CourseSettingsForm(request.POST)
        if form.is_valid() and _save(course, form):
            messages.success(request, f"Settings of {course.code} ({course.term}) saved.")
            return redirect("course-settings", course_id=course_id)
        status = 400
    context = {"course": course, "membership": membership, "form": form}
    return render(request, "courses/course_settings.html", context, status=status)
