"""Pages of staff jobs: the list, with a form per kind staff may start; one job, with progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from courseportal.types import AuthenticatedHttpRequest
from courses.models import Membership
from courses.selectors import membership_get
from jobs import registry, selectors, services


def _staff(request: HttpRequest, course_id: int) -> Membership:
    membership = membership_get(user=request.user, course_id=course_id)
    if not membership.is_staff_role:
        raise PermissionDenied("Jobs are for the course's staff.")
    return membership


@login_required
def job_list(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    """GET: recent jobs and a form for each kind staff may start. POST: start one (the form's
    `kind`; the only startable kind when it names none)."""
    membership = _staff(request, course_id)
    starters = registry.starters()
    posted = request.POST.get("kind") or next(iter(starters), None)
    if request.method == "POST" and posted not in starters:
        messages.error(request, f"There is no job kind {posted!r} to start.")
    forms = []
    for kind, starter in starters.items():
        data = request.POST if request.method == "POST" and kind == posted else None
        form = starter.form(data, course_id=course_id)
        if data is not None and form.is_valid():
            job = services.job_create(
                course=membership.course,
                kind=kind,
                created_by=request.user,
                input=starter.prepare(membership.course, form.cleaned_data),
            )
            return redirect("job", course_id=course_id, job_id=job.pk)
        forms.append((kind, starter, form))
    return render(
        request,
        "jobs/job_list.html",
        {
            "course": membership.course,
            "membership": membership,
            "forms": forms,
            "jobs": selectors.job_list(course=membership.course)[:50],
        },
        status=400 if request.method == "POST" else 200,
    )


def _job_context(request: HttpRequest, course_id: int, job_id: int) -> dict[str, object]:
    membership = _staff(request, course_id)
    job = selectors.job_get(course=membership.course, job_id=job_id)
    return {"course": membership.course, "membership": membership, "job": job}


@login_required
def job_page(request: HttpRequest, course_id: int, job_id: int) -> HttpResponse:
    return render(request, "jobs/job.html", _job_context(request, course_id, job_id))


@login_required
def job_progress(request: HttpRequest, course_id: int, job_id: int) -> HttpResponse:
    """The live part of the job page, polled by htmx until the job is over."""
    return render(request, "jobs/_progress.html", _job_context(request, course_id, job_id))
