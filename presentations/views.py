"""Pages of the presentations app: the schedule, a group's page (preferences, slides, swaps),
the staff scheduling and presenter-group pages, CSV and iCalendar exports."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from courseportal import caching
from courseportal.confirm import confirmation_refused
from courseportal.spreadsheets import csv_writer
from courseportal.types import AuthenticatedHttpRequest
from courses.models import Course, Membership, Role
from courses.people import display_name
from courses.selectors import course_list_for_user, membership_get
from courses.services import course_update
from presentations import feeds, selectors
from presentations.forms import GroupForm
from presentations.models import IssueKind, PresenterGroup, SwapStatus
from presentations.scheduling import OptionKind
from presentations.services.calendar_feeds import calendar_feed_get, calendar_feed_rotate
from presentations.services.groups import group_create, group_delete, group_update
from presentations.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_decline,
    invitation_withdraw,
)
from presentations.services.schedule_issues import (
    drift_repair,
    drift_repair_preview,
    issue_options,
    issue_resolve,
)
from presentations.services.schedules import (
    schedule_adjust,
    schedule_generate,
    schedule_publish,
    start_over_preview,
)
from presentations.services.slides import slides_deadline, slides_set_link, slides_upload
from presentations.services.swaps import swap_accept, swap_approve, swap_reject, swap_request

logger = logging.getLogger(__name__)


def _staff(request: HttpRequest, course_id: int) -> Membership:
    membership = membership_get(user=request.user, course_id=course_id)
    if not membership.is_staff_role:
        raise PermissionDenied("Scheduling is for the course's staff.")
    return membership


# What the pages call the keys of the services' ValidationErrors: a message names the thing in
# the page's words ("Slides link: ..."), never the internal key ("slides_link: ...").
_FIELD_NAMES = {
    "fixed_date": "Fixed date",
    "from_group": "Your group",
    "group": "Group",
    "groups": "Presenter groups",
    "invitation": "Invitation",
    "members": "Members",
    "name": "Group name",
    "option": "Option",
    "issue": "Decision",
    "presentations_start": "First presentation date",
    "presentations_end": "Last presentation date",
    "placements": "Dates",
    "preferences": "Preferences",
    "schedule": "Schedule",
    "slides_file": "Slides (PDF)",
    "slides_link": "Slides link",
    "status": "Swap",
    "swap": "Swap",
    "to_group": "Other group",
    "unavailable": "Dates the group cannot present",
    "user_id": "Classmate",
    "username": "Classmate's username",
}


def plain_field_name(field: str) -> str:
    """The page's name of a service error key; an unknown key reads as words, not code."""
    return _FIELD_NAMES.get(field) or field.replace("_", " ").capitalize()


def _flash_errors(request: HttpRequest, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        for problem in problems:
            if field == NON_FIELD_ERRORS:
                messages.error(request, problem)
            else:
                messages.error(request, f"{plain_field_name(field)}: {problem}")


@login_required
def schedule_page(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    course = membership.course
    published = selectors.schedule_published(course=course)
    own = selectors.group_of_user(course=course, user=request.user)
    days = selectors.schedule_days(course=course, schedule=published)
    seat_cells = selectors.schedule_seats(
        days=days, seats=course.presenters_per_class, own_group_id=own.pk if own else None
    )
    return render(
        request,
        "presentations/schedule.html",
        {
            "course": course,
            "membership": membership,
            "schedule": published,
            "days": days,
            "seat_cells": seat_cells,
            "own_day": next((cell for cell in seat_cells if cell.own), None),
            "own_group": own,
            "awaiting": selectors.group_awaiting_date(group=own) if own else None,
            "invitations": selectors.invitations_received(course=course, user=request.user),
            "changes": selectors.change_log(course=course)[:10],
        },
    )


@login_required
def group_page(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    """The student's own group: ranked dates, unavailability, slides, swaps, calendar feed."""
    membership = membership_get(user=request.user, course_id=course_id)
    course = membership.course
    group = selectors.group_of_user(course=course, user=request.user)
    sessions = [s for s in selectors.scheduler_sessions(course=course) if s.eligible]
    published = selectors.schedule_published(course=course)
    slot = None
    if group is not None and published is not None:
        slot = next((s for s in published.slots.all() if s.group_id == group.pk), None)
    if slot is not None and slot.date not in selectors.presentation_dates(course=course):
        # Never a presentation on a day without one: a calendar change took it, a new date is
        # on its way (see "awaiting").
        slot = None
    published_dates = {s.group_id: s.date for s in published.slots.all()} if published else {}
    feed = calendar_feed_get(user=request.user)
    context: dict[str, Any] = {
        "course": course,
        "membership": membership,
        "group": group,
        "sessions": sessions,
        "ranks": {d: i + 1 for i, d in enumerate(group.preferences)} if group else {},
        "slot": slot,
        "awaiting": selectors.group_awaiting_date(group=group) if group else None,
        "slides_deadline": slides_deadline(group=group) if group else None,
        "swaps": selectors.swap_list(membership=membership),
        "invitations": selectors.invitations_received(course=course, user=request.user),
        "sent": selectors.invitations_sent(group=group) if group else [],
        "classmates": (
            selectors.classmates_without_group(course=course, user=request.user)
            if group is not None and membership.role == Role.STUDENT
            else []
        ),
        # Each other group with its published date (h18edges: dates next to group names).
        "other_groups": [
            (g, published_dates.get(g.pk))
            for g in selectors.group_list(course=course)
            if group is None or g.pk != group.pk
        ],
        "feed_url": request.build_absolute_uri(reverse("feed-course", args=[feed.key, course.pk])),
        "my_feed_url": request.build_absolute_uri(reverse("feed-mine", args=[feed.key])),
    }
    return render(request, "presentations/group.html", context)


@login_required
@require_POST
def group_preferences(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    group = selectors.group_of_user(course=membership.course, user=request.user)
    if group is None:
        raise Http404("You are not in a presenter group.")
    try:
        ranked = sorted(
            (int(rank), dt.date.fromisoformat(key.removeprefix("rank-")))
            for key, rank in request.POST.items()
            if key.startswith("rank-") and isinstance(rank, str) and rank.strip()
        )
        unavailable = [dt.date.fromisoformat(d) for d in request.POST.getlist("unavailable")]
    except ValueError:
        messages.error(request, "Preferences: a rank is a whole number such as 1, 2 or 3.")
        return redirect("presentations-group", course_id=course_id)
    try:
        group_update(group=group, preferences=[day for _, day in ranked], unavailable=unavailable)
        messages.success(request, "Your preferences are saved.")
    except ValidationError as error:
        _flash_errors(request, error)
    return redirect("presentations-group", course_id=course_id)


@login_required
@require_POST
def group_slides(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    group = selectors.group_of_user(course=membership.course, user=request.user)
    if group is None:
        raise Http404("You are not in a presenter group.")
    try:
        upload = request.FILES.get("slides_file")
        if upload:
            slides_upload(group=group, upload=upload)
        else:
            slides_set_link(group=group, url=request.POST.get("slides_link", "").strip())
        messages.success(request, "Slides saved.")
    except ValidationError as error:
        _flash_errors(request, error)
    return redirect("presentations-group", course_id=course_id)


@login_required
def group_slides_file(request: HttpRequest, course_id: int, group_id: int) -> HttpResponseBase:
    """The uploaded PDF, only to members of the course."""
    membership = membership_get(user=request.user, course_id=course_id)
    group = selectors.group_get(course=membership.course, group_id=group_id)
    if not group.slides_file:
        raise Http404("No slides uploaded.")
    if settings.SLIDES_SERVE == "redirect":
        # The private bucket's signed URL, valid for COURSEPORTAL_S3_URL_EXPIRY_S seconds.
        disposition = content_disposition_header(False, f"{group.name}.pdf") or "inline"
        storage: Any = group.slides_file.storage  # S3Storage: url() takes the response headers
        try:
            signed = storage.url(
                group.slides_file.name,
                parameters={
                    "ResponseContentType": "application/pdf",
                    "ResponseContentDisposition": disposition,
                },
            )
        except (BotoCoreError, ClientError) as error:  # no credentials to sign with
            logger.error("could not sign the slides URL of group %s: %s", group.pk, error)
            raise Http404("The slides file is not available right now.") from None
        response = HttpResponseRedirect(signed)
        response["Cache-Control"] = "private, no-store"  # a kept link would have expired
        return response
    try:
        # Streamed from the storage (the filesystem or the private bucket) after the check.
        handle = group.slides_file.open("rb")
    except (OSError, BotoCoreError, ClientError) as error:
        logger.error("could not read the slides of group %s: %s", group.pk, error)
        raise Http404("The slides file is not available right now.") from None
    return FileResponse(
        handle,
        content_type="application/pdf",
        filename=f"{group.name}.pdf",
    )


@login_required
@require_POST
def group_start(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    """A student starts a group of their own; classmates join by accepting an invitation."""
    membership = membership_get(user=request.user, course_id=course_id)
    if membership.role != Role.STUDENT:
        raise PermissionDenied("Students start groups; staff form them on the groups page.")
    name = str(request.POST.get("name", "")).strip()
    if not name or len(name) > 100:
        messages.error(request, "Group name: give the group a name of at most 100 characters.")
        return redirect("presentations-group", course_id=course_id)
    try:
        group_create(course=membership.course, name=name, members=[request.user])
        messages.success(request, f"Group {name} started: invite your classmates.")
    except ValidationError as error:
        _flash_errors(request, error)
    return redirect("presentations-group", course_id=course_id)


@login_required
@require_POST
def invitation_send(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    """Invite a classmate picked from the list (`user_id`) or named by `username`."""
    membership = membership_get(user=request.user, course_id=course_id)
    own = selectors.group_of_user(course=membership.course, user=request.user)
    if own is None or membership.role != Role.STUDENT:
        messages.error(request, "Group: start or join a group before you invite classmates.")
        return redirect("presentations-group", course_id=course_id)
    username = str(request.POST.get("username", "")).strip()
    user_id = str(request.POST.get("user_id", "")).strip()
    try:
        if username:
            invitation_create(group=own, actor=request.user, username=username[:150])
        elif user_id.isdigit() and int(user_id) < 2**31:
            invitation_create(group=own, actor=request.user, user_id=int(user_id))
        else:
            raise ValidationError({"username": "pick a classmate or type their username"})
        messages.success(request, "Invitation sent: your classmate joins when they accept.")
    except ValidationError as error:
        _flash_errors(request, error)
    return redirect("presentations-group", course_id=course_id)


@login_required
@require_POST
def invitation_decide(
    request: AuthenticatedHttpRequest, course_id: int, invitation_id: int, decision: str
) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    invitation = selectors.invitation_get(membership=membership, invitation_id=invitation_id)
    is_member = request.user.pk in selectors.group_member_ids(invitation.group)
    try:
        if decision == "withdraw" and (is_member or membership.is_staff_role):
            invitation_withdraw(invitation=invitation)
            messages.success(request, "Invitation withdrawn.")
        elif decision == "accept" and invitation.invitee_id == request.user.pk:
            invitation_accept(invitation=invitation, actor=request.user)
            messages.success(request, f"You joined {invitation.group.name}.")
        elif decision == "decline" and invitation.invitee_id == request.user.pk:
            invitation_decline(invitation=invitation, actor=request.user)
            messages.success(request, "Invitation declined.")
        elif decision in {"accept", "decline", "withdraw"}:
            raise PermissionDenied("This invitation is not yours to answer.")
        else:
            raise Http404("No such decision.")
    except ValidationError as error:
        _flash_errors(request, error)
    return redirect("presentations-group", course_id=course_id)


@login_required
@require_POST
def swap_create(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    own = selectors.group_of_user(course=membership.course, user=request.user)
    to_group = str(request.POST.get("to_group", ""))
    other = (
        selectors.group_list(course=membership.course).filter(pk=to_group).first()
        if to_group.isdigit()
        else None
    )
    if own is None or other is None:
        messages.error(request, "Other group: choose another group of this course.")
        return redirect("presentations-group", course_id=course_id)
    try:
        swap_request(from_group=own, to_group=other, actor=request.user)
        messages.success(request, f"Swap requested: {other.name} must accept, then staff approve.")
    except ValidationError as error:
        _flash_errors(request, error)
    return redirect("presentations-group", course_id=course_id)


@login_required
@require_POST
def swap_decide(
    request: AuthenticatedHttpRequest, course_id: int, swap_id: int, decision: str
) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    swap = get_object_or_404(selectors.swap_list(membership=membership), pk=swap_id)
    try:
        if decision == "accept":
            swap_accept(swap=swap, actor=request.user)
            done = "Swap accepted: course staff approve it next."
        elif decision == "approve" and membership.is_staff_role:
            swap_approve(swap=swap, actor=request.user)
            done = "Swap approved and published: both groups have their new dates."
        elif decision == "reject":
            swap_reject(swap=swap, actor=request.user, is_staff=membership.is_staff_role)
            done = "Swap declined: both groups keep their dates."
        else:
            raise PermissionDenied("Only staff approve swaps.")
        messages.success(request, done)
    except ValidationError as error:
        _flash_errors(request, error)
    target = "presentations-manage" if membership.is_staff_role else "presentations-group"
    return redirect(target, course_id=course_id)


@login_required
def manage_page(request: HttpRequest, course_id: int) -> HttpResponse:
    return _manage_render(request, _staff(request, course_id))


def _manage_render(
    request: HttpRequest, membership: Membership, *, status: int = 200
) -> HttpResponse:
    """The staff scheduling page (with `status` 400 when it answers a refused form)."""
    course = membership.course
    draft = selectors.schedule_latest_draft(course=course)
    published = selectors.schedule_published(course=course)
    draft_days = selectors.schedule_days(course=course, schedule=draft) if draft else []
    issues = list(selectors.issue_list(course=course))
    decisions = [
        {"issue": issue, "options": issue_options(issue)}
        for issue in issues
        if issue.kind == IssueKind.UNPLACED
    ]
    drift = [issue for issue in issues if issue.kind != IssueKind.UNPLACED]
    repair_moves, repair_error = _repair_moves(course) if drift else ([], "")
    return render(
        request,
        "presentations/manage.html",
        {
            "course": course,
            "membership": membership,
            "groups": selectors.group_list(course=course),
            "draft": draft,
            "draft_days": draft_days,
            "seat_cells": selectors.schedule_seats(
                days=draft_days, seats=course.presenters_per_class, own_group_id=None
            ),
            "published": published,
            "eligible": [s for s in selectors.scheduler_sessions(course=course) if s.eligible],
            "swaps": selectors.swap_list(membership=membership).filter(status=SwapStatus.ACCEPTED),
            "changes": selectors.change_log(course=course)[:20],
            "publish_confirm": PUBLISH_CONFIRM,
            "decisions": decisions,
            "drift": drift,
            "repair_moves": repair_moves,
            "repair_error": repair_error,
            "repair_confirm": REPAIR_CONFIRM,
        },
        status=status,
    )


def _repair_moves(course: Course) -> tuple[list[Any], str]:
    """The groups the drift repair would move (shown before it runs), or the reason it can't."""
    try:
        return drift_repair_preview(course=course), ""
    except ValidationError as problem:
        return [], "; ".join(problem.messages)


REPAIR_CONFIRM = "I understand that the repair moves these groups and e-mails their students"


PUBLISH_CONFIRM = "I understand that publishing moves every group to its date in this draft"


@login_required
@require_POST
def manage_action(request: AuthenticatedHttpRequest, course_id: int, action: str) -> HttpResponse:
    membership = _staff(request, course_id)
    course = membership.course
    try:
        if action == "generate":
            schedule = schedule_generate(course=course, actor=request.user)
            messages.success(request, f"Draft v{schedule.version} is ready: review, then publish.")
        elif action == "adjust":
            draft = selectors.schedule_latest_draft(course=course)
            if draft is None:
                raise ValidationError({"schedule": "there is no draft to adjust"})
            placements = {
                int(key.removeprefix("place-")): dt.date.fromisoformat(value)
                for key, value in request.POST.items()
                if key.startswith("place-")
                and key.removeprefix("place-").isdigit()
                and isinstance(value, str)
                and value
            }
            schedule_adjust(schedule=draft, placements=placements, actor=request.user)
            messages.success(request, "Draft updated.")
        elif action == "publish":
            draft = selectors.schedule_latest_draft(course=course)
            if draft is None:
                raise ValidationError({"schedule": "there is no draft to publish"})
            published = selectors.schedule_published(course=course)
            if published is not None and request.POST.get("reviewed") != str(draft.version):
                # A published schedule is a promise: who moves is shown before it changes.
                messages.info(request, "Review who moves before you publish.")
                return redirect("presentations-publish-preview", course_id=course_id)
            refused = confirmation_refused(
                request,
                title=f"publish draft v{draft.version}",
                label=PUBLISH_CONFIRM,
                consequence="Every group's presentation date becomes the one in this draft; "
                "the class sees the new schedule at once.",
                action_url=reverse("presentations-manage-action", args=[course_id, "publish"]),
                button=f"Publish draft v{draft.version}",
                back_url=reverse("presentations-manage", args=[course_id]),
            )
            if refused is not None:
                return refused
            schedule_publish(schedule=draft, actor=request.user)
            messages.success(request, f"Schedule v{draft.version} is published.")
        else:
            raise Http404("No such action.")
    except ValidationError as error:
        _flash_errors(request, error)
    except ValueError:
        messages.error(request, "Dates: choose each date from the list.")
    return redirect("presentations-manage", course_id=course_id)


@login_required
def publish_preview(request: HttpRequest, course_id: int) -> HttpResponse:
    """Staff: who the latest draft moves off the published schedule, from what date to what
    date and why, before they publish it."""
    membership = _staff(request, course_id)
    course = membership.course
    draft = selectors.schedule_latest_draft(course=course)
    if draft is None:
        raise Http404("There is no draft to publish.")
    published = selectors.schedule_published(course=course)
    rows = (
        selectors.schedule_diff(course=course, old=published, new=draft)
        if published is not None
        else []
    )
    return render(
        request,
        "presentations/publish_preview.html",
        {
            "course": course,
            "membership": membership,
            "draft": draft,
            "published": published,
            "rows": rows,
            "moves": [row for row in rows if row.from_date and row.to_date],
            "publish_confirm": PUBLISH_CONFIRM,
        },
    )


START_OVER_CONFIRM = "I understand that starting over may move groups of the published schedule"


@login_required
def start_over(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    """Staff: a draft solved without the published schedule as its baseline (presentations
    already given stay). The page says first how many published groups it would move."""
    membership = _staff(request, course_id)
    course = membership.course
    error = ""
    try:
        moving = start_over_preview(course=course)
    except ValidationError as problem:
        moving, error = 0, "; ".join(problem.messages)
    if request.method == "POST" and not error:
        refused = confirmation_refused(
            request,
            title="start the schedule over",
            label=START_OVER_CONFIRM,
            consequence=f"The new draft moves {moving} group(s) of the published schedule.",
            action_url=reverse("presentations-start-over", args=[course_id]),
            button="Make a draft from the start",
            back_url=reverse("presentations-manage", args=[course_id]),
        )
        if refused is not None:
            return refused
        try:
            draft = schedule_generate(course=course, actor=request.user, fresh=True)
        except ValidationError as problem:
            error = "; ".join(problem.messages)
        else:
            messages.success(request, f"Draft v{draft.version} is ready: review, then publish.")
            return redirect("presentations-manage", course_id=course_id)
    return render(
        request,
        "presentations/start_over.html",
        {
            "course": course,
            "membership": membership,
            "moving": moving,
            "error": error,
            "published": selectors.schedule_published(course=course),
            "confirm_label": START_OVER_CONFIRM,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def issue_resolve_view(
    request: AuthenticatedHttpRequest, course_id: int, issue_id: int
) -> HttpResponse:
    """Staff: give a group that lost its date one of the options listed for it."""
    membership = _staff(request, course_id)
    issue = get_object_or_404(selectors.issue_list(course=membership.course), pk=issue_id)
    try:
        kind = str(request.POST.get("option", ""))
        kind, _, day = kind.partition("@")
        if kind not in set(OptionKind):
            raise ValidationError({"option": "choose one of the options listed"})
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            raise ValidationError({"option": "choose one of the options listed"}) from None
        issue_resolve(issue=issue, kind=kind, date=date, actor=request.user)
    except ValidationError as problem:
        _flash_errors(request, problem)
        return _manage_render(request, membership, status=400)
    messages.success(request, f"{issue.group.name} has a new date; its students are told.")
    return redirect("presentations-manage", course_id=course_id)


@login_required
@require_POST
def drift_repair_view(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    """Staff: the one-click repair with the fewest moves, once confirmed (the scheduling page
    lists the groups it moves)."""
    membership = _staff(request, course_id)
    refused = confirmation_refused(
        request,
        title="repair the published schedule",
        label=REPAIR_CONFIRM,
        consequence="The repair moves as few groups as possible, publishes the schedule at once "
        "and e-mails every student who moves; the scheduling page lists who moves.",
        action_url=reverse("presentations-repair", args=[course_id]),
        button="Repair with the fewest moves",
        back_url=reverse("presentations-manage", args=[course_id]),
    )
    if refused is not None:
        return refused
    try:
        moved = drift_repair(course=membership.course, actor=request.user)
    except ValidationError as problem:
        _flash_errors(request, problem)
        return _manage_render(request, membership, status=400)
    messages.success(request, f"Schedule repaired: {moved} group(s) moved and told.")
    return redirect("presentations-manage", course_id=course_id)


@login_required
@require_POST
def window_set(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    """Staff: the first and last presentation dates (either may be left empty)."""
    membership = _staff(request, course_id)
    values: dict[str, dt.date | None] = {}
    try:
        for field in ("presentations_start", "presentations_end"):
            raw = str(request.POST.get(field, "")).strip()
            try:
                values[field] = dt.date.fromisoformat(raw) if raw else None
            except ValueError:
                raise ValidationError({field: "give a date such as 2017-09-12"}) from None
        course_update(course=membership.course, **values)
    except ValidationError as problem:
        _flash_errors(request, problem)
        membership.course.refresh_from_db()
        return _manage_render(request, membership, status=400)
    messages.success(request, "Presentation dates saved; new drafts keep to them.")
    return redirect("presentations-manage", course_id=course_id)


def _group_form(
    course: Course, *, group: PresenterGroup | None = None, data: Any = None
) -> GroupForm:
    """The form for a new group (`group` None) or for `group`, bound to `data` when posted."""
    offered = list(selectors.students_without_group(course=course))
    initial: dict[str, Any] = {}
    preferences: list[dt.date] = []
    if group is not None:
        current = [m.user for m in group.members.all()]
        offered = sorted([*current, *offered], key=lambda u: (u.last_name, u.first_name, u.pk))
        preferences = selectors.parse_dates(group.preferences)
        initial = {"name": group.name, "members": [u.pk for u in current]}
    return GroupForm(
        data,
        initial=initial,
        course_users=selectors.course_users(course=course),
        offered=offered,
        dates=[s.date for s in selectors.scheduler_sessions(course=course) if s.eligible],
        preferences=preferences,
    )


def _group_save(
    form: GroupForm, *, course: Course, group: PresenterGroup | None
) -> PresenterGroup | None:
    """The group created or changed by the services, or None with the errors on the form (the
    services are atomic: a refused change writes nothing)."""
    if not form.is_valid():
        return None
    fields = {
        "name": form.cleaned_data["name"],
        "members": list(form.cleaned_data["members"]),
        "preferences": form.cleaned_data["preferences"],
    }
    try:
        if group is None:
            return group_create(course=course, **fields)
        return group_update(group=group, **fields)
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            if field in form.fields:
                form.add_error(field, problems)
            else:
                label = plain_field_name(field)
                form.add_error(None, [f"{label}: {problem}" for problem in problems])
        return None


def _group_rows(course: Course) -> list[dict[str, Any]]:
    """Each group with its members, ranked dates, unavailable dates and published date."""
    published = selectors.schedule_published(course=course)
    dates = {slot.group_id: slot.date for slot in published.slots.all()} if published else {}
    return [
        {
            "group": group,
            "preferences": selectors.parse_dates(group.preferences),
            "unavailable": selectors.parse_dates(group.unavailable),
            "presents_on": dates.get(group.pk),
        }
        for group in selectors.group_list(course=course)
    ]


@login_required
def groups_page(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    """Staff: every presenter group with its dates, the students in none, and a new group."""
    membership = _staff(request, course_id)
    course = membership.course
    form = _group_form(course, data=request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        group = _group_save(form, course=course, group=None)
        if group is not None:
            messages.success(request, f"Group {group.name} created.")
            return redirect("presentations-groups", course_id=course_id)
        status = 400
    context = {
        "course": course,
        "membership": membership,
        "rows": _group_rows(course),
        "ungrouped": selectors.students_without_group(course=course),
        "form": form,
    }
    return render(request, "presentations/groups.html", context, status=status)


@login_required
def group_edit(request: AuthenticatedHttpRequest, course_id: int, group_id: int) -> HttpResponse:
    """Staff: rename a group, change its members or its ranked dates."""
    membership = _staff(request, course_id)
    course = membership.course
    group = selectors.group_get(course=course, group_id=group_id)
    data = request.POST if request.method == "POST" else None
    form = _group_form(course, group=group, data=data)
    status = 200
    if request.method == "POST":
        saved = _group_save(form, course=course, group=group)
        if saved is not None:
            messages.success(request, f"Group {saved.name} saved.")
            return redirect("presentations-groups", course_id=course_id)
        status = 400
        group = selectors.group_get(course=course, group_id=group_id)  # as it is, unchanged
    context = {
        "course": course,
        "membership": membership,
        "group": group,
        "presents_on": selectors.group_published_date(group=group),
        "unavailable": selectors.parse_dates(group.unavailable),
        "form": form,
    }
    return render(request, "presentations/group_edit.html", context, status=status)


@login_required
def group_delete_page(
    request: AuthenticatedHttpRequest, course_id: int, group_id: int
) -> HttpResponse:
    """Staff: confirm, then delete a group; refused while it is on the published schedule."""
    membership = _staff(request, course_id)
    course = membership.course
    group = selectors.group_get(course=course, group_id=group_id)
    status = 200
    error = ""
    if request.method == "POST":
        try:
            group_delete(group=group)
        except ValidationError:
            error = (
                f"{group.name} presents on the published schedule, so it cannot be deleted. "
                "Publish a schedule without it first."
            )
            status = 400
        else:
            messages.success(request, f"Group {group.name} deleted.")
            return redirect("presentations-groups", course_id=course_id)
    context = {
        "course": course,
        "membership": membership,
        "group": group,
        "presents_on": selectors.group_published_date(group=group),
        "drafts": selectors.group_draft_versions(group=group),
        "error": error,
    }
    return render(request, "presentations/group_delete.html", context, status=status)


@login_required
def schedule_csv(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    course = membership.course
    days = selectors.schedule_days(
        course=course, schedule=selectors.schedule_published(course=course)
    )
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="presentations.csv"'
    writer = csv_writer(response)
    writer.writerow(["date", "session", "order", "group", "members"])
    for day in days:
        if not day.slots:
            writer.writerow(
                [day.session.date.isoformat(), day.label or "no presenters", "", "", ""]
            )
        for slot in day.slots:
            # Classmates see each other by display name, never by username (an e-mail, often).
            members = "; ".join(display_name(m.user) for m in slot.group.members.all())
            date = day.session.date.isoformat()
            writer.writerow([date, "", slot.order, slot.group.name, members])
    return response


def _ics(
    request: HttpRequest, key: tuple[Any, ...], scopes: list[str], feed: Callable[[], feeds.Feed]
) -> HttpResponse:
    """The feed (feed() builds it, unless the one built for key is kept and current), or 304 Not
    Modified when the caller's copy (If-None-Match) is current."""
    body, digest = caching.kept(
        ("ics", *key), scopes=scopes, build=lambda: feeds.render(feed(), now=timezone.now())
    )
    etag = f'"{digest}"'
    not_modified = get_conditional_response(request, etag=etag)
    response = not_modified or HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=300"
    return response


def _course_feed(membership: Membership) -> tuple[tuple[Any, ...], list[str], Any]:
    """The key, scopes and builder of a member's course feed (their own presentations are
    marked)."""
    course = membership.course

    def build() -> feeds.Feed:
        return feeds.course_feed(
            course,
            selectors.published_days_for_feed(course=course),
            own_group_id=selectors.group_id_of_user(course=course, user=membership.user),
        )

    return ("course", membership.pk), [caching.course_scope(course.pk)], build


@login_required
def course_ics(request: HttpRequest, course_id: int) -> HttpResponse:
    membership = membership_get(user=request.user, course_id=course_id)
    return _ics(request, *_course_feed(membership))


def feed_course(request: HttpRequest, key: str, course_id: int) -> HttpResponse:
    """A course's feed for calendar apps, which cannot log in: the private key stands in."""
    membership = selectors.membership_by_feed_key(key=key, course_id=course_id)
    return _ics(request, *_course_feed(membership))


def feed_mine(request: HttpRequest, key: str) -> HttpResponse:
    """Every course of the user in one feed, with their own presentations marked."""
    user = selectors.feed_user_get(key=key)

    def build() -> feeds.Feed:
        entries = selectors.feed_courses(user=user)  # a fixed number of queries for all courses
        courses = [
            feeds.course_feed(entry.course, entry.days, own_group_id=entry.own_group_id)
            for entry in entries
        ]
        return feeds.merged(f"courseportal: {display_name(user)}", courses)

    # The user's name and the content of each of their courses.
    course_ids = sorted(course_list_for_user(user=user).values_list("pk", flat=True))
    scopes = [caching.ACCOUNTS, *(caching.course_scope(pk) for pk in course_ids)]
    return _ics(request, ("mine", user.pk), scopes, build)


@login_required
@require_POST
def feed_rotate(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    membership_get(user=request.user, course_id=course_id)
    calendar_feed_rotate(user=request.user)
    messages.success(request, "New private calendar address made; the old one no longer works.")
    return redirect("presentations-group", course_id=course_id)
