"""Pages of the gradebook: the staff gradebook with its downloads and presentation scoring,
a student's grade detail, and the staff home of a course."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from courseportal.health import health_report_latest
from courseportal.types import AuthenticatedHttpRequest
from courses.models import Membership, Role
from courses.selectors import membership_get
from gradebook import charts, exports, panels, selectors, services
from gradebook.apis import csv_response
from gradebook.forms import PresentationGradeForm


def _staff_membership(request: HttpRequest, course_id: int) -> Membership:
    membership = membership_get(user=request.user, course_id=course_id)
    if not membership.is_staff_role:
        raise PermissionDenied("Only the course's TAs and instructors see this page.")
    return membership


def _gradebook_page(
    request: HttpRequest, membership: Membership, form: PresentationGradeForm | None = None
) -> HttpResponse:
    course = membership.course
    book = selectors.gradebook_compute(course=course, now=timezone.now())
    context: dict[str, Any] = {
        "course": course,
        "membership": membership,
        "book": book,
        "rows": [
            {"student": s, "cells": [s.scores.get(c.key) for c in book.columns]}
            for s in book.students
        ],
        "policy": selectors.grade_policy_get(course=course),
        "groups": selectors.presentation_group_list(course=course),
        "charts": [
            charts.histogram(
                title=c.title,
                scores=[s.scores[c.key] for s in book.students if c.key in s.scores],
                points_possible=c.points_possible,
            )
            for c in book.columns
        ],
        "form": form,
    }
    return render(request, "gradebook/gradebook.html", context, status=400 if form else 200)


@login_required
def gradebook(request: HttpRequest, course_id: int) -> HttpResponse:
    return _gradebook_page(request, _staff_membership(request, course_id))


@login_required
def grade_export(request: HttpRequest, course_id: int, kind: str) -> HttpResponse:
    membership = _staff_membership(request, course_id)
    course = membership.course
    book = selectors.gradebook_compute(course=course, now=timezone.now())
    if kind == "canvas":
        body = exports.canvas_csv(course=course, book=book)
    elif kind == "gradescope":
        body = exports.gradescope_csv(book=book)
    else:
        raise Http404("No such export.")
    return csv_response(body, exports.export_filename(course, kind))


@login_required
@require_POST
def presentation_grade(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    membership = _staff_membership(request, course_id)
    form = PresentationGradeForm(request.POST)
    if form.is_valid():
        try:
            data = form.cleaned_data
            grade = services.presentation_grade_set(
                course=membership.course,
                group_id=data["group"],
                score=data["score"],
                comment=data["comment"],
                actor=request.user,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"{grade.group.name}: {grade.score:g} points saved.")
            return redirect("gradebook", course_id=course_id)
    return _gradebook_page(request, membership, form)


@login_required
def student_grades(request: HttpRequest, course_id: int, student_id: int) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    book, student = selectors.student_grades_get(
        membership=membership, student_id=student_id, now=timezone.now()
    )
    return render(
        request,
        "gradebook/student.html",
        {
            "course": membership.course,
            "membership": membership,
            "student": student,
            "totals": [(c, student.scores.get(c.key)) for c in book.columns],
        },
    )


@login_required
def my_grades(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    if membership.role != Role.STUDENT:
        raise PermissionDenied("Only students have grades in a course.")
    return redirect("student-grades", course_id=course_id, student_id=request.user.pk)


@login_required
def staff_home(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = _staff_membership(request, course_id)
    course = membership.course
    now = timezone.now()
    # The latest report /healthz/ready kept: the page never waits on a worker itself.
    health = health_report_latest()
    context = {
        "course": course,
        "membership": membership,
        "now": now,
        "outlook": selectors.class_outlook(course=course, now=now),
        "reviews": selectors.review_figures(course=course, now=now),
        "grading": selectors.grading_figures(course=course, now=now),
        "health": health,
        "health_checked_at": dt.datetime.fromisoformat(health["checked_at"]) if health else None,
        "changes": selectors.recent_schedule_changes(course=course),
    }
    return render(request, "gradebook/staff_home.html", context)


@login_required
def course_panel(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    """The course home's panel (htmx): what is due for a student, what needs the staff."""
    membership = membership_get(user=request.user, course_id=course_id)
    course, now = membership.course, timezone.now()
    context: dict[str, Any] = {"course": course, "membership": membership, "now": now}
    if membership.is_staff_role:
        context["attention"] = panels.needs_attention(course=course, now=now)
    elif membership.role == Role.STUDENT:
        context["due"] = panels.whats_due(course=course, user=request.user, now=now)
    return render(request, "gradebook/_course_panel.html", context)
