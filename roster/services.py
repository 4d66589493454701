"""Roster import: preview what a Canvas or Gradescope roster would change, then apply it.

The roster is the registrar's truth for students: a student of the course missing from it is
deactivated (never deleted: their reviews, submissions and grades stay on record), a student
back in it is reactivated, and re-importing the same file changes nothing. Staff memberships
are never deactivated nor have their role changed by a roster, and only instructors add
instructors. People new to the portal get an account without a password and an email with a
link to set one. Its username is never the e-mail address (classmates must not learn it): the
campus login from the file's "SIS Login ID" column when it has one that is free, else one made
from the person's name ("ada.lovelace", "ada.lovelace2").

A row is matched to an account by its SIS user id (the member of this course with that id),
then its login id (the member with that SIS login id), then its e-mail, and a row without an
e-mail, as a last resort, by Canvas's own user id ("ID"); the preview says which matched, and a
row whose e-mail is not that member's is refused. A file without e-mails
(Canvas's gradebook export) therefore updates the students it names but cannot make accounts.
The LMS identity of each membership (SIS user id, SIS login id, Canvas user id, the name as
the LMS writes it, section) is kept as the file wrote it, for the grade export to give back; a
Canvas gradebook's assignment columns are kept on the course for the same reason.

Apply re-plans inside one transaction (the course row locked, so two imports of one course
run one after the other) and refuses, writing nothing, when any row has an error.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from courseportal import caching
from courses.models import STAFF_ROLES, Course, Membership, Role
from courses.signals import memberships_changed
from roster.parsing import ParsedRoster, RosterFileError, RosterRole, RosterRow, RowError
from roster.parsing import parse_roster as parse_core

logger = logging.getLogger(__name__)

CHUNK_ROWS = 500
USERNAME_MAX = 150  # Django's username
# Django's default username validator (letters, digits and @ . + - _).
_USERNAME_RE = re.compile(r"[\w.@+-]+\Z", re.ASCII)
Progress = Callable[[int, int, str], None]


class Action(StrEnum):
    CREATE = "create"  # a new account and its membership
    ADD = "add"  # an existing account joins the course
    UPDATE = "update"
    REACTIVATE = "reactivate"
    UNCHANGED = "unchanged"


@dataclass
class PlannedRow:
    row: int
    email: str
    first_name: str
    last_name: str
    role: str
    section: str
    sis_id: str
    action: Action
    changes: list[str] = field(default_factory=list)
    login_id: str = ""
    user_id: int | None = None
    membership_id: int | None = None
    # How the row found its account: one of MATCHES.
    match: str = "new"
    sis_login_id: str = ""
    lms_user_id: str = ""
    lms_name: str = ""


# PlannedRow.match: the account was found by SIS user id, login id or e-mail, or is new.
MATCH_SIS = "SIS user id"
MATCH_LOGIN = "login id"
MATCH_EMAIL = "e-mail"
MATCH_LMS = "Canvas user id"
MATCH_NEW = "new"
MATCHES = (MATCH_SIS, MATCH_LOGIN, MATCH_EMAIL, MATCH_LMS, MATCH_NEW)
# An id a row is matched by: the parsed column it comes from, and how a message names it.
_ID_COLUMNS = {MATCH_SIS: ("sis_id", "SIS id"), MATCH_LOGIN: ("login_id", "login id")}
_ID_COLUMNS[MATCH_LMS] = ("lms_user_id", "Canvas user id")
# The membership fields a roster sets, and how a change to each is shown.
MEMBERSHIP_FIELDS = {
    "role": "role",
    "section": "section",
    "sis_id": "SIS user id",
    "sis_login_id": "SIS login id",
    "lms_user_id": "LMS user id",
    "lms_name": "name in the LMS",
}
# The parsed column each of them comes from.
SOURCE_COLUMNS = {
    "section": "section",
    "sis_id": "sis_id",
    "sis_login_id": "login_id",
    "lms_user_id": "lms_user_id",
    "lms_name": "lms_name",
}


@dataclass
class Departure:
    membership_id: int
    username: str
    email: str
    name: str


@dataclass
class RosterPlan:
    format: str
    columns: dict[str, str]
    rows: list[PlannedRow]
    errors: list[RowError]
    deactivate: list[Departure]
    skipped: list[int]
    applied: bool = False
    lms_columns: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        changed = sum(1 for r in self.rows if r.action != Action.UNCHANGED)
        return changed + len(self.deactivate)

    def counts(self) -> dict[str, int]:
        counts = {action.value: 0 for action in Action}
        for row in self.rows:
            counts[row.action.value] += 1
        counts["deactivate"] = len(self.deactivate)
        counts["errors"] = len(self.errors)
        counts["changes"] = self.changes
        return counts

    def as_dict(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "format": self.format,
            "columns": self.columns,
            "counts": self.counts(),
            "errors": [asdict(e) for e in self.errors],
            "rows": [{**asdict(r), "action": r.action.value} for r in self.rows],
            "deactivate": [asdict(d) for d in self.deactivate],
            "skipped_rows": self.skipped,
            "lms_columns": self.lms_columns,
            "match_counts": {
                how: n for how in MATCHES if (n := sum(1 for r in self.rows if r.match == how))
            },
        }


def how_value(row: RosterRow, how: str) -> str:
    values = {
        MATCH_SIS: row.sis_id,
        MATCH_LOGIN: row.login_id,
        MATCH_LMS: row.lms_user_id,
        MATCH_EMAIL: row.email,
    }
    return values.get(how, "")


class RosterRejected(Exception):
    """Apply refused: some rows have errors, and nothing was written."""

    def __init__(self, plan: RosterPlan) -> None:
        super().__init__(f"{len(plan.errors)} rows have errors; nothing was applied")
        self.plan = plan


def roster_parse(*, content: bytes) -> ParsedRoster:
    """The file's rows, or ValidationError naming the `file` field."""
    try:
        return parse_core(content)
    except RosterFileError as error:
        raise ValidationError({"file": str(error)}) from None


class _Planner:
    """Compares the file's rows with the course's memberships, one chunk of rows at a time."""

    def __init__(self, course: Course, parsed: ParsedRoster, importer_role: str) -> None:
        self.parsed = parsed
        self.importer_role = importer_role
        self.memberships = {
            m.user_id: m for m in Membership.objects.filter(course=course).select_related("user")
        }
        self.sis_holders = {m.sis_id: m for m in self.memberships.values() if m.sis_id}
        self.login_holders = {
            m.sis_login_id.lower(): m for m in self.memberships.values() if m.sis_login_id
        }
        self.lms_holders = {m.lms_user_id: m for m in self.memberships.values() if m.lms_user_id}
        self.rows: list[PlannedRow] = []
        self.errors: list[RowError] = list(parsed.errors)

    def column(self, name: str) -> str:
        return self.parsed.columns.get(name, name)

    def error(self, row: RosterRow, name: str, message: str) -> None:
        self.errors.append(RowError(row.row, self.column(name), message))

    def plan_chunk(self, rows: list[RosterRow]) -> None:
        emails = [r.email for r in rows if r.email]
        user_model = get_user_model()
        users: dict[str, list[Any]] = {}
        for user in user_model.objects.annotate(e=Lower("email")).filter(e__in=emails):
            users.setdefault(user.e, []).append(user)
        taken = set(
            user_model.objects.annotate(u=Lower("username"))
            .filter(u__in=emails)
            .values_list("u", flat=True)
        )
        for row in rows:
            found = self.match(row)
            if found is not None:
                holder, how = found
                if row.email and holder.user.email.lower() != row.email:
                    # The file gives this id to someone else than the member who has it.
                    who = holder.user.email or holder.user.get_username()
                    name, id_name = _ID_COLUMNS[how]
                    message = f"{id_name} {how_value(row, how)} belongs to {who} in this course"
                    self.error(row, name, message)
                    continue
                self.plan_existing(row, holder.user, how)
                continue
            matches = users.get(row.email, []) if row.email else []
            if not row.email:
                given = [how for how in _ID_COLUMNS if how_value(row, how)]
                ids = " or ".join(f"{how} {how_value(row, how)}" for how in given)
                self.error(
                    row,
                    _ID_COLUMNS[given[0]][0],
                    f"no student of this course has {ids}, and without an e-mail no account "
                    "can be made: import a roster with e-mails first (Canvas's users CSV, "
                    "Gradescope's roster)",
                )
            elif len(matches) > 1:
                self.error(row, "email", f"{len(matches)} accounts use {row.email}: merge them")
            elif matches:
                self.plan_existing(row, matches[0], MATCH_EMAIL)
            elif row.email in taken:
                self.error(row, "email", f"an account named {row.email} has another email")
            else:
                self.plan_new(row, None, MATCH_NEW)

    def match(self, row: RosterRow) -> tuple[Membership, str] | None:
        """The member of the course with the row's SIS user id, else with its SIS login id;
        None to go by e-mail (a row without one: by its Canvas user id, as a last resort)."""
        if row.sis_id and row.sis_id in self.sis_holders:
            return self.sis_holders[row.sis_id], MATCH_SIS
        login = row.login_id.lower()
        if login and login in self.login_holders:
            return self.login_holders[login], MATCH_LOGIN
        if not row.email and row.lms_user_id in self.lms_holders:
            return self.lms_holders[row.lms_user_id], MATCH_LMS
        return None

    def check_new_role(self, row: RosterRow) -> bool:
        if row.role == RosterRole.INSTRUCTOR and self.importer_role != Role.INSTRUCTOR:
            self.error(row, "role", "only the course's instructors add instructors")
            return False
        return True

    def check_sis(self, row: RosterRow, user_id: int | None) -> bool:
        holder = self.sis_holders.get(row.sis_id) if "sis_id" in self.parsed.columns else None
        if holder is not None and holder.user_id != user_id:
            who = holder.user.email or holder.user.get_username()
            self.error(row, "sis_id", f"SIS id {row.sis_id} belongs to {who} in this course")
            return False
        return True

    def check_login(self, row: RosterRow, user_id: int | None) -> bool:
        """The row's login id and Canvas user id are no other member's."""
        holders = [
            (MATCH_LOGIN, self.login_holders.get(row.login_id.lower()) if row.login_id else None),
            (MATCH_LMS, self.lms_holders.get(row.lms_user_id) if row.lms_user_id else None),
        ]
        for how, holder in holders:
            if holder is not None and holder.user_id != user_id:
                who = holder.user.email or holder.user.get_username()
                name, id_name = _ID_COLUMNS[how]
                message = f"{id_name} {how_value(row, how)} belongs to {who} in this course"
                self.error(row, name, message)
                return False
        return True

    def plan_new(self, row: RosterRow, user: Any, how: str) -> None:
        user_id = user.pk if user is not None else None
        role_ok = self.check_new_role(row)
        sis_ok = self.check_sis(row, user_id)  # checked too, so that both errors are reported
        login_ok = self.check_login(row, user_id)
        if role_ok and sis_ok and login_ok:
            action = Action.ADD if user is not None else Action.CREATE
            planned = self._planned(row, action, user_id=user_id)
            planned.match = how
            self.rows.append(planned)

    def plan_existing(self, row: RosterRow, user: Any, how: str) -> None:
        membership = self.memberships.get(user.pk)
        if membership is None:
            self.plan_new(row, user, how)
            return
        if membership.role == Role.AUTOGRADER:
            self.error(row, "email", f"{row.email} is the course's autograder account")
            return
        # Without a role column (a Canvas gradebook) the file says nothing about roles.
        role = row.role.value if "role" in self.parsed.columns else membership.role
        if membership.role in STAFF_ROLES and role != membership.role:
            name = membership.get_role_display()
            self.error(row, "role", f"{row.email} is a {name}: a roster does not change staff")
            return
        if role != membership.role and not self.check_new_role(row):
            return
        if not (self.check_sis(row, user.pk) and self.check_login(row, user.pk)):
            return
        planned = self._planned(row, Action.UNCHANGED, user_id=user.pk, membership=membership)
        planned.role = role
        planned.match = how
        for name, label in MEMBERSHIP_FIELDS.items():
            value = getattr(planned, name)
            if getattr(membership, name) != value:
                planned.changes.append(f"{label}: {getattr(membership, name)!r} → {value!r}")
        if not membership.is_active:
            planned.action = Action.REACTIVATE
        elif planned.changes:
            planned.action = Action.UPDATE
        self.rows.append(planned)

    def _planned(
        self, row: RosterRow, action: Action, *, user_id: int | None, membership: Any = None
    ) -> PlannedRow:
        # A column the file does not have keeps what the membership has.
        columns = self.parsed.columns
        given = {
            "section": row.section,
            "sis_id": row.sis_id,
            "sis_login_id": row.login_id,
            "lms_user_id": row.lms_user_id,
            "lms_name": row.lms_name,
        }
        values = {
            name: given[name]
            if SOURCE_COLUMNS[name] in columns
            else (getattr(membership, name) if membership else "")
            for name in SOURCE_COLUMNS
        }
        email = row.email or (membership.user.email if membership else "")
        return PlannedRow(
            row=row.row,
            email=email,
            first_name=row.first_name,
            last_name=row.last_name,
            role=row.role.value,
            login_id=row.login_id,
            action=action,
            user_id=user_id,
            membership_id=membership.pk if membership else None,
            section=values["section"],
            sis_id=values["sis_id"],
            sis_login_id=values["sis_login_id"],
            lms_user_id=values["lms_user_id"],
            lms_name=values["lms_name"],
        )

    def departures(self) -> list[Departure]:
        staying = {r.user_id for r in self.rows if r.user_id is not None}
        leaving = [
            m
            for m in self.memberships.values()
            if m.role == Role.STUDENT and m.is_active and m.user_id not in staying
        ]
        return [
            Departure(
                membership_id=m.pk,
                username=m.user.get_username(),
                email=m.user.email,
                name=m.user.get_full_name(),
            )
            for m in sorted(leaving, key=lambda m: m.user.get_username())
        ]


def roster_plan(
    *,
    course: Course,
    parsed: ParsedRoster,
    importer_role: str,
    progress: Progress | None = None,
) -> RosterPlan:
    """What applying the parsed roster would do to the course. Reads only."""
    planner = _Planner(course, parsed, importer_role)
    rows = list(parsed.rows)
    for start in range(0, len(rows), CHUNK_ROWS):
        planner.plan_chunk(rows[start : start + CHUNK_ROWS])
        if progress is not None:
            done = min(start + CHUNK_ROWS, len(rows))
            progress(done, len(rows), f"Checked {done} of {len(rows)} rows")
    planner.errors.sort(key=lambda e: e.row)
    return RosterPlan(
        format=parsed.format,
        columns=parsed.columns,
        rows=planner.rows,
        errors=planner.errors,
        deactivate=planner.departures() if not planner.errors else [],
        skipped=list(parsed.skipped),
        lms_columns=list(parsed.lms_columns),
    )


def roster_preview(
    *, course: Course, content: bytes, importer_role: str, progress: Progress | None = None
) -> RosterPlan:
    parsed = roster_parse(content=content)
    return roster_plan(course=course, parsed=parsed, importer_role=importer_role, progress=progress)


def _name_slug(first: str, last: str) -> str:
    """ "Ada Lovelace" -> "ada.lovelace"; accents dropped; "student" when nothing is left."""
    parts = []
    for name in (first, last):
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
        if slug:
            parts.append(slug)
    return ".".join(parts)[: USERNAME_MAX - 6] or "student"


def new_usernames(rows: list[PlannedRow], taken: set[str]) -> dict[int, str]:
    """A username for each new account's row, none of them an e-mail address, none in `taken`
    (lower-cased) nor given twice: the row's campus login when it is a valid username that is
    free, else a slug of the name with the first free number ("ada.lovelace2")."""
    taken = set(taken)
    chosen: dict[int, str] = {}
    for row in rows:
        login = row.login_id
        usable = (
            login
            and len(login) <= USERNAME_MAX
            and "@" not in login
            and _USERNAME_RE.match(login)
            and login.lower() not in taken
        )
        if usable:
            name = login
        else:
            base, number = _name_slug(row.first_name, row.last_name), 1
            name = base
            while name.lower() in taken:
                number += 1
                name = f"{base}{number}"
        taken.add(name.lower())
        chosen[row.row] = name
    return chosen


def _taken_usernames(rows: list[PlannedRow]) -> set[str]:
    """The lower-cased usernames that the candidates for `rows` would collide with: in a few
    queries however long the roster (name slugs are looked up with their numbered variants only
    when the slug itself is taken)."""
    users = get_user_model().objects.annotate(u=Lower("username"))
    wanted = sorted(
        {_name_slug(r.first_name, r.last_name) for r in rows}
        | {r.login_id.lower() for r in rows if r.login_id}
    )
    taken: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        taken |= set(users.filter(u__in=chunk).values_list("u", flat=True))
    for base in {_name_slug(r.first_name, r.last_name) for r in rows} & taken:
        taken |= set(users.filter(u__startswith=base).values_list("u", flat=True))
    return taken


def _create_users(rows: Iterable[PlannedRow]) -> dict[int, Any]:
    """Accounts for people new to the portal, no password yet; usernames by `new_usernames`."""
    user_model = get_user_model()
    rows = list(rows)
    usernames = new_usernames(rows, _taken_usernames(rows))
    users = []
    for row in rows:
        user = user_model(
            username=usernames[row.row],
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
        )
        user.set_unusable_password()
        users.append(user)
    created = user_model.objects.bulk_create(users)
    by_email = {u.email: u for u in user_model.objects.filter(email__in=[u.email for u in created])}
    return {row.row: by_email[row.email] for row in rows}


def _write(course: Course, plan: RosterPlan) -> list[int]:
    """Apply the plan's rows; returns the ids of the accounts created."""
    new_rows = [r for r in plan.rows if r.action == Action.CREATE]
    new_users = _create_users(new_rows)
    joining = [r for r in plan.rows if r.action in {Action.CREATE, Action.ADD}]
    Membership.objects.bulk_create(
        Membership(
            course=course,
            user_id=r.user_id if r.user_id is not None else new_users[r.row].pk,
            role=r.role,
            **{name: getattr(r, name) for name in SOURCE_COLUMNS},
        )
        for r in joining
    )
    Membership.objects.filter(pk__in=[d.membership_id for d in plan.deactivate]).update(
        is_active=False
    )
    changed = [r for r in plan.rows if r.action in {Action.UPDATE, Action.REACTIVATE}]
    updates = [
        Membership(
            pk=r.membership_id, role=r.role, **{name: getattr(r, name) for name in SOURCE_COLUMNS}
        )
        for r in changed
    ]
    for update in updates:
        update.is_active = True
    Membership.objects.bulk_update(updates, [*MEMBERSHIP_FIELDS, "is_active"])
    if plan.lms_columns:
        Course.objects.filter(pk=course.pk).update(lms_columns=plan.lms_columns)
    # Bulk writes send no signal: what is kept of the course's memberships goes by hand. (The
    # accounts made here are in nothing kept until they join, which this is.)
    caching.changed(caching.course_scope(course.pk))
    # A dropped student may be on a published presentation schedule (presentations listens).
    memberships_changed.send(sender=Course, course=course)
    return [u.pk for u in new_users.values()]


def roster_apply(
    *,
    course: Course,
    content: bytes,
    importer_role: str,
    base_url: str,
) -> RosterPlan:
    """Apply the roster in one transaction, or raise RosterRejected having written nothing.
    New accounts are emailed a set-password link (after the commit) under `base_url`.
    It reports no progress: inside the transaction nobody else could see it."""
    parsed = roster_parse(content=content)
    try:
        with transaction.atomic():
            Course.objects.select_for_update().filter(pk=course.pk).first()
            plan = roster_plan(course=course, parsed=parsed, importer_role=importer_role)
            if plan.errors:
                raise RosterRejected(plan)
            new_user_ids = _write(course, plan)
            transaction.on_commit(
                lambda: invitations_send(course=course, user_ids=new_user_ids, base_url=base_url),
                robust=True,
            )
    except IntegrityError:
        # Another import (of another course) created one of these accounts meanwhile.
        raise ValidationError(
            {"file": "the roster changed while it was being applied; preview and apply again"}
        ) from None
    plan.applied = True
    return plan


def set_password_link(*, user: Any, base_url: str) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("set-password", kwargs={"uidb64": uidb64, "token": token})
    return base_url.rstrip("/") + path


def invitations_send(*, course: Course, user_ids: list[int], base_url: str) -> int:
    """Email each new account a link to set its password; returns how many were sent."""
    if not user_ids:
        return 0
    messages = []
    for user in get_user_model().objects.filter(pk__in=user_ids).order_by("pk"):
        context = {
            "course": course,
            "user": user,
            "link": set_password_link(user=user, base_url=base_url),
        }
        messages.append(
            EmailMessage(
                subject=f"[{course.code}] Your courseportal account",
                body=render_to_string("roster/invitation_email.txt", context),
                to=[user.email],
            )
        )
    return get_connection().send_messages(messages) or 0
