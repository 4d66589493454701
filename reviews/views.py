"""Pages of the reviews app: papers per session, the review form with live guidance, public
reviews after the deadline with helpfulness ratings, and the staff dashboard with CSV export."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from courseportal.spreadsheets import csv_writer
from courseportal.types import AuthenticatedHttpRequest
from courses.models import Course, Membership, Role
from courses.selectors import course_sessions, membership_get
from reviews import charts as charts_core
from reviews import guidance_adapter, reading_list, selectors, services
from reviews.forms import PaperForm, RatingForm, ReadingListForm, ReviewForm
from reviews.models import FIELD_MAX_CHARS, RatingTag
from reviews.throttles import page_wait, refused_message

FORM_FIELDS = ("summary", "strengths", "weaknesses", "questions")


def highlight(text: str, findings: list[dict[str, Any]]) -> SafeString:
    """The text, escaped, with each finding's span wrapped in a <mark> naming its category."""
    pieces: list[str] = []
    cursor = 0
    for finding in sorted(findings, key=lambda f: (f["start"], f["end"])):
        start, end = finding["start"], finding["end"]
        if start < cursor:  # overlaps the previous highlight: its message is still listed
            continue
        pieces.append(escape(text[cursor:start]))
        pieces.append(
            f'<mark class="finding finding-{escape(finding["category"])}" '
            f'title="{escape(finding["message"])}">{escape(text[start:end])}</mark>'
        )
        cursor = end
    pieces.append(escape(text[cursor:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped


@login_required
def paper_list(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    course = membership.course
    now = timezone.now()
    papers = list(selectors.paper_list(course=course))
    own = {
        review.paper_id: review
        for review in selectors.review_list_visible(membership=membership, now=now).filter(
            author_id=request.user.pk
        )
    }
    labels = {s.date: s for s in course_sessions(course=course)}
    rows = [
        {"paper": p, "session": labels.get(p.session_date), "own": own.get(p.pk),
         "released": now >= p.review_deadline}
        for p in papers
    ]  # fmt: skip
    return render(
        request,
        "reviews/paper_list.html",
        {"course": course, "membership": membership, "rows": rows},
    )


@login_required
def paper_detail(request: HttpRequest, course_id: int, paper_id: int) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    paper = selectors.paper_get(course=membership.course, paper_id=paper_id)
    now = timezone.now()
    reviews = list(selectors.review_list_visible(membership=membership, now=now, paper=paper))
    released = selectors.paper_is_released(paper=paper, now=now)
    # The spread is shown only where every review is visible: to staff, and to students after
    # release (before it a student sees only their own review).
    charts = []
    if released or membership.is_staff_role:
        charts = [
            charts_core.distribution(title="Rating", values=[r.rating for r in reviews]),
            charts_core.distribution(title="Confidence", values=[r.confidence for r in reviews]),
        ]
    return render(
        request,
        "reviews/paper_detail.html",
        {
            "course": membership.course,
            "membership": membership,
            "paper": paper,
            "reviews": reviews,
            "released": released,
            "charts": charts,
            "rating_form": RatingForm(),
            **_peer_feedback_context(membership, reviews, now),
        },
    )


def _peer_feedback_context(membership: Any, reviews: list[Any], now: Any) -> dict[str, Any]:
    """Rating tags received (counts only, for the author after release and for staff) and the
    'needs revision' note (for the author and staff), set on each review shown."""
    staff = membership.is_staff_role
    counts = selectors.tag_counts(review_ids=[review.pk for review in reviews])
    for review in reviews:
        own = review.author_id == membership.user_id
        review.tags_received = None
        if staff or (own and now >= review.paper.review_deadline):
            review.tags_received = [
                (label, counts[review.pk][tag]) for tag, label in RatingTag.choices
            ]
        review.show_revision = staff or own
    return {"can_ask_revision": staff}


REVISION_FIELD_LABELS = {"note": "Note to the author"}


@login_required
@require_POST
def review_request_revision(
    request: AuthenticatedHttpRequest, course_id: int, review_id: int
) -> HttpResponse:
    """Staff mark a review 'needs revision' with a note (the author sees it on the paper's page)."""
    membership = membership_get(user=request.user, course_id=course_id)
    if not membership.is_staff_role:
        raise PermissionDenied("Only the course's TAs and instructors ask for revisions.")
    review = selectors.review_get_visible(
        membership=membership, now=timezone.now(), review_id=review_id
    )
    try:
        services.review_request_revision(
            review=review, requested_by=request.user, note=str(request.POST.get("note", ""))
        )
    except ValidationError as error:
        # Named as the form names the field ("Note to the author"), never by its internal name.
        for field, problems in error.message_dict.items():
            label = REVISION_FIELD_LABELS.get(field, "The request for revision")
            messages.error(request, f"{label}: {' '.join(problems)}")
    else:
        messages.success(request, "The author is asked to revise the review.")
    url = reverse("paper-detail", kwargs={"course_id": course_id, "paper_id": review.paper_id})
    return redirect(f"{url}#review-{review.pk}")


@login_required
def review_edit(request: AuthenticatedHttpRequest, course_id: int, paper_id: int) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    if membership.role != Role.STUDENT:
        raise PermissionDenied("Only students write reviews.")
    paper = selectors.paper_get(course=membership.course, paper_id=paper_id)
    review = selectors.review_get_own(membership=membership, paper=paper)
    # Saving and the guidance shown with the form both run the analyzer: one count a request.
    wait = page_wait(request)
    if request.method == "POST":
        form = ReviewForm(request.POST)
        _drop_acknowledgement_unless_required(form, membership.course)
        if wait:
            # Nothing is saved; the text comes back in the form, with the reason.
            form.add_error(None, f"{refused_message(wait)} Nothing was saved yet.")
        elif form.is_valid():
            try:
                if review is None:
                    services.review_create(paper=paper, author=request.user, **form.cleaned_data)
                else:
                    services.review_update(review=review, **form.cleaned_data)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                return redirect("paper-detail", course_id=course_id, paper_id=paper_id)
    else:
        initial = {name: getattr(review, name) for name in services.REVIEW_FIELDS} if review else {}
        form = ReviewForm(initial=initial)
        _drop_acknowledgement_unless_required(form, membership.course)
    values = {name: form[name].value() or "" for name in FORM_FIELDS}
    response = render(
        request,
        "reviews/review_form.html",
        {
            "course": membership.course,
            "paper": paper,
            "form": form,
            "review": review,
            "late": timezone.now() > paper.review_deadline,
            **(_refused_context(wait) if wait else _guidance_context(values)),
        },
        status=429 if wait else 200,
    )
    if wait:
        response["Retry-After"] = str(wait)
    return response


def _drop_acknowledgement_unless_required(form: ReviewForm, course: Any) -> None:
    if not course.reviews_require_acknowledgement:
        del form.fields["acknowledged"]


def _guidance_context(values: dict[str, str]) -> dict[str, Any]:
    analysis = guidance_adapter.analyze_review_fields(**values)
    fields = []
    for name in FORM_FIELDS:
        findings = [f for f in analysis["findings"] if f["field"] == name]
        fields.append(
            {
                "name": name,
                "findings": findings,
                "highlighted": highlight(
                    values[name], [f for f in findings if f["end"] > f["start"]]
                ),
            }
        )
    return {"analysis": analysis, "guidance_fields": fields}


def _refused_context(wait: int) -> dict[str, Any]:
    """The guidance panel's context when the analyzer may not run: the reason, no findings."""
    return {"refused": refused_message(wait), "retry_after": wait}


@login_required
@require_POST
def review_guidance(request: HttpRequest, course_id: int) -> HttpResponse:
    """The guidance panel for the form's current text (htmx, on every pause in typing).

    Past the user's `analyze` limit it answers 429 with Retry-After and the reason in the panel
    (reviews/static/reviews/guidance.js has htmx show it), without running the analyzer.
    """
    membership_get(user=request.user, course_id=course_id)
    form = ReviewForm(request.POST)
    form.is_valid()  # only to cap lengths; guidance is given on whatever was typed
    wait = page_wait(request)
    if wait:
        response = render(request, "reviews/_guidance.html", _refused_context(wait), status=429)
        response["Retry-After"] = str(wait)
        return response
    values = {name: str(request.POST.get(name, ""))[:FIELD_MAX_CHARS] for name in FORM_FIELDS}
    return render(request, "reviews/_guidance.html", _guidance_context(values))


@login_required
@require_POST
def review_rate(request: AuthenticatedHttpRequest, course_id: int, review_id: int) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    if membership.role == Role.AUTOGRADER:
        raise PermissionDenied("An autograder account does not rate reviews.")
    now = timezone.now()
    review = selectors.review_get_visible(membership=membership, now=now, review_id=review_id)
    form = RatingForm(request.POST)
    message = ""
    status = 200
    if form.is_valid():
        try:
            services.review_rate(
                review=review,
                rater=request.user,
                helpful=form.cleaned_data["helpful"],
                tags=form.cleaned_data["tags"],
                now=now,
            )
            message = "Thanks: your rating is saved."
        except ValidationError as error:
            message = " ".join(error.messages)
            status = 400
    else:
        message = "Choose helpful or not helpful."
        status = 400
    if request.htmx:
        return HttpResponse(escape(message), status=status)
    return redirect("paper-detail", course_id=course_id, paper_id=review.paper_id)


def _dashboard_rows(course_id: int, user: Any) -> tuple[Any, list[dict[str, Any]]]:
    membership = membership_get(user=user, course_id=course_id)
    if not membership.is_staff_role:
        raise PermissionDenied("The review dashboard is for the course's staff.")
    return membership, selectors.review_quality_by_student(course=membership.course)


@login_required
def review_dashboard(request: HttpRequest, course_id: int) -> HttpResponse:
    membership, rows = _dashboard_rows(course_id, request.user)
    papers = [
        (
            paper,
            charts_core.distribution(title="Rating", values=ratings),
            charts_core.distribution(title="Confidence", values=confidences),
        )
        for paper, ratings, confidences in selectors.review_scores_by_paper(
            course=membership.course
        )
    ]
    return render(
        request,
        "reviews/dashboard.html",
        {
            "course": membership.course,
            "rows": rows,
            "papers": papers,
            "categories": guidance_adapter.CATEGORIES,
            "rating_tags": RatingTag.choices,
        },
    )


# Peer feedback per student: the rating tags received (counts), and staff's revision requests.
PEER_COLUMNS = [*(f"tag_{tag}" for tag in RatingTag.values), "needs_revision", "revised"]


def _peer_cells(row: dict[str, Any]) -> list[int]:
    return [*(row["tags"][tag] for tag in RatingTag.values), row["needs_revision"], row["revised"]]


@login_required
def review_export(request: HttpRequest, course_id: int) -> HttpResponse:
    membership, rows = _dashboard_rows(course_id, request.user)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="reviews-{membership.course.code.replace(" ", "")}.csv"'
    )
    writer = csv_writer(response)
    writer.writerow(
        ["username", "name", "email", "reviews", "late", "helpful", "ratings",
         *map(guidance_adapter.category_label, guidance_adapter.CATEGORIES), *PEER_COLUMNS]
    )  # fmt: skip
    for row in rows:
        writer.writerow(
            [row["username"], row["name"], row["email"],
             row["reviews"], row["late"], row["helpful"], row["ratings"],
             *(row["findings"][c] for c in guidance_adapter.CATEGORIES), *_peer_cells(row)]
        )  # fmt: skip
    return response


# --- Staff pages for papers: add, change, remove, import a reading list, release reviews. -------


def _staff_membership(request: HttpRequest, course_id: int) -> Membership:
    membership = membership_get(user=request.user, course_id=course_id)
    if not membership.is_staff_role:
        raise PermissionDenied("Papers are managed by the course's TAs and instructors.")
    return membership


def _session_choices(course: Course, keep: dt.date | None = None) -> list[tuple[str, str]]:
    """The course's class days with papers, and the paper's own day (`keep`) even if the
    calendar changed since: the form then shows it instead of silently choosing another."""
    choices = [
        (s.date.isoformat(), f"{s.date:%a, %b} {s.date.day}, {s.date.year}")
        for s in course_sessions(course=course)
        if s.has_papers or s.date == keep
    ]
    return choices


def _add_service_errors(form: forms.Form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _paper_fields(form: PaperForm) -> dict[str, Any]:
    fields = dict(form.cleaned_data)
    if fields["review_deadline"] is None:
        del fields["review_deadline"]  # the service's default: 23:59 the day before
    return fields


@login_required
def paper_add(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = _staff_membership(request, course_id)
    course = membership.course
    with timezone.override(ZoneInfo(course.time_zone)):
        data = request.POST if request.method == "POST" else None
        form = PaperForm(data, session_choices=_session_choices(course))
        if request.method == "POST" and form.is_valid():
            try:
                paper = services.paper_create(course=course, **_paper_fields(form))
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, f"“{paper.title}” is added.")
                return redirect("paper-list", course_id=course.pk)
        return render(
            request,
            "reviews/paper_form.html",
            {"course": course, "form": form, "paper": None},
            status=400 if form.errors else 200,
        )


@login_required
def paper_edit(request: HttpRequest, course_id: int, paper_id: int) -> HttpResponse:
    membership = _staff_membership(request, course_id)
    course = membership.course
    paper = selectors.paper_get(course=course, paper_id=paper_id)
    choices = _session_choices(course, keep=paper.session_date)
    with timezone.override(ZoneInfo(course.time_zone)):
        initial = {
            "session_date": paper.session_date.isoformat(),
            "title": paper.title,
            "authors": paper.authors,
            "link": paper.link,
            "review_deadline": timezone.localtime(paper.review_deadline).replace(
                second=0, microsecond=0
            ),
        }
        data = request.POST if request.method == "POST" else None
        form = PaperForm(data, initial=initial, session_choices=choices)
        if request.method == "POST" and form.is_valid():
            fields = _paper_fields(form)
            if "review_deadline" not in form.changed_data:
                # Kept as it is (to the second); or, on a new class day, the new day's default,
                # as the API does: the deadline shown was the old day's.
                fields.pop("review_deadline", None)
            elif "review_deadline" not in fields:
                fields["review_deadline"] = services.default_review_deadline(
                    course=course, session_date=fields["session_date"]
                )
            try:
                services.paper_update(paper=paper, **fields)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, f"“{paper.title}” is saved.")
                return redirect("paper-list", course_id=course.pk)
        return render(
            request,
            "reviews/paper_form.html",
            {
                "course": course,
                "form": form,
                "paper": paper,
                "released": selectors.paper_is_released(paper=paper, now=timezone.now()),
            },
            status=400 if form.errors else 200,
        )


@login_required
def paper_delete(request: HttpRequest, course_id: int, paper_id: int) -> HttpResponse:
    """A confirmation page; its POST removes the paper, unless it has reviews (never deleted)."""
    membership = _staff_membership(request, course_id)
    paper = selectors.paper_get(course=membership.course, paper_id=paper_id)
    error = ""
    if request.method == "POST":
        try:
            services.paper_delete(paper=paper)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, f"“{paper.title}” is removed.")
            return redirect("paper-list", course_id=course_id)
    return render(
        request,
        "reviews/paper_delete.html",
        {"course": membership.course, "paper": paper, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_POST
def paper_release(request: HttpRequest, course_id: int, paper_id: int) -> HttpResponse:
    membership = _staff_membership(request, course_id)
    paper = selectors.paper_get(course=membership.course, paper_id=paper_id)
    try:
        services.paper_release(paper=paper)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The reviews of “{paper.title}” are now public to the class.")
    return redirect("paper-list", course_id=course_id)


@login_required
def paper_import(request: HttpRequest, course_id: int) -> HttpResponse:
    """Upload a reading list (reviews/reading_list.py): every paper is added, or none."""
    membership = _staff_membership(request, course_id)
    course = membership.course
    posted = request.method == "POST"
    form = ReadingListForm(request.POST if posted else None, request.FILES if posted else None)
    problems: list[str] = []
    if posted and form.is_valid():
        try:
            rows = reading_list.parse_reading_list(form.cleaned_data["file"].read())
            papers = services.reading_list_import(course=course, rows=rows)
        except reading_list.ReadingListError as error:
            problems = [str(problem) for problem in error.problems]
        else:
            messages.success(request, f"{len(papers)} paper{pluralize(len(papers))} imported.")
            return redirect("paper-list", course_id=course.pk)
    return render(
        request,
        "reviews/paper_import.html",
        {
            "course": course,
            "form": form,
            "problems": problems,
            "columns": reading_list.COLUMNS,
            "max_rows": reading_list.MAX_ROWS,
            "time_zone": course.time_zone,
        },
        status=400 if form.errors or problems else 200,
    )
