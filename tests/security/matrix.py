"""The permission matrix: every URL pattern by every role -> the status it must answer.

One row per URL pattern name and HTTP method. The seven statuses of a row are in the order of
`ROLES`: anonymous, student, other_student, ta, instructor, autograder, other_autograder.
"student" and "ta" and so on are members of the course the URL names; "other_*" are members of
another course only. A status is a number, `login` (a redirect to the login page), `302!` (a
page redirecting back with an error message: it refused the form or the action), or
alternatives such as `200|503`.

Adding an endpoint means adding a line, for example:

    row("api-paper-list", "GET", MEMBERS),

URL kwargs are filled from the world by name (`URL_KWARGS`); pass `kwargs=` for another
object and `body=` for a write. The API is called with each role's API token, pages with each
role's session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from convlab.models import Assignment
from presentations.models import (
    GroupInvitation,
    GroupMember,
    IssueKind,
    ScheduleIssue,
    SwapRequest,
)
from presentations.services.groups import group_create
from presentations.services.schedules import schedule_generate
from tests.factories import PASSWORD, make_member, make_user
from tests.security.world import PDF, REVIEW, ROLES, ROSTER, SOURCE, World

Builder = Callable[[World, str], dict[str, Any]]

# Frequent rows. anon, student, other_student, ta, instructor, autograder, other_autograder
MEMBERS = "401 200 404 200 200 200 404"  # any member of the course reads
STAFF_WRITE = "401 403 404 201 201 403 404"  # TAs and instructors create
STAFF_ONLY = "401 403 404 200 200 403 404"
PAGE_MEMBERS = "login 200 404 200 200 200 404"
PAGE_STAFF = "login 403 404 200 200 403 404"
EVERYONE = "200 200 200 200 200 200 200"


# URL kwarg name -> its value in the world, for the role calling.
URL_KWARGS: dict[str, Callable[[World, str], Any]] = {
    "course_id": lambda w, role: w.course.pk,
    "exception_id": lambda w, role: w.exception.pk,
    "announcement_id": lambda w, role: w.announcement.pk,
    "paper_id": lambda w, role: w.released_paper.pk,
    "review_id": lambda w, role: w.own_review.pk,
    "group_id": lambda w, role: w.group.pk,
    "schedule_id": lambda w, role: w.published.pk,
    "swap_id": lambda w, role: w.swap_to_student.pk,
    "slug": lambda w, role: w.assignment.slug,
    "submission_id": lambda w, role: w.submission.pk,
    "token_id": lambda w, role: w.spare_token.pk,
    # A calendar app calls with the caller's own private key; anonymous has none.
    "key": lambda w, role: w.feed_keys.get(role, "no-such-key"),
    "decision": lambda w, role: "accept",
    "action": lambda w, role: "generate",
    "job_id": lambda w, role: w.job.pk,
    # The TA's membership: the one an instructor removes on the staff roles page.
    "membership_id": lambda w, role: w.users["ta"].memberships.get(course=w.course).pk,
    # The student's own grades; rows for another student's pass `kwargs=_carol`.
    "student_id": lambda w, role: w.users["student"].pk,
    "kind": lambda w, role: "canvas",
    # The invitation link of a new account: the token stands in for a login.
    "uidb64": lambda w, role: w.invitation["uidb64"],
    "token": lambda w, role: w.invitation["token"],
}


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    expected: dict[str, str]
    kwargs: Builder | None = None
    body: Builder | None = None
    # Runs inside the cell's transaction before the request (a fresh object for a write that
    # destroys it, say); what it returns is added to the URL kwargs.
    setup: Builder | None = None
    # "json" for the API; "form" sends a (multipart) form, as a browser or an upload does.
    encoding: str = "json"
    note: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.name} {self.method}"

    def url_kwargs(
        self, world: World, role: str, names: list[str], prepared: dict[str, Any]
    ) -> dict[str, Any]:
        values = {**(self.kwargs(world, role) if self.kwargs is not None else {}), **prepared}
        return {n: values[n] if n in values else URL_KWARGS[n](world, role) for n in names}


def row(
    name: str,
    method: str,
    statuses: str,
    *,
    kwargs: Builder | None = None,
    body: Builder | None = None,
    setup: Builder | None = None,
    encoding: str | None = None,
    note: str = "",
) -> Row:
    codes = statuses.split()
    if len(codes) != len(ROLES):
        raise ValueError(f"{name} {method}: {len(codes)} statuses for {len(ROLES)} roles")
    if encoding is None:
        encoding = "json" if name.startswith("api-") else "form"
    expected = dict(zip(ROLES, codes, strict=True))
    return Row(name, method, expected, kwargs, body, setup, encoding, note)


def _own_instructor(world: World) -> int:
    """The instructor's membership (h18edges)."""
    return int(world.users["instructor"].memberships.get(course=world.course).pk)


def make_user_once(username: str) -> Any:
    """An account outside every course (h18edges)."""
    user_model = get_user_model()
    found = user_model.objects.filter(username=username).first()
    return found if found is not None else make_user(username)


def _const(data: Mapping[str, Any]) -> Builder:
    return lambda world, role: dict(data)


def _username(world: World, role: str) -> str:
    user = world.users.get(role)
    return user.get_username() if user is not None else "nobody"


def _submit_body(world: World, role: str) -> dict[str, Any]:
    # A student submits for themselves; an autograder names the student it submits for.
    return {"source": SOURCE, "student": world.users["student"].get_username()}


def _slides_file(world: World, role: str) -> dict[str, Any]:
    return {"slides_file": SimpleUploadedFile("slides.pdf", PDF, "application/pdf")}


def _upload(world: World, role: str) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("solution.py", SOURCE.encode(), "text/x-python")}


def _exception_body(world: World, role: str) -> dict[str, Any]:
    return {"date": world.day(41).isoformat(), "kind": "no_class", "reason": "holiday"}


def _paper_body(world: World, role: str) -> dict[str, Any]:
    return {"session_date": world.day(22).isoformat(), "title": "Network in Network"}


def _paper_form(world: World, role: str) -> dict[str, Any]:
    paper = world.released_paper
    return {"session_date": paper.session_date.isoformat(), "title": "Renamed", "link": ""}


def _reading_list(world: World, role: str) -> dict[str, Any]:
    content = f"date,title\n{world.day(22).isoformat()},Network in Network\n"
    return {"file": SimpleUploadedFile("reading.csv", content.encode(), "text/csv")}


def _group_body(world: World, role: str) -> dict[str, Any]:
    # A student forms a group of themselves; staff form one for a student without a group.
    members = ["erin"] if role in {"ta", "instructor"} else [_username(world, role)]
    return {"name": "Grad-CAM", "members": members}


def _without_group(world: World, role: str) -> dict[str, Any]:
    """The student leaves their group, and erin (in no group) joins the course."""
    GroupMember.objects.filter(user=world.users["student"]).delete()
    make_member(world.course, "erin", "student")
    return {}


def _fresh_group(world: World, role: str) -> dict[str, Any]:
    """A group that is on no published schedule, so that it may be deleted."""
    erin = make_member(world.course, "erin", "student")
    group = group_create(course=world.course, name="Deconvnets", members=[erin])
    return {"group_id": group.pk}


# --- issue #18 (branch h18core) -----------------------------------------------------------
def _with_draft(world: World, role: str) -> dict[str, Any]:
    """A draft besides the published schedule: the publish review compares the two."""
    schedule_generate(course=world.course, actor=None)
    return {}


def _with_issue(world: World, role: str) -> dict[str, Any]:
    """A group waiting for a staff decision on its new date."""
    issue = ScheduleIssue.objects.create(
        course=world.course, group=world.group, kind=IssueKind.UNPLACED, message="lost its date"
    )
    return {"issue_id": issue.pk}


def _invitable(world: World, role: str) -> dict[str, Any]:
    """The student is alone in a group on no schedule, and erin (in no group) may be invited."""
    GroupMember.objects.filter(user=world.users["student"]).delete()
    group_create(course=world.course, name="Graph nets", members=[world.users["student"]])
    make_member(world.course, "erin", "student")
    return {}


def _invited_student(world: World, role: str) -> dict[str, Any]:
    """erin's new group has invited the student, who has left their own group."""
    GroupMember.objects.filter(user=world.users["student"]).delete()
    erin = make_member(world.course, "erin", "student")
    group = group_create(course=world.course, name="Graph nets", members=[erin])
    invitation = GroupInvitation.objects.create(
        course=world.course, group=group, invitee=world.users["student"], invited_by=erin
    )
    return {"invitation_id": invitation.pk}


def _invited_by_student(world: World, role: str) -> dict[str, Any]:
    """The student's new group (on no schedule) has invited erin."""
    _invitable(world, role)
    group = GroupMember.objects.get(user=world.users["student"]).group
    invitation = GroupInvitation.objects.create(
        course=world.course,
        group=group,
        invitee=get_user_model().objects.get(username="erin"),
        invited_by=world.users["student"],
    )
    return {"invitation_id": invitation.pk}


def _no_open_swap(world: World, role: str) -> dict[str, Any]:
    """The student's group has no open request to carol's group, so it may ask again."""
    SwapRequest.objects.filter(pk=world.swap_accepted.pk).delete()
    return {}


def _placements(world: World, role: str) -> dict[str, Any]:
    return {"placements": [{"group": world.dave_group.pk, "date": world.day(33).isoformat()}]}


def _preferences_form(world: World, role: str) -> dict[str, Any]:
    return {f"rank-{world.day(34).isoformat()}": "1"}


def _rating_form(world: World, role: str) -> dict[str, Any]:
    return {"helpful": "true", "tags": ["too_vague"]}


def _roster_file(world: World, role: str) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("roster.csv", ROSTER.encode(), "text/csv")}


def _carol(world: World, role: str) -> dict[str, Any]:
    return {"student_id": world.carol.pk}


def _graded_group(world: World, role: str) -> dict[str, Any]:
    return {"group_id": world.carol_group.pk}  # the group the world's presentation grade is of


def _lab_form(world: World, role: str) -> dict[str, Any]:
    # The world's lab with its own settings (it has submissions: the suite stays).
    lab = world.assignment
    return {
        "title": "Lab 2 (renamed)",
        "slug": lab.slug,
        "suite": lab.suite,
        "opens_at": "2030-01-07T09:00",
        "due_at": "2030-02-07T23:59",
        "grace_minutes": "0",
        "late_penalty_percent_per_day": "10",
        "max_submissions_per_day": "20",
    }


def _new_lab_form(world: World, role: str) -> dict[str, Any]:
    return {**_lab_form(world, role), "title": "Lab 3", "slug": "lab-3"}


def _unopened_lab(world: World, role: str) -> dict[str, Any]:
    """A lab of the course that opens next year, to open now."""
    lab = Assignment.objects.create(
        course=world.course,
        slug="lab-3",
        title="Lab 3",
        suite="transposed-convolutions",
        opens_at=timezone.now() + dt.timedelta(days=365),
        due_at=timezone.now() + dt.timedelta(days=400),
    )
    return {"slug": lab.slug}


def _admin_login_form(world: World, role: str) -> dict[str, Any]:
    return {"username": _username(world, role), "password": PASSWORD}


def _lti_registered(world: World, role: str) -> dict[str, Any]:
    """A registration of the course's LMS (made in the cell's transaction)."""
    from lti.models import Registration

    made, _ = Registration.objects.get_or_create(
        issuer="https://lms.example.edu",
        client_id="matrix",
        defaults={
            "name": "LMS",
            "auth_login_url": "https://lms.example.edu/auth",
            "auth_token_url": "https://lms.example.edu/token",
            "jwks_url": "https://lms.example.edu/jwks",
            "course": world.course,
        },
    )
    return {"registration_id": made.pk}


def _lti_registration(world: World, role: str) -> dict[str, Any]:
    return {
        "name": "Canvas",
        "issuer": "https://canvas.instructure.com",
        "client_id": f"1000000000{role}",
        "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
        "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
        "jwks_url": "https://sso.canvaslms.com/api/lti/security/jwks",
        "deployment_ids_text": "1:abc",
    }


ROWS: list[Row] = [
    # --- site ---------------------------------------------------------------------------------
    row("healthz", "GET", EVERYONE, note="liveness, the same for every caller; no worker asked"),
    row("healthz-ready", "GET", "401 403 403 403 403 403 403",
        note="the detailed report: site staff only, and nobody in a course is"),
    row("login", "GET", EVERYONE),
    row("logout", "POST", "login login login login login login login"),
    row("admin:index", "GET", "login login login login login login login",
        note="nobody in a course is site staff"),
    row("admin:login", "GET", EVERYONE),
    row("admin-login", "GET", EVERYONE, note="the rate-limited wrapper of admin:login"),
    row("admin-login", "POST", EVERYONE, body=_admin_login_form,
        note="right password, but nobody in a course is site staff: the form again"),
    row("admin:logout", "GET", "302 302 302 302 302 302 302", note="to /admin/, then its login"),
    row("api-schema", "GET", EVERYONE),
    row("api-docs", "GET", EVERYONE),
    row("home", "GET", "login 302 302 302 302 302 302",
        note="one course: straight to it"),
    # --- courses API ---------------------------------------------------------------------------
    row("api-course-list", "GET", "401 200 200 200 200 200 200",
        note="each caller lists their own courses"),
    row("api-course-list", "POST", "401 403 403 403 403 403 403",
        body=lambda w, r: {"code": "CS 1", "title": "T", "term": "X", "time_zone": "UTC",
                           "first_day": "2030-01-07", "last_day": "2030-04-26",
                           "meeting_days": ["Mon"], "meeting_start": "09:00",
                           "meeting_end": "10:00"},
        note="site administrators only"),
    row("api-course-list", "DELETE", "401 405 405 405 405 405 405"),
    row("api-course-detail", "GET", MEMBERS),
    row("api-course-detail", "PATCH", "401 403 404 403 200 403 404",
        body=_const({"title": "Deep Learning (renamed)"})),
    row("api-course-sessions", "GET", MEMBERS),
    row("api-exception-list", "GET", MEMBERS),
    row("api-exception-list", "POST", STAFF_WRITE, body=_exception_body),
    row("api-exception-detail", "GET", MEMBERS),
    row("api-exception-detail", "PUT", STAFF_ONLY, body=_exception_body),
    row("api-exception-detail", "PATCH", STAFF_ONLY, body=_const({"title": "Moved"})),
    row("api-exception-detail", "DELETE", "401 403 404 204 204 403 404"),
    row("api-announcement-list", "GET", MEMBERS),
    row("api-announcement-list", "POST", STAFF_WRITE, body=_const({"title": "PS3 out"})),
    row("api-announcement-detail", "GET", MEMBERS),
    row("api-announcement-detail", "PATCH", STAFF_ONLY, body=_const({"pinned": True})),
    row("api-announcement-detail", "DELETE", "401 403 404 204 204 403 404"),
    # h18edges: the course's TAs and co-instructors, changed by instructors only.
    row("api-course-staff", "GET", "401 403 404 403 200 403 404"),
    row("api-course-staff", "POST", "401 403 404 403 201 403 404",
        body=lambda w, r: {"who": "erin", "role": "instructor"},
        setup=lambda w, r: (make_user_once("erin"), {})[1]),
    row("api-course-staff-detail", "DELETE", "401 403 404 403 204 403 404",
        note="the TA's membership"),
    row("api-course-staff-detail", "DELETE", "401 403 404 403 400 403 404",
        kwargs=lambda w, r: {"membership_id": _own_instructor(w)},
        note="the course's only instructor stays"),
    # --- reviews API --------------------------------------------------------------------------
    row("api-review-analyze", "POST", "401 200 200 200 200 200 200",
        body=_const({"text": "The experiments could have been done better."}),
        note="guidance on a text stores nothing and reveals nothing"),
    row("api-paper-list", "GET", MEMBERS),
    row("api-paper-list", "POST", STAFF_WRITE, body=_paper_body),
    row("api-paper-detail", "GET", MEMBERS),
    row("api-paper-detail", "PATCH", STAFF_ONLY, body=_const({"title": "Renamed"})),
    row("api-paper-detail", "DELETE", "401 403 404 204 204 403 404",
        kwargs=lambda w, r: {"paper_id": w.spare_paper.pk}),
    row("api-paper-reviews", "GET", MEMBERS),
    row("api-paper-reviews", "POST", "401 201 404 403 403 403 404",
        kwargs=lambda w, r: {"paper_id": w.open_paper.pk}, body=_const(REVIEW)),
    row("api-review-detail", "GET", MEMBERS),
    row("api-review-detail", "PATCH", "401 200 404 403 403 403 404",
        body=_const({"rating": 5})),
    row("api-review-versions", "GET", "401 200 404 200 200 403 404"),
    row("api-review-rating", "PUT", "401 200 404 200 200 403 404",
        kwargs=lambda w, r: {"review_id": w.carol_review.pk},
        body=_const({"helpful": True, "tags": ["too_vague"]})),
    row("api-review-tags", "GET", "401 200 404 200 200 403 404",
        note="counts only; the author once released, and staff"),
    row("api-review-tags-course", "GET", STAFF_ONLY),
    row("api-review-revision", "GET", "401 200 404 200 200 403 404",
        note="the note is for the review's author and staff"),
    row("api-review-revision", "POST", STAFF_ONLY,
        body=_const({"note": "Say which setting is not reasonable, and why."})),
    # --- presentations API --------------------------------------------------------------------
    row("api-group-list", "GET", MEMBERS),
    row("api-group-list", "POST", "401 201 404 201 201 403 404", body=_group_body,
        setup=_without_group),
    row("api-group-detail", "GET", MEMBERS),
    row("api-group-detail", "PATCH", "401 200 404 200 200 403 404",
        body=lambda w, r: {"preferences": [w.day(35).isoformat()]}),
    row("api-group-detail", "DELETE", "401 403 404 204 204 403 404", setup=_fresh_group),
    row("api-group-slides", "PUT", "401 200 404 200 200 403 404",
        body=_const({"slides_link": "https://docs.google.com/presentation/d/1"})),
    row("api-group-slides", "POST", "401 200 404 200 200 403 404",
        body=_slides_file, encoding="multipart"),
    row("api-schedule-list", "GET", MEMBERS),
    row("api-schedule-list", "POST", STAFF_WRITE, body=_const({})),
    row("api-schedule-detail", "GET", MEMBERS),
    row("api-schedule-detail", "PATCH", STAFF_ONLY,
        kwargs=lambda w, r: {"schedule_id": w.draft.pk}, body=_placements),
    row("api-schedule-publish", "POST", STAFF_ONLY,
        kwargs=lambda w, r: {"schedule_id": w.draft.pk}, body=_const({"confirm": True})),
    row("api-schedule-changes", "GET", MEMBERS),
    row("api-invitation-list", "GET", MEMBERS),
    row("api-invitation-list", "POST", "401 201 404 403 403 403 404",
        body=_const({"username": "erin"}), setup=_invitable,
        note="students invite into their own group; staff assign members directly"),
    row("api-invitation-accept", "POST", "401 200 404 403 403 404 404", body=_const({}),
        setup=_invited_student, note="staff see the invitation but are not the invitee"),
    row("api-invitation-decline", "POST", "401 200 404 403 403 404 404", body=_const({}),
        setup=_invited_student),
    row("api-invitation-withdraw", "POST", "401 200 404 200 200 404 404", body=_const({}),
        setup=_invited_by_student),
    row("api-swap-list", "GET", MEMBERS),
    row("api-swap-list", "POST", "401 201 404 403 403 403 404",
        body=lambda w, r: {"to_group": w.carol_group.pk}, setup=_no_open_swap),
    row("api-swap-accept", "POST", "401 200 404 400 400 404 404", body=_const({}),
        note="staff see the swap but are not the other group"),
    row("api-swap-approve", "POST", "401 403 404 200 200 404 404",
        kwargs=lambda w, r: {"swap_id": w.swap_accepted.pk}, body=_const({})),
    row("api-swap-reject", "POST", "401 200 404 200 200 404 404", body=_const({})),
    # --- convlab API --------------------------------------------------------------------------
    row("api-assignment-list", "GET", MEMBERS),
    row("api-submission-list", "GET", MEMBERS),
    row("api-submission-list", "POST", "401 202 404 403 403 202 404", body=_submit_body),
    row("api-assignment-regrade", "POST", "401 403 404 202 202 403 404",
        body=_const({"confirm": True})),
    row("api-submission-detail", "GET", "401 200 404 200 200 200 404"),
    row("api-submission-results", "GET", "401 200 404 200 200 200 404"),
    row("api-submission-regrade", "POST", "401 403 404 202 202 403 404", body=_const({})),
    row("api-token-list", "GET", "401 200 200 200 200 200 200",
        note="each caller lists their own tokens"),
    row("api-token-list", "POST", "401 201 201 201 201 201 201", body=_const({"name": "laptop"})),
    row("api-token-detail", "DELETE", "401 204 404 404 404 404 404",
        note="the token is the student's: nobody else may revoke it"),
    # --- roster, jobs and gradebook API -------------------------------------------------------
    row("api-roster-preview", "POST", STAFF_ONLY, body=_roster_file, encoding="multipart"),
    row("api-roster-apply", "POST", STAFF_ONLY, body=_roster_file, encoding="multipart"),
    row("api-job-list", "GET", STAFF_ONLY),
    row("api-job-list", "POST", "401 403 404 202 202 403 404",
        body=lambda w, r: {"kind": "bulk_regrade", "assignment": w.assignment.slug,
                           "confirm": True}),
    row("api-job-detail", "GET", STAFF_ONLY),
    row("api-grades-canvas", "GET", STAFF_ONLY),
    row("api-grades-gradescope", "GET", STAFF_ONLY),
    row("api-grades-student", "GET", "401 200 404 200 200 403 404",
        note="the student's own grades; the autograder reads nobody's"),
    row("api-grades-student", "GET", "401 404 404 200 200 403 404", kwargs=_carol,
        note="another student's grades: staff only"),
    row("api-grades-presentations", "GET", STAFF_ONLY),
    row("api-grades-presentations", "POST", STAFF_ONLY,
        body=lambda w, r: {"group": w.group.pk, "score": 8, "comment": "Clear slides"}),
    row("api-grades-presentation", "DELETE", "401 403 404 204 204 403 404",
        kwargs=_graded_group),
    row("api-grades-policy", "GET", MEMBERS, note="how grades are made is no secret to members"),
    row("api-grades-policy", "PATCH", STAFF_ONLY, body=_const({"review_points": 2})),
    # --- course pages -------------------------------------------------------------------------
    row("course-home", "GET", PAGE_MEMBERS),
    row("course-panel", "GET", PAGE_MEMBERS, note="an autograder gets an empty panel"),
    row("course-calendar", "GET", PAGE_MEMBERS),
    row("course-calendar-exception-delete", "POST", "login 403 404 302 302 403 404",
        body=_const({})),
    # Issue #16, staff pages slice: announcements, staff roles, password reset.
    row("announcements", "GET", PAGE_STAFF),
    row("announcements", "POST", "login 403 404 302 302 403 404",
        body=_const({"title": "PS3 out", "mail_class": "on"})),
    row("announcement-edit", "GET", PAGE_STAFF),
    row("announcement-edit", "POST", "login 403 404 302 302 403 404",
        body=_const({"title": "HW2 + PS2 are out"})),
    row("announcement-delete", "GET", PAGE_STAFF, note="asks for confirmation"),
    row("announcement-delete", "POST", "login 403 404 302 302 403 404", body=_const({})),
    row("course-staff", "GET", "login 403 404 403 200 403 404"),
    row("course-staff", "POST", "login 403 404 403 302 403 404",
        body=lambda w, r: {"who": w.users["other_student"].get_username()}),
    # h18edges: course-ta-remove became course-staff-remove (TAs and co-instructors).
    row("course-staff-remove", "GET", "login 403 404 403 200 403 404",
        note="asks for confirmation"),
    row("course-staff-remove", "POST", "login 403 404 403 302 403 404", body=_const({})),
    row("course-staff-remove", "POST", "login 403 404 403 400 403 404", body=_const({}),
        kwargs=lambda w, r: {"membership_id": _own_instructor(w)},
        note="the course's only instructor stays"),
    row("course-staff", "POST", "login 403 404 403 302 403 404",
        body=lambda w, r: {"who": "erin", "role": "instructor"},
        setup=lambda w, r: (make_user_once("erin"), {})[1],
        note="a co-instructor"),
    # h16fin: the course settings page, instructors only.
    row("course-settings", "GET", "login 403 404 403 200 403 404"),
    row("course-settings", "POST", "login 403 404 403 302 403 404",
        body=lambda w, r: {"code": w.course.code, "title": w.course.title, "term": w.course.term,
                           "presenters_per_class": 6, "slides_due_hours_before": 24}),
    row("password_reset", "GET", EVERYONE),
    row("password_reset", "POST", "302 302 302 302 302 429 429",
        body=lambda w, r: {"email": f"{r}@example.edu"},
        note="LOGIN_FAILURE_LIMIT (5) requests from one address, then 429"),
    row("password_reset_done", "GET", EVERYONE),
    row("password_reset_confirm", "GET", "302 302 302 302 302 302 302",
        note="the invitation's link is a valid reset link too: on to its form"),
    row("password_reset_complete", "GET", EVERYONE),
    # --- review pages -------------------------------------------------------------------------
    row("paper-list", "GET", PAGE_MEMBERS),
    row("paper-detail", "GET", PAGE_MEMBERS),
    row("review-edit", "GET", "login 200 404 403 403 403 404"),
    row("review-edit", "POST", "login 302 404 403 403 403 404",
        kwargs=lambda w, r: {"paper_id": w.open_paper.pk}, body=_const(REVIEW)),
    row("review-guidance", "POST", PAGE_MEMBERS, body=_const(REVIEW)),
    row("review-guidance", "GET", "login 405 405 405 405 405 405"),
    row("review-rate", "POST", "login 302 404 302 302 403 404",
        kwargs=lambda w, r: {"review_id": w.carol_review.pk}, body=_rating_form),
    row("review-revision", "POST", "login 403 404 302 302 403 404",
        body=_const({"note": "Say which setting is not reasonable, and why."})),
    row("review-dashboard", "GET", PAGE_STAFF),
    # Staff pages for papers (issue #16, papers slice).
    row("paper-add", "GET", PAGE_STAFF),
    row("paper-add", "POST", "login 403 404 302 302 403 404", body=_paper_body),
    row("paper-import", "GET", PAGE_STAFF),
    row("paper-import", "POST", "login 403 404 302 302 403 404", body=_reading_list),
    row("paper-edit", "GET", PAGE_STAFF),
    row("paper-edit", "POST", "login 403 404 302 302 403 404", body=_paper_form),
    row("paper-delete", "GET", PAGE_STAFF, note="it has reviews: the page says why it stays"),
    row("paper-delete", "POST", "login 403 404 302 302 403 404",
        kwargs=lambda w, r: {"paper_id": w.spare_paper.pk}, body=_const({})),
    row("paper-release", "POST", "login 403 404 302 302 403 404",
        kwargs=lambda w, r: {"paper_id": w.open_paper.pk}, body=_const({})),
    row("review-export", "GET", PAGE_STAFF),
    # --- presentation pages -------------------------------------------------------------------
    row("presentations", "GET", PAGE_MEMBERS),
    row("presentations-group", "GET", PAGE_MEMBERS),
    row("presentations-preferences", "POST", "login 302 404 404 404 404 404",
        body=_preferences_form, note="only a member of a group has preferences"),
    row("presentations-slides", "POST", "login 302 404 404 404 404 404",
        body=lambda w, r: {"slides_link": "https://docs.google.com/presentation/d/2"}),
    row("presentations-slides-file", "GET", PAGE_MEMBERS),
    row("presentations-group-start", "POST", "login 302 404 403 403 403 404",
        body=_const({"name": "Graph nets"}), setup=_without_group),
    row("presentations-invite", "POST", "login 302 404 302! 302! 302! 404",
        body=_const({"username": "erin"}), setup=_invitable,
        note="only a student in a group invites"),
    row("presentations-invitation-decide", "POST", "login 302 404 403 403 404 404",
        body=_const({}), setup=_invited_student),
    row("presentations-swap", "POST", "login 302 404 302! 302! 302! 404",
        body=lambda w, r: {"to_group": w.carol_group.pk}, setup=_no_open_swap,
        note="only a member of a group asks for a swap"),
    row("presentations-swap-decide", "POST", "login 302 404 302! 302! 404 404", body=_const({}),
        note="staff are told on the page that only the other group accepts"),
    row("presentations-manage", "GET", PAGE_STAFF),
    # Staff pages of presenter groups (#16); POSTs: tests/presentations/test_group_pages.py.
    row("presentations-groups", "GET", PAGE_STAFF),
    row("presentations-group-edit", "GET", PAGE_STAFF),
    row("presentations-group-delete", "GET", PAGE_STAFF, note="on the published schedule: refused"),
    row("presentations-manage-action", "POST", "login 403 404 302 302 403 404", body=_const({})),
    # Issue #18 (branch h18core); their bad inputs: tests/presentations/test_stable_schedule.py.
    row("presentations-publish-preview", "GET", PAGE_STAFF, setup=_with_draft),
    row("presentations-start-over", "GET", PAGE_STAFF),
    row("presentations-start-over", "POST", "login 403 404 400 400 403 404", body=_const({}),
        note="not confirmed: the page asks for the box, nothing is made"),
    row("presentations-issue-resolve", "POST", "login 403 404 400 400 403 404",
        body=_const({}), setup=_with_issue, note="no option chosen"),
    row("presentations-repair", "POST", "login 403 404 302 302 403 404", body=_const({})),
    row("presentations-window", "POST", "login 403 404 302 302 403 404", body=_const({})),
    row("presentations-csv", "GET", PAGE_MEMBERS),
    row("course-ics", "GET", PAGE_MEMBERS),
    row("presentations-feed-rotate", "POST", "login 302 404 302 302 302 404", body=_const({})),
    row("feed-course", "GET", "404 200 404 200 200 200 404",
        note="the private key in the URL stands in for a login"),
    row("feed-mine", "GET", "404 200 200 200 200 200 200"),
    # --- convlab pages ------------------------------------------------------------------------
    row("labs", "GET", PAGE_MEMBERS),
    row("lab-assignment", "GET", PAGE_MEMBERS),
    row("lab-assignment", "POST", "login 302 404 403 403 403 404", body=_upload),
    # Issue #16 (live, safe interaction): a bulk regrade runs only when confirmed.
    row("lab-regrade", "POST", "login 403 404 302 302 403 404", body=_const({"confirm": "yes"})),
    # Issue #16, the lab page slice: the starter file, to every member of the course.
    row("lab-starter", "GET", PAGE_MEMBERS),
    # Issue #16, the lab staff pages slice: create, edit and open labs.
    row("lab-create", "GET", PAGE_STAFF),
    row("lab-create", "POST", "login 403 404 302 302 403 404", body=_new_lab_form),
    row("lab-edit", "GET", PAGE_STAFF),
    row("lab-edit", "POST", "login 403 404 302 302 403 404", body=_lab_form),
    row("lab-open", "GET", PAGE_STAFF, note="asks for confirmation"),
    row("lab-open", "POST", "login 403 404 302 302 403 404", body=_const({}),
        setup=_unopened_lab),
    row("submission", "GET", PAGE_MEMBERS),
    row("submission-status", "GET", PAGE_MEMBERS),
    row("submission-source", "GET", "login 200 404 200 200 200 404",
        note="the autograder reads what it grades, as tests/security/test_files.py says"),
    row("submission-regrade", "POST", "login 403 404 302 302 403 404", body=_const({})),
    # --- roster, jobs and gradebook pages -----------------------------------------------------
    row("roster", "GET", PAGE_STAFF),
    row("roster", "POST", PAGE_STAFF, body=_roster_file, note="the preview of the upload"),
    row("roster-apply", "POST", "login 403 404 302 302 403 404",
        body=_const({"content": ROSTER})),
    row("set-password", "GET", "302 302 302 302 302 302 302",
        note="a valid link: on to its form (the token moves into the session)"),
    row("jobs", "GET", PAGE_STAFF),
    row("jobs", "POST", "login 403 404 302 302 403 404",
        body=lambda w, r: {"assignment": w.assignment.pk}, note="a bulk regrade: on to its job"),
    row("job", "GET", PAGE_STAFF),
    row("job-progress", "GET", PAGE_STAFF),
    row("staff-home", "GET", PAGE_STAFF),
    row("gradebook", "GET", PAGE_STAFF),
    row("grade-export", "GET", PAGE_STAFF),
    row("presentation-grade", "POST", "login 403 404 302 302 403 404",
        body=lambda w, r: {"group": w.group.pk, "score": "8", "comment": "Clear slides"}),
    row("my-grades", "GET", "login 302 404 403 403 403 404", note="staff have no grades"),
    row("student-grades", "GET", "login 200 404 200 200 403 404"),
    row("student-grades", "GET", "login 404 404 200 200 403 404", kwargs=_carol,
        note="another student's grades: staff only"),
    # LTI 1.3 (lti/): the login initiation and the launch are public by design (the LMS sends
    # the browser there; the signed id_token authenticates), and answer 400 to a request that
    # is not a valid launch; the JWKS is public keys only.
    row("lti-login", "GET", "400 400 400 400 400 400 400", note="no iss/login_hint"),
    row("lti-login", "POST", "400 400 400 400 400 400 400", body=_const({}), encoding="form"),
    row("lti-launch", "GET", "405 405 405 405 405 405 405"),
    row("lti-launch", "POST", "400 400 400 400 400 400 400", body=_const({"id_token": "x.y.z"}),
        encoding="form", note="no state: refused before anything is read"),
    row("lti-jwks", "GET", EVERYONE),
    row("lti-deep-link", "GET", "login 400 400 400 400 400 400",
        note="no deep linking request open in the session"),
    row("lti-deep-link", "POST", "login 400 400 400 400 400 400", body=_const({"item": "lab-1"}),
        encoding="form"),
    row("lti-registrations", "GET", "login 403 404 403 200 403 404"),
    row("lti-registrations", "POST", "login 403 404 403 302 403 404", body=_lti_registration,
        encoding="form"),
    row("lti-registration-edit", "GET", "login 403 404 403 200 403 404", kwargs=_lti_registered),
    row("lti-registration-edit", "POST", "login 403 404 403 302 403 404", kwargs=_lti_registered,
        body=_lti_registration, encoding="form"),
    row("account", "GET", "login 200 200 200 200 200 200"),
    row("account", "POST", "login 200 200 200 200 200 200", body=_const({"name": "laptop"})),
]  # fmt: skip

# Every URL of Django's admin site (other than those with a row above) answers like /admin/:
# a redirect to its login page, since no role of a course is site staff.
ADMIN_NAMESPACE = "admin"
ADMIN_EXPECTED = "login login login login login login login"
