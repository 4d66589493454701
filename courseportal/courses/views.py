"""Pages of the course core."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from courseportal.courses import selectors
from courseportal.courses.academic_calendar import first_presentation_session_after


@login_required
def home(request: HttpRequest) -> HttpResponse:
    courses = list(selectors.course_list_for_user(user=request.user))
    if len(courses) == 1:
        return redirect("course-home", course_id=courses[0].pk)
    return render(request, "courses/home.html", {"courses": courses})


@login_required
def course_home(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = selectors.membership_get(user=request.user, course_id=course_id)
    course = membership.course
    now = timezone.now()
    sessions = selectors.course_sessions(course=course)
    upcoming = [s for s in sessions if s.ends_at > now][:5]
    next_presentations = first_presentation_session_after(sessions, timezone.localdate(now))
    context = {
        "course": course,
        "membership": membership,
        "announcements": selectors.announcement_list(course=course)[:10],
        "upcoming": upcoming,
        "term_over": bool(sessions) and not upcoming,
        "next_presentations": next_presentations,
        "changes": [s for s in sessions if s.exception is not None],
    }
    return render(request, "courses/course_home.html", context)


@login_required
def course_calendar(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = selectors.membership_get(user=request.user, course_id=course_id)
    course = membership.course
    context = {
        "course": course,
        "membership": membership,
        "sessions": selectors.course_sessions(course=course),
        "pattern": selectors.course_pattern(course=course),
    }
    return render(request, "courses/course_calendar.html", context)
