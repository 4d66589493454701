"""Pages of convlab: assignments, upload, the live submission page, history, staff table,
the staff pages that create, edit and open labs, and the account page's API tokens."""

from __future__ import annotations

import io
import re
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from convlab import handout, selectors, services
from convlab.forms import AssignmentForm, SuiteUploadForm, UploadForm
from convlab.models import Assignment, SubmissionStatus
from courseportal.confirm import confirmation_refused
from courseportal.types import AuthenticatedHttpRequest
from courses.models import Membership, Role
from courses.selectors import membership_get


@login_required
def assignment_list(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    return render(
        request,
        "convlab/assignment_list.html",
        {
            "course": membership.course,
            "membership": membership,
            "assignments": selectors.assignment_list(course=membership.course),
            "now": timezone.now(),
        },
    )


@login_required
def assignment_page(request: AuthenticatedHttpRequest, course_id: int, slug: str) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    assignment = selectors.assignment_get(course=membership.course, slug=slug)
    form = UploadForm()
    response_status = 200
    if request.method == "POST":
        if membership.role != Role.STUDENT:
            raise PermissionDenied("Only students upload solutions here.")
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                made = services.submission_create(
                    assignment=assignment,
                    student=request.user,
                    submitted_by=request.user,
                    content=form.cleaned_data["file"].read(),
                )
                return redirect("submission", submission_id=made.submission.pk)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error("file" if field not in form.fields else field, problems)
            except services.SubmissionLimitReached as limit:
                form.add_error("file", f"{limit} Try again in {limit.retry_after // 60 + 1} min.")
            except services.StorageUnavailable as unavailable:
                form.add_error("file", str(unavailable))
                response_status = 503
    now = timezone.now()
    submissions = selectors.submission_list(membership=membership, assignment=assignment)
    status_filter = request.GET.get("status", "")
    if membership.is_staff_role and status_filter in SubmissionStatus.values:
        submissions = submissions.filter(status=status_filter)
    student_filter = request.GET.get("student", "").strip()
    if membership.is_staff_role and student_filter:
        submissions = submissions.filter(student__username__icontains=student_filter)
    listed = list(submissions[:200])
    for listed_submission in listed:  # before the due date, what the student is shown adds up
        shown = selectors.shown_score(
            submission=listed_submission, now=now, full=membership.is_staff_role
        )
        setattr(listed_submission, "shown_score", shown[0])  # noqa: B010 - for the template
        setattr(listed_submission, "shown_max", shown[1])  # noqa: B010
    listing = {
        "membership": membership,
        "submissions": listed,
        "pending": any(not s.is_final for s in listed),
        "poll_url": request.get_full_path(),
    }
    if request.method == "GET" and request.headers.get("HX-Target") == "submissions":
        # The list polling itself while gradings run: only the table.
        return render(request, "convlab/_submission_list.html", listing)
    return render(
        request,
        "convlab/assignment.html",
        {
            **listing,
            "course": membership.course,
            "assignment": assignment,
            "form": form,
            "regrade_all_confirm": REGRADE_ALL_CONFIRM,
            "statuses": SubmissionStatus.choices,
            "status_filter": status_filter,
            "student_filter": student_filter,
            "not_gradable_recently": selectors.not_gradable_recently(assignment=assignment)
            if membership.is_staff_role
            else 0,
            **_lab_context(membership, assignment, now),
        },
        status=response_status,
    )


def _lab_context(membership: Membership, assignment: Assignment, now: Any) -> dict[str, Any]:
    """What the lab page tells about the work: the handout, the functions to write, the
    packages and versions the grader has, and (to a student) the attempts left."""
    is_open = now >= assignment.opens_at or membership.is_staff_role
    suite = selectors.assignment_suite(assignment=assignment) if is_open else None
    return {
        "is_open": is_open,
        "is_closed": assignment.closes_at is not None and now > assignment.closes_at,
        "is_late": now > assignment.due_at,
        "suite": suite,
        # The lab's own handout (staff wrote it) or else the suite's: both rendered by
        # handout.render_markdown, which escapes everything first and adds only its own tags.
        "handout_html": mark_safe(  # noqa: S308
            handout.render_markdown(assignment.handout or suite.handout, top=3)
        )
        if suite is not None
        else "",
        "packages": handout.package_versions(suite.packages) if suite is not None else [],
        "attempts_left": selectors.attempts_left(
            assignment=assignment, student=membership.user, now=now
        )
        if membership.role == Role.STUDENT
        else None,
    }


@login_required
def assignment_starter(request: HttpRequest, course_id: int, slug: str) -> HttpResponse:
    """A .py file with a stub of every function the lab asks for, to any member of the course
    once the lab is open (staff: always)."""
    membership = membership_get(user=request.user, course_id=course_id)
    assignment = selectors.assignment_get(course=membership.course, slug=slug)
    if timezone.now() < assignment.opens_at and not membership.is_staff_role:
        raise Http404("This lab is not open yet.")
    if assignment.starter:
        # The file staff uploaded (issue #16); its name was checked to end in .py.
        filename = re.sub(r"[^A-Za-z0-9_.-]", "_", assignment.starter_name) or "starter.py"
        source = assignment.starter
    else:
        suite = selectors.assignment_suite(assignment=assignment)
        if suite is None:
            raise Http404("This lab's check suite is not available.")
        filename = f"{suite.slug.replace('-', '_')}.py"
        source = handout.starter_source(suite)
    response = HttpResponse(source, content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _submission_context(request: HttpRequest, submission_id: int) -> dict[str, Any]:
    submission, membership = selectors.submission_get_for_user(
        user=request.user, submission_id=submission_id
    )
    results = selectors.visible_results(
        results=submission.results,
        due_at=submission.assignment.due_at,
        now=timezone.now(),
        full=membership.is_staff_role,
    )
    shown_score, shown_max = selectors.shown_score(
        submission=submission, now=timezone.now(), full=membership.is_staff_role
    )
    return {
        "submission": submission,
        "membership": membership,
        "course": submission.assignment.course,
        "results": results,
        "shown_score": shown_score,
        "shown_max": shown_max,
        "feedback": selectors.feedback(results=results or {}),
        # Staff compare a regrade with what came before; students see the current result only.
        "runs": (
            selectors.grading_run_list(submission=submission) if membership.is_staff_role else []
        ),
    }


@login_required
def submission_page(request: HttpRequest, submission_id: int) -> HttpResponse:
    return render(request, "convlab/submission.html", _submission_context(request, submission_id))


@login_required
def submission_source(request: HttpRequest, submission_id: int) -> FileResponse:
    """The submitted file, to its student and the course's staff only (never from MEDIA_URL),
    as a download of plain text (with nosniff from SecurityMiddleware): a browser never runs
    or renders it."""
    submission, _ = selectors.submission_get_for_user(
        user=request.user, submission_id=submission_id
    )
    try:
        source = submission.source_text()
    except OSError:  # a submission from before the database kept sources, its file gone
        raise Http404("The submitted file is missing.") from None
    return FileResponse(
        io.BytesIO(source.encode()),
        as_attachment=True,
        filename=f"{submission.assignment.slug}-attempt-{submission.attempt}.py",
        content_type="text/plain; charset=utf-8",
    )


@login_required
def submission_status(request: HttpRequest, submission_id: int) -> HttpResponse:
    """The live part of the submission page, polled by htmx until the grading is final."""
    return render(
        request, "convlab/_submission_status.html", _submission_context(request, submission_id)
    )


@login_required
@require_POST
def submission_regrade(request: HttpRequest, submission_id: int) -> HttpResponse:
    context = _submission_context(request, submission_id)
    if not context["membership"].is_staff_role:
        raise PermissionDenied("Only staff regrade.")
    use_gpu = {"cpu": False, "gpu": True}.get(request.POST.get("on", ""))
    submission = context["submission"]
    try:
        services.submission_regrade(submission=submission, use_gpu=use_gpu)
        messages.success(request, "Queued for regrading; the earlier result stays in the history.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("submission", submission_id=submission_id)


REGRADE_ALL_CONFIRM = "I understand that every graded submission of this lab is graded again"


@login_required
@require_POST
def assignment_regrade(request: HttpRequest, course_id: int, slug: str) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    if not membership.is_staff_role:
        raise PermissionDenied("Only staff regrade.")
    assignment = selectors.assignment_get(course=membership.course, slug=slug)
    refused = confirmation_refused(
        request,
        title=f"regrade all of {assignment.title}",
        label=REGRADE_ALL_CONFIRM,
        consequence="Every graded submission of this lab goes back into the queue and gets a new "
        "score; the earlier results stay in each submission's history.",
        action_url=reverse("lab-regrade", args=[course_id, slug]),
        button="Regrade all",
        back_url=reverse("lab-assignment", args=[course_id, slug]),
    )
    if refused is not None:
        return refused
    count = services.assignment_regrade(assignment=assignment)
    messages.success(
        request, f"{count} submission{'' if count == 1 else 's'} queued for regrading."
    )
    return redirect("lab-assignment", course_id=course_id, slug=slug)


# --- Staff pages of labs: create, edit, open now (issue #16). ----------------------------------


def _staff_membership(request: HttpRequest, course_id: int) -> Membership:
    membership = membership_get(user=request.user, course_id=course_id)
    if not membership.is_staff_role:
        raise PermissionDenied("Labs are set up by the course's TAs and instructors.")
    return membership


def _suite_options(
    course_id: int, keep: str | None = None
) -> tuple[list[tuple[str, str]], list[str]]:
    """The suites the form offers (slug, "title (slug)"), and those that support a GPU.
    `keep`, a lab's own suite, is offered even if it can no longer be loaded, so that the form
    shows it instead of silently choosing another."""
    choices = selectors.suite_choices(course_id)
    options = [(c.slug, f"{c.title} ({c.slug})") for c in choices]
    if keep and keep not in {c.slug for c in choices}:
        options.append((keep, f"{keep} (not available now)"))
    return options, [c.title for c in choices if c.supports_gpu]


def _add_service_errors(form: forms.Form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _lab_fields(cleaned: dict[str, Any]) -> dict[str, Any]:
    """The form's values as the service takes them: an uploaded starter file as its text and
    name; "remove the starter file" as both empty."""
    fields = dict(cleaned)
    starter = fields.pop("starter", None)
    if starter:
        fields["starter_name"], fields["starter"] = starter
    elif fields.pop("remove_starter", False):
        fields["starter_name"], fields["starter"] = "", ""
    fields.pop("remove_starter", None)
    return fields


def _assignment_form_page(
    request: HttpRequest, membership: Membership, form: AssignmentForm, **context: Any
) -> HttpResponse:
    return render(
        request,
        "convlab/assignment_form.html",
        {"course": membership.course, "membership": membership, "form": form, **context},
        status=400 if form.errors else 200,
    )


@login_required
def assignment_create(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = _staff_membership(request, course_id)
    course = membership.course
    options, gpu_suites = _suite_options(course.pk)
    with timezone.override(ZoneInfo(course.time_zone)):
        data = request.POST if request.method == "POST" else None
        files = request.FILES if request.method == "POST" else None
        form = AssignmentForm(data, files, suites=options)
        if request.method == "POST" and form.is_valid():
            try:
                assignment = services.assignment_create(
                    course=course, **_lab_fields(form.cleaned_data)
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, f"“{assignment.title}” is created.")
                return redirect("labs", course_id=course.pk)
        return _assignment_form_page(
            request, membership, form, assignment=None, gpu_suites=gpu_suites
        )


@login_required
def assignment_edit(request: HttpRequest, course_id: int, slug: str) -> HttpResponse:
    membership = _staff_membership(request, course_id)
    course = membership.course
    assignment = selectors.assignment_get(course=course, slug=slug)
    options, gpu_suites = _suite_options(course.pk, keep=assignment.suite)
    with timezone.override(ZoneInfo(course.time_zone)):
        initial = {name: getattr(assignment, name) for name in services.ASSIGNMENT_FIELDS}
        for name in ("opens_at", "due_at", "closes_at"):
            if initial[name] is not None:
                initial[name] = timezone.localtime(initial[name]).replace(second=0, microsecond=0)
        data = request.POST if request.method == "POST" else None
        files = request.FILES if request.method == "POST" else None
        for name in ("starter", "starter_name"):
            initial.pop(name)
        form = AssignmentForm(
            data, files, initial=initial, suites=options, starter_name=assignment.starter_name
        )
        if request.method == "POST" and form.is_valid():
            # A time left as shown keeps its seconds: the form shows minutes only.
            fields = _lab_fields(
                {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
            )
            try:
                assignment = services.assignment_update(assignment=assignment, **fields)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, f"“{assignment.title}” is saved.")
                return redirect("labs", course_id=course.pk)
        return _assignment_form_page(
            request,
            membership,
            form,
            assignment=assignment,
            gpu_suites=gpu_suites,
            has_submissions=selectors.assignment_has_submissions(assignment=assignment),
            is_open=timezone.now() >= assignment.opens_at,
        )


@login_required
def assignment_open(request: HttpRequest, course_id: int, slug: str) -> HttpResponse:
    """A confirmation page; its POST opens a lab that is not open yet, now."""
    membership = _staff_membership(request, course_id)
    assignment = selectors.assignment_get(course=membership.course, slug=slug)
    refused: list[str] = []
    if request.method == "POST":
        try:
            opened = services.assignment_open_now(assignment=assignment)
        except ValidationError as error:
            refused = [m for messages_ in error.message_dict.values() for m in messages_]
        else:
            if opened:
                messages.success(request, f"“{assignment.title}” is open to students now.")
            else:
                messages.error(request, f"“{assignment.title}” was open already; nothing changed.")
            return redirect("labs", course_id=course_id)
    return render(
        request,
        "convlab/assignment_open.html",
        {
            "course": membership.course,
            "membership": membership,
            "assignment": assignment,
            "is_open": timezone.now() >= assignment.opens_at,
            "refused": refused,
        },
        status=400 if refused else 200,
    )


@login_required
def suite_upload(request: HttpRequest, course_id: int) -> HttpResponse:
    """The course's uploaded check suites, and (instructors only, while the server allows it)
    the form that uploads one; a lab then picks it in its "Check suite" field."""
    membership = membership_get(user=request.user, course_id=course_id)
    if membership.role != Role.INSTRUCTOR:
        raise PermissionDenied("Check suites are uploaded by the course's instructors.")
    enabled = bool(settings.CONVLAB_ALLOW_SUITE_UPLOAD)
    if request.method == "POST" and not enabled:
        raise PermissionDenied(
            "Uploading check suites is turned off on this server (CONVLAB_ALLOW_SUITE_UPLOAD)."
        )
    form = SuiteUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        name, content = form.cleaned_data["suite"]
        try:
            suite = services.course_suite_upload(
                membership=membership,
                filename=name,
                content=content,
                slug=form.cleaned_data.get("slug") or "",
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"The suite “{suite.title}” passed its self-test and is kept; choose "
                f"“{suite.title} (uploaded)” as a lab's check suite.",
            )
            return redirect("lab-suites", course_id=course_id)
    return render(
        request,
        "convlab/suite_upload.html",
        {
            "course": membership.course,
            "membership": membership,
            "form": form,
            "enabled": enabled,
            "suites": selectors.course_suites(course=membership.course),
        },
        status=400 if form.errors else 200,
    )
