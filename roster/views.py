"""Pages of roster import: upload -> preview (every bad row) -> apply; large files as jobs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from courseportal.types import AuthenticatedHttpRequest
from courses.models import Membership
from courses.selectors import membership_get
from jobs import selectors as job_selectors
from jobs.services import job_create
from roster import jobs, services
from roster.forms import RosterApplyForm, RosterUploadForm


def staff_membership(request: HttpRequest, course_id: int) -> Membership:
    membership = membership_get(user=request.user, course_id=course_id)
    if not membership.is_staff_role:
        raise PermissionDenied("Roster import is for the course's staff.")
    return membership


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _page(request: HttpRequest, membership: Membership, **context: Any) -> HttpResponse:
    course = membership.course
    status = context.pop("status", 200)
    form = context.pop("form", None) or RosterUploadForm()
    recent = job_selectors.job_list(course=course).filter(kind=jobs.KIND)[:5]
    return render(
        request,
        "roster/roster.html",
        {
            "course": course,
            "membership": membership,
            "form": form,
            "recent_jobs": recent,
            "job_above_rows": jobs.JOB_ABOVE_ROWS,
            **context,
        },
        status=status,
    )


def _start_job(
    request: AuthenticatedHttpRequest, membership: Membership, content: bytes, apply: bool
) -> Any:
    job = job_create(
        course=membership.course,
        kind=jobs.KIND,
        created_by=request.user,
        input=jobs.roster_job_input(
            content=content,
            apply=apply,
            importer_role=membership.role,
            base_url=_base_url(request),
        ),
    )
    return redirect("job", course_id=membership.course_id, job_id=job.pk)


@login_required
def roster_page(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    """GET: the upload form. POST: preview the uploaded file (as a job when it is large)."""
    membership = staff_membership(request, course_id)
    if request.method != "POST":
        return _page(request, membership)
    form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, membership, form=form, status=400)
    content = form.cleaned_data["file"].read()
    try:
        parsed = services.roster_parse(content=content)
    except ValidationError as error:
        form.add_error("file", error.message_dict["file"])
        return _page(request, membership, form=form, status=400)
    if parsed.row_count > jobs.JOB_ABOVE_ROWS:
        return _start_job(request, membership, content, apply=False)
    plan = services.roster_plan(
        course=membership.course, parsed=parsed, importer_role=membership.role
    )
    return _page(request, membership, plan=plan.as_dict(), content=content.decode("utf-8-sig"))


@login_required
@require_POST
def roster_apply(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    membership = staff_membership(request, course_id)
    form = RosterApplyForm(request.POST)
    if not form.is_valid():
        for problem in form.errors.get("__all__", []) + form.errors.get("content", []):
            messages.error(request, str(problem))
        return redirect("roster", course_id=course_id)
    if form.cleaned_data.get("job"):
        preview = job_selectors.job_get(course=membership.course, job_id=form.cleaned_data["job"])
        content = str(preview.input.get("content", "")).encode()
    else:
        content = form.cleaned_data["content"].encode()
    try:
        parsed = services.roster_parse(content=content)
        if parsed.row_count > jobs.JOB_ABOVE_ROWS:
            return _start_job(request, membership, content, apply=True)
        plan = services.roster_apply(
            course=membership.course,
            content=content,
            importer_role=membership.role,
            base_url=_base_url(request),
        )
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
        return redirect("roster", course_id=course_id)
    except services.RosterRejected as rejected:
        messages.error(request, str(rejected))
        plan_dict = rejected.plan.as_dict()
        return _page(request, membership, plan=plan_dict, content=content.decode(), status=400)
    counts = plan.counts()
    messages.success(
        request,
        f"Roster applied: {counts['create'] + counts['add']} added, {counts['update']} updated, "
        f"{counts['reactivate']} reactivated, {counts['deactivate']} deactivated.",
    )
    return redirect("roster", course_id=course_id)


class SetPasswordView(PasswordResetConfirmView):
    """The link of the invitation email: a new account chooses its password, then logs in."""

    template_name = "roster/set_password.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, "Your password is set. Log in with your username.")
        return super().form_valid(form)
