"""Pages of staff jobs: the list (and the bulk regrade form), one job with live progress."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from convlab.models import Assignment
from courseportal.courses.models import Membership
from courseportal.courses.selectors import membership_get
from courseportal.jobs import regrade, selectors, services


def _staff(request: HttpRequest, course_id: int) -> Membership:
    membership = membership_get(user=request.user, course_id=course_id)
    if not membership.is_staff_role:
        raise PermissionDenied("Jobs are for the course's staff.")
    return membership


class BulkRegradeForm(forms.Form):
    assignment = forms.ModelChoiceField(queryset=Assignment.objects.none())

    def __init__(self, *args: object, course_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["assignment"]
        field.queryset = Assignment.objects.filter(course_id=course_id)  # type: ignore[attr-defined]


@login_required
def job_list(request: HttpRequest, course_id: int) -> HttpResponse:
    """GET: recent jobs. POST: start a bulk regrade of an assignment."""
    membership = _staff(request, course_id)
    data = request.POST if request.method == "POST" else None
    form = BulkRegradeForm(data, course_id=course_id)
    if request.method == "POST" and form.is_valid():
        job = services.job_create(
            course=membership.course,
            kind=regrade.KIND,
            created_by=request.user,
            input={"assignment_id": form.cleaned_data["assignment"].pk},
        )
        return redirect("job", course_id=course_id, job_id=job.pk)
    return render(
        request,
        "jobs/job_list.html",
        {
            "course": membership.course,
            "membership": membership,
            "form": form,
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
