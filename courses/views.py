"""Pages of the course core."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from courseportal.types import AuthenticatedHttpRequest
from courses import selectors, services
from courses.academic_calendar import first_presentation_session_after
from courses.forms import (
    AnnouncementForm,
    CalendarExceptionForm,
    NewAnnouncementForm,
    StaffAddForm,
    TokenForm,
)
from courses.models import Announcement, CalendarException, Membership, Role
from courses.month_grid import month_grid
from courses.people import display_name
from courses.selectors import calendar_exception_to_core
from courses.services import api_token_create, api_token_revoke
from courses.signals import CalendarMove


@login_required
def home(request: HttpRequest) -> HttpResponse:
    courses = list(selectors.course_list_for_user(user=request.user))
    if len(courses) == 1:
        return redirect("course-home", course_id=courses[0].pk)
    # Current terms first; past terms kept for the record under their own heading.
    context = {
        "courses": [c for c in courses if not c.archived],
        "archived": [c for c in courses if c.archived],
    }
    return render(request, "courses/home.html", context)


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
def course_calendar(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    """Every class date; staff also add and remove calendar exceptions here. A change that would
    move presenter groups of the published schedule is first shown with those groups, and only
    made once confirmed (see `_moves_to_confirm`)."""
    membership = selectors.membership_get(user=request.user, course_id=course_id)
    form = CalendarExceptionForm()
    status = 200
    if request.method == "POST":
        _require_staff(membership)
        form = CalendarExceptionForm(request.POST)
        confirmation = _moves_to_confirm(request, membership, form)
        if confirmation is not None:
            return confirmation
        if _exception_add(request, membership, form):
            return redirect("course-calendar", course_id=course_id)
        status = 400
    return render(
        request, "courses/course_calendar.html", _calendar_context(membership, form), status=status
    )


def _moves_signature(moves: list[CalendarMove]) -> str:
    return ";".join(f"{m.group}|{m.from_date}|{m.to_date or ''}" for m in moves)


def _moves_to_confirm(
    request: AuthenticatedHttpRequest, membership: Membership, form: CalendarExceptionForm
) -> HttpResponse | None:
    """The confirmation page when the change would move presenter groups and the staff member
    has not yet confirmed exactly these moves; None when the change can go ahead (or the form
    is invalid, which `_exception_add` reports)."""
    if not form.is_valid():
        return None
    try:
        moves = services.calendar_exception_moves(course=membership.course, **form.cleaned_data)
    except ValidationError:
        return None  # _exception_add names the field
    signature = _moves_signature(moves)
    confirmed = request.POST.get("confirm") == "yes"
    if not moves or (confirmed and request.POST.get("moves") == signature):
        return None
    day = form.cleaned_data["date"]
    exception = CalendarException(course=membership.course, **form.cleaned_data)
    context = {
        "course": membership.course,
        "membership": membership,
        "day": day,
        "label": calendar_exception_to_core(exception).label,
        "moves": moves,
        "moved": [m for m in moves if m.to_date is not None],
        "unplaced": [m for m in moves if m.to_date is None],
        "signature": signature,
        "fields": form.cleaned_data,
        # Confirmed, but the schedule changed in between: these are the moves as they are now.
        "changed": confirmed,
    }
    return render(request, "courses/calendar_confirm.html", context)


def _require_staff(membership: Membership) -> None:
    if not membership.is_staff_role:
        raise PermissionDenied("Only the course's staff change its calendar.")


def _exception_add(
    request: AuthenticatedHttpRequest, membership: Membership, form: CalendarExceptionForm
) -> bool:
    """True when the exception is saved; otherwise the form carries the errors."""
    if not form.is_valid():
        return False
    try:
        exception = services.calendar_exception_create(
            course=membership.course, actor=request.user, **form.cleaned_data
        )
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return False
    label = calendar_exception_to_core(exception).label
    messages.success(request, f"{exception.date:%a, %b} {exception.date.day} is now: {label}.")
    return True


def _calendar_context(membership: Membership, form: CalendarExceptionForm) -> dict[str, Any]:
    course = membership.course
    ids = {e.date: e.pk for e in selectors.calendar_exception_list(course=course)}
    sessions = selectors.course_sessions(course=course)
    return {
        "course": course,
        "membership": membership,
        # (session, the id of its calendar exception or None): staff get a remove button.
        "rows": [(s, ids.get(s.date)) for s in sessions],
        "pattern": selectors.course_pattern(course=course),
        "months": month_grid(
            first_day=course.first_day,
            last_day=course.last_day,
            sessions=sessions,
            today=timezone.localdate(timezone.now(), ZoneInfo(course.time_zone)),
        ),
        "form": form,
    }


@login_required
@require_POST
def course_calendar_exception_delete(
    request: AuthenticatedHttpRequest, course_id: int, exception_id: int
) -> HttpResponse:
    membership = selectors.membership_get(user=request.user, course_id=course_id)
    _require_staff(membership)
    exception = get_object_or_404(
        selectors.calendar_exception_list(course=membership.course), pk=exception_id
    )
    services.calendar_exception_delete(exception=exception, actor=request.user)
    messages.success(request, f"{exception.date:%a, %b} {exception.date.day}: class as usual.")
    return redirect("course-calendar", course_id=course_id)


def _require_announcer(membership: Membership) -> None:
    if not membership.is_staff_role:
        raise PermissionDenied("Only the course's TAs and instructors post announcements.")


def _form_errors_from(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, on the field it names where there is one."""
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@login_required
def announcements(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    """Staff post announcements here and find the ones to edit or delete."""
    membership = selectors.membership_get(user=request.user, course_id=course_id)
    _require_announcer(membership)
    course = membership.course
    form = NewAnnouncementForm()
    status = 200
    if request.method == "POST":
        form = NewAnnouncementForm(request.POST)
        if form.is_valid():
            try:
                services.announcement_create(
                    course=course, author=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                _form_errors_from(form, error)
            else:
                mailed = ""
                if form.cleaned_data["mail_class"]:
                    mailed = " " + _mail_is_being_sent(course)
                messages.success(request, f"Announcement posted.{mailed}")
                return redirect("announcements", course_id=course_id)
        status = 400
    context = {
        "course": course,
        "membership": membership,
        "form": form,
        "announcements": selectors.announcement_list(course=course),
    }
    return render(request, "courses/announcements.html", context, status=status)


def _mail_is_being_sent(course: Any) -> str:
    """What the page says while a worker e-mails the class (courses.tasks)."""
    recipients = services.announcement_recipients(course=course)
    students = recipients.filter(role=Role.STUDENT).values("user__email").distinct().count()
    return (
        f"Mail is being sent to {students} student{'' if students == 1 else 's'} "
        "and the course staff; it can take a minute to arrive."
    )


def _announcement_get(membership: Membership, announcement_id: int) -> Announcement:
    return get_object_or_404(
        selectors.announcement_list(course=membership.course), pk=announcement_id
    )


@login_required
def announcement_edit(
    request: AuthenticatedHttpRequest, course_id: int, announcement_id: int
) -> HttpResponse:
    membership = selectors.membership_get(user=request.user, course_id=course_id)
    _require_announcer(membership)
    announcement = _announcement_get(membership, announcement_id)
    fields = {"title": announcement.title, "body": announcement.body, "pinned": announcement.pinned}
    form = AnnouncementForm(initial=fields)
    status = 200
    if request.method == "POST":
        form = AnnouncementForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.announcement_update(announcement=announcement, **form.cleaned_data)
            except ValidationError as error:
                _form_errors_from(form, error)
            else:
                messages.success(request, f"Announcement “{announcement.title}” saved.")
                return redirect("announcements", course_id=course_id)
        status = 400
    context = {"course": membership.course, "announcement": announcement, "form": form}
    return render(request, "courses/announcement_edit.html", context, status=status)


@login_required
def announcement_delete(
    request: AuthenticatedHttpRequest, course_id: int, announcement_id: int
) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    membership = selectors.membership_get(user=request.user, course_id=course_id)
    _require_announcer(membership)
    announcement = _announcement_get(membership, announcement_id)
    if request.method == "POST":
        services.announcement_delete(announcement=announcement)
        messages.success(request, f"Announcement “{announcement.title}” deleted.")
        return redirect("announcements", course_id=course_id)
    context = {
        "course": membership.course,
        "title": "Delete this announcement?",
        "question": f"“{announcement.title}” will disappear from the course page. "
        "E-mails already sent cannot be called back.",
        "confirm": "Delete the announcement",
        "cancel_url": reverse("announcements", args=[course_id]),
    }
    return render(request, "courses/confirm.html", context)


def _require_instructor(membership: Membership) -> None:
    if membership.role != Role.INSTRUCTOR:
        raise PermissionDenied(
            "Only the course's instructors change who its TAs and instructors are."
        )


def _staff_page(
    request: AuthenticatedHttpRequest,
    membership: Membership,
    form: StaffAddForm,
    *,
    status: int = 200,
    refusal: str = "",
) -> HttpResponse:
    course = membership.course
    staff = list(selectors.staff_list(course=course))
    context = {
        "course": course,
        "membership": membership,
        "form": form,
        "staff": staff,
        "instructors": sum(1 for m in staff if m.role == Role.INSTRUCTOR),
        "refusal": refusal,
    }
    return render(request, "courses/course_staff.html", context, status=status)


@login_required
def course_staff(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    """The course's instructors and TAs; an instructor adds and removes TAs and instructors."""
    membership = selectors.membership_get(user=request.user, course_id=course_id)
    _require_instructor(membership)
    course = membership.course
    form = StaffAddForm()
    if request.method == "POST":
        form = StaffAddForm(request.POST)
        if form.is_valid():
            try:
                added = services.membership_add_staff(
                    course=course, who=form.cleaned_data["who"], role=form.cleaned_data["role"]
                )
            except ValidationError as error:
                _form_errors_from(form, error)
            else:
                name = display_name(added.user)
                as_role = services.STAFF_ROLE_NAMES[Role(added.role)]
                messages.success(request, f"{name} is now {as_role} of {course.code}.")
                return redirect("course-staff", course_id=course_id)
        return _staff_page(request, membership, form, status=400)
    return _staff_page(request, membership, form)


@login_required
def course_staff_remove(
    request: AuthenticatedHttpRequest, course_id: int, membership_id: int
) -> HttpResponse:
    """GET asks for confirmation; POST removes the TA or instructor. The course's only
    instructor is not removed: both answer 400 on the staff page, saying why."""
    membership = selectors.membership_get(user=request.user, course_id=course_id)
    _require_instructor(membership)
    course = membership.course
    target = get_object_or_404(selectors.staff_list(course=course), pk=membership_id)
    name = display_name(target.user)
    as_role = services.STAFF_ROLE_NAMES[Role(target.role)]
    if target.role == Role.INSTRUCTOR and (
        selectors.staff_list(course=course).filter(role=Role.INSTRUCTOR).count() < 2
    ):
        refusal = (
            f"{name} is the only instructor of {course.code}, so they cannot be removed: "
            "add another instructor first."
        )
        return _staff_page(request, membership, StaffAddForm(), status=400, refusal=refusal)
    if request.method == "POST":
        try:
            services.membership_remove_staff(membership=target)
        except ValidationError as error:  # the last instructor, removed by another meanwhile
            refusal = " ".join(m for ms in error.message_dict.values() for m in ms)
            return _staff_page(request, membership, StaffAddForm(), status=400, refusal=refusal)
        messages.success(request, f"{name} is no longer {as_role} of {course.code}.")
        if target.pk == membership.pk:  # an instructor who left the course's staff
            return redirect("home")
        return redirect("course-staff", course_id=course_id)
    yourself = target.pk == membership.pk
    context = {
        "course": course,
        "title": f"Remove {'yourself' if yourself else name} as {as_role}?",
        "question": (
            f"You will no longer see {course.code} or its staff pages; another instructor can "
            "add you again."
            if yourself
            else f"{name} will no longer see the staff pages of {course.code}. What they graded "
            "keeps their name. You can add them again later."
        ),
        "confirm": "Remove yourself" if yourself else f"Remove {name}",
        "cancel_url": reverse("course-staff", args=[course_id]),
    }
    return render(request, "courses/confirm.html", context)


@login_required
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """API tokens: create (the key is shown once) and revoke."""
    new_key = None
    form = TokenForm()
    if request.method == "POST":
        if "revoke" in request.POST:
            raw = str(request.POST["revoke"])
            valid = raw.isdigit() and len(raw) <= 18
            token = selectors.api_token_get(user=request.user, token_id=int(raw)) if valid else None
            if token is not None:
                api_token_revoke(token=token)
                messages.success(request, f"Token {token.name} revoked.")
            return redirect("account")
        form = TokenForm(request.POST)
        if form.is_valid():
            _, new_key = api_token_create(user=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
    tokens = selectors.api_token_list(user=request.user)
    return render(
        request, "courses/account.html", {"tokens": tokens, "form": form, "new_key": new_key}
    )
