"""Roster CSV parsing: Canvas and Gradescope exports in, plain rows and per-row errors out.

Pure Python (no Django): the services decide what the rows mean for a course. The parser
accepts the column names of the files as the tools write them, case- and whitespace-insensitive,
so that staff can upload the file exactly as the LMS gave it, and tells them apart by header:

- "canvas": Canvas's gradebook export (Grades > Export): "Student" ("Last, First"), "ID" (the
  Canvas user id), "SIS User ID", "SIS Login ID", "Section", one column per assignment titled
  "Name (Canvas id)", then read-only totals ("Current Score", "Final Grade", ...). No e-mail:
  its rows are matched to accounts by SIS user id, then login id. Under the header come rows
  that are not people: "Points Possible" (and, in newer exports, the posting policy row), and
  Canvas's "Student, Test".
- "canvas-roster": Canvas's user CSVs (SIS import `users.csv`, the provisioning report):
  `canvas_user_id`, `user_id` (the SIS user id), `login_id`, `sortable_name`, `email`, ...
- "gradescope": Gradescope's roster (Roster > Download): "First Name", "Last Name" or "Name",
  "Email", "SID", "Role", "Sections".
- "generic": any CSV with an "Email" column (and optionally names, SID, section, role).

Problems with the file as a whole (not UTF-8, too big, no column to match people by) raise
RosterFileError; problems with one row are collected as RowError with the spreadsheet row
number (the header is row 1) and the column as the file spells it, so that every bad row is
reported at once instead of one per upload.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

MAX_BYTES = 2 * 2**20
MAX_ROWS = 20_000
NAME_MAX = 150  # Django's first_name / last_name
SECTION_MAX = 100
SIS_ID_MAX = 64
EMAIL_MAX = 254
LOGIN_ID_MAX = 255
LMS_USER_ID_MAX = 32
LMS_NAME_MAX = 255


class RosterRole(StrEnum):
    STUDENT = "student"
    TA = "ta"
    INSTRUCTOR = "instructor"


# Normalised header -> field. Canvas: gradebook/people exports ("Student", "ID", "SIS User ID",
# "SIS Login ID", "Section"); Gradescope: roster export ("First Name", "Last Name", "Name",
# "Email", "SID", "Section", "Role").
HEADER_ALIASES: dict[str, str] = {
    "email": "email",
    "email address": "email",
    "e-mail": "email",
    "e-mail address": "email",
    "name": "name",
    "student": "name",
    "student name": "name",
    "full name": "name",
    "first name": "first_name",
    "given name": "first_name",
    "last name": "last_name",
    "surname": "last_name",
    "family name": "last_name",
    "sortable_name": "name",
    "full_name": "full_name",
    "first_name": "first_name",
    "last_name": "last_name",
    "sis login id": "login_id",
    "login id": "login_id",
    "login_id": "login_id",
    "username": "login_id",
    "sid": "sis_id",
    "sis id": "sis_id",
    "sis user id": "sis_id",
    "student id": "sis_id",
    # Canvas's SIS CSVs call the SIS user id `user_id`, and its own id `canvas_user_id`.
    "user_id": "sis_id",
    "id": "lms_user_id",
    "canvas_user_id": "lms_user_id",
    "canvas user id": "lms_user_id",
    "section": "section",
    "sections": "section",
    "role": "role",
    "roles": "role",
    "enrollment type": "role",
}

# Normalised role spelling -> role (Gradescope: Student/TA/Instructor; Canvas: Student, TA,
# Teacher and the *Enrollment types of its enrollment exports).
ROLE_ALIASES: dict[str, RosterRole] = {
    "": RosterRole.STUDENT,
    "student": RosterRole.STUDENT,
    "students": RosterRole.STUDENT,
    "studentenrollment": RosterRole.STUDENT,
    "ta": RosterRole.TA,
    "tas": RosterRole.TA,
    "teachingassistant": RosterRole.TA,
    "taenrollment": RosterRole.TA,
    "instructor": RosterRole.INSTRUCTOR,
    "instructors": RosterRole.INSTRUCTOR,
    "teacher": RosterRole.INSTRUCTOR,
    "teacherenrollment": RosterRole.INSTRUCTOR,
}

# The WHATWG HTML "valid e-mail address" grammar, plus a dot in the domain: what browsers
# accept in <input type=email>, without the addresses no university mails to (user@localhost).
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
EMAIL_RE = re.compile(rf"[a-zA-Z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+")

# Rows of a Canvas gradebook export that are not people: the points row under the header and
# Canvas's built-in "Test Student" (who has no email).
CANVAS_NON_PEOPLE = frozenset({"points possible", "student, test", "test student"})
# What Canvas writes in the assignment cells of the rows under its header that are not people
# (the posting policy row of newer exports, and "(read only)" under the totals).
CANVAS_MARKERS = frozenset({"", "manual posting", "(read only)", "read only", "muted"})
# A Canvas assignment column: its title, then the assignment's Canvas id in parentheses.
CANVAS_ASSIGNMENT_RE = re.compile(r"(?P<title>.*\S)\s+\((?P<id>\d+)\)")
# The fields a row can be matched to an account by: e-mail, SIS user id, login id.
MATCH_FIELDS = ("email", "sis_id", "login_id")
CANVAS_FORMATS = frozenset({"canvas", "canvas-roster"})


class RosterFileError(ValueError):
    """The file as a whole cannot be read as a roster; the message says why."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class RosterRow:
    row: int
    email: str
    first_name: str
    last_name: str
    sis_id: str
    section: str
    role: RosterRole
    # The campus login (Canvas "SIS Login ID"), when the file has one: a new account's username.
    login_id: str = ""
    # Canvas's own user id ("ID") and its "Student" cell exactly as written ("Last, First").
    lms_user_id: str = ""
    lms_name: str = ""


@dataclass(frozen=True)
class ParsedRoster:
    """`columns` maps each recognised field to the header as the file wrote it."""

    format: str
    columns: dict[str, str]
    rows: tuple[RosterRow, ...]
    errors: tuple[RowError, ...]
    skipped: tuple[int, ...] = field(default=())
    # A Canvas gradebook's assignment columns, as titled ("Quiz 1 (87568490)").
    lms_columns: tuple[str, ...] = field(default=())

    @property
    def row_count(self) -> int:
        return len(self.rows) + len({e.row for e in self.errors})


def normalise_header(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).lower()


def parse_role(value: str) -> RosterRole | None:
    key = re.sub(r"[\s_\-]+", "", value).lower()
    return ROLE_ALIASES.get(key)


def is_email(value: str) -> bool:
    return len(value) <= EMAIL_MAX and EMAIL_RE.fullmatch(value) is not None


def decode(content: bytes, *, max_bytes: int = MAX_BYTES) -> str:
    """UTF-8 text of the upload (with or without the BOM Excel writes), or RosterFileError."""
    if not content.strip():
        raise RosterFileError("the file is empty")
    if len(content) > max_bytes:
        raise RosterFileError(f"the file is larger than {max_bytes // 1024} KiB")
    if b"\x00" in content:
        raise RosterFileError("this is a binary file, not a CSV export")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RosterFileError(
            f"the file is not UTF-8 text (byte {error.start}); export it again as CSV (UTF-8)"
        ) from None


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        name = HEADER_ALIASES.get(normalise_header(title))
        if name is None:
            continue  # Canvas gradebooks carry one column per assignment: not ours.
        if name in found:
            first = header[found[name]].strip()
            raise RosterFileError(f'columns "{first}" and "{title.strip()}" both give the {name}')
        found[name] = index
    if not any(name in found for name in MATCH_FIELDS):
        seen = ", ".join(f'"{h.strip()}"' for h in header if h.strip()) or "none"
        raise RosterFileError(
            f'no "Email", "SIS User ID" or "SIS Login ID" column to match people by '
            f"(columns found: {seen})"
        )
    return found


def _format(columns: dict[str, int], header: list[str]) -> str:
    normalised = {normalise_header(h) for h in header}
    if {"sis user id", "sis login id", "student"} & normalised:
        return "canvas"
    if {"canvas_user_id", "login_id", "user_id", "sortable_name"} & normalised:
        return "canvas-roster"
    if "sid" in normalised or "first name" in normalised:
        return "gradescope"
    return "generic"


def _lms_columns(header: list[str], fmt: str) -> tuple[str, ...]:
    if fmt != "canvas":
        return ()
    return tuple(h for h in header if CANVAS_ASSIGNMENT_RE.fullmatch(h.strip()))


def _split_name(full: str) -> tuple[str, str]:
    """Canvas writes "Last, First"; other exports "First Last"."""
    if "," in full:
        last, first = full.split(",", 1)
        return first.strip(), last.strip()
    first, _, last = full.strip().rpartition(" ")
    return (first, last) if first else (last, "")


class _RowReader:
    """Turns one record into a RosterRow, collecting its errors."""

    def __init__(self, header: list[str], columns: dict[str, int], fmt: str) -> None:
        self.header = header
        self.columns = columns
        self.canvas = fmt in CANVAS_FORMATS

    def cell(self, record: list[str], name: str) -> str:
        index = self.columns.get(name)
        if index is None or index >= len(record):
            return ""
        return record[index].strip()

    def raw(self, record: list[str], name: str) -> str:
        """The cell exactly as the file wrote it (kept, to be written back the same)."""
        index = self.columns.get(name)
        if index is None or index >= len(record):
            return ""
        return record[index]

    def title(self, name: str) -> str:
        index = self.columns.get(name)
        return self.header[index].strip() if index is not None else name

    def read(self, number: int, record: list[str]) -> tuple[RosterRow | None, list[RowError]]:
        errors: list[RowError] = []
        if len(record) > len(self.header):
            message = f"{len(record)} cells but the header has {len(self.header)} (a stray comma?)"
            return None, [RowError(number, "row", message)]
        email = self.cell(record, "email").lower()
        if "email" not in self.columns:
            # Matched by SIS user id, login id or Canvas user id: the row needs one of them.
            ids: list[str] = [n for n in ("sis_id", "login_id") if n in self.columns]
            if self.canvas and "lms_user_id" in self.columns:
                ids.append("lms_user_id")
            if not any(self.cell(record, n) for n in ids):
                titles = " or ".join(f'"{self.title(n)}"' for n in ids)
                message = f"the row has no {titles} to match the student by"
                errors.append(RowError(number, self.title(ids[0]), message))
        elif not email:
            errors.append(RowError(number, self.title("email"), "the email is missing"))
        elif not is_email(email):
            errors.append(RowError(number, self.title("email"), f'"{email}" is not an email'))
        role = parse_role(self.cell(record, "role"))
        if role is None:
            raw = self.cell(record, "role")
            message = f'unknown role "{raw}": use Student, TA or Instructor'
            errors.append(RowError(number, self.title("role"), message))
        first, last = self.cell(record, "first_name"), self.cell(record, "last_name")
        if not (first or last):
            first, last = _split_name(self.cell(record, "name") or self.cell(record, "full_name"))
        limits = {
            "sis_id": SIS_ID_MAX,
            "section": SECTION_MAX,
            "first_name": NAME_MAX,
            "last_name": NAME_MAX,
            "login_id": LOGIN_ID_MAX,
            "lms_user_id": LMS_USER_ID_MAX,
            "name": LMS_NAME_MAX,
        }
        values = {"first_name": first, "last_name": last}
        for name, limit in limits.items():
            value = values.get(name, self.cell(record, name))
            if len(value) > limit:
                column = self.title(name if name in self.columns else "name")
                errors.append(RowError(number, column, f"longer than {limit} characters"))
        if errors or role is None:
            return None, errors
        row = RosterRow(
            row=number,
            email=email,
            first_name=first,
            last_name=last,
            sis_id=self.cell(record, "sis_id"),
            section=self.cell(record, "section"),
            role=role,
            login_id=self.cell(record, "login_id"),
            lms_user_id=self.cell(record, "lms_user_id") if self.canvas else "",
            lms_name=self.raw(record, "name") if self.canvas else "",
        )
        return row, []


def _records(text: str) -> Iterator[list[str]]:
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as error:
        raise RosterFileError(f"not a readable CSV file: {error}") from None


def _is_non_person(reader: _RowReader, record: list[str]) -> bool:
    name = reader.cell(record, "name").lower()
    if name in CANVAS_NON_PEOPLE and not reader.cell(record, "email"):
        return True
    # A row of Canvas markers only (the posting policy row): no name, no id, no e-mail.
    identity = ("name", "first_name", "last_name", *MATCH_FIELDS, "lms_user_id")
    if any(reader.cell(record, n) for n in identity):
        return False
    return all(cell.strip().lower() in CANVAS_MARKERS for cell in record)


def _duplicates(rows: list[RosterRow], reader: _RowReader) -> list[RowError]:
    """Each email, SIS id and login id may appear once; later rows name the row that had it
    first."""
    errors: list[RowError] = []
    first_email: dict[str, int] = {}
    first_sis: dict[str, int] = {}
    first_login: dict[str, int] = {}
    for row in rows:
        login = row.login_id.lower()
        if login and login in first_login:
            message = f"login id {row.login_id} is already on row {first_login[login]}"
            errors.append(RowError(row.row, reader.title("login_id"), message))
        elif login:
            first_login[login] = row.row
        if not row.email:
            pass
        elif row.email in first_email:
            message = f"{row.email} is already on row {first_email[row.email]}"
            errors.append(RowError(row.row, reader.title("email"), message))
        else:
            first_email[row.email] = row.row
        if row.sis_id and row.sis_id in first_sis:
            message = f"SIS id {row.sis_id} is already on row {first_sis[row.sis_id]}"
            errors.append(RowError(row.row, reader.title("sis_id"), message))
        elif row.sis_id:
            first_sis[row.sis_id] = row.row
    return errors


def parse_roster(
    content: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
) -> ParsedRoster:
    """Read a roster export. Raises RosterFileError for a file that is not a roster at all."""
    records = _records(decode(content, max_bytes=max_bytes))
    header = next(records, None)
    if header is None or not any(cell.strip() for cell in header):
        raise RosterFileError("the first line must be the header (Name, Email, SID, ...)")
    columns = _columns(header)
    fmt = _format(columns, header)
    reader = _RowReader(header, columns, fmt)
    rows: list[RosterRow] = []
    errors: list[RowError] = []
    skipped: list[int] = []
    for number, record in enumerate(records, start=2):
        if number - 1 > max_rows:
            raise RosterFileError(f"more than {max_rows} rows")
        if not any(cell.strip() for cell in record):
            continue
        if _is_non_person(reader, record):
            skipped.append(number)
            continue
        row, row_errors = reader.read(number, record)
        errors.extend(row_errors)
        if row is not None:
            rows.append(row)
    duplicate_errors = _duplicates(rows, reader)
    bad_rows = {e.row for e in duplicate_errors}
    errors.extend(duplicate_errors)
    errors.sort(key=lambda e: e.row)
    titles = {name: header[index].strip() for name, index in columns.items()}
    if fmt in CANVAS_FORMATS and "name" in titles:
        titles["lms_name"] = titles["name"]  # the name as Canvas writes it, kept as it is
    elif fmt not in CANVAS_FORMATS:
        titles.pop("lms_user_id", None)  # an "ID" column of another file is not Canvas's id
    return ParsedRoster(
        format=fmt,
        columns=titles,
        rows=tuple(r for r in rows if r.row not in bad_rows),
        errors=tuple(errors),
        skipped=tuple(skipped),
        lms_columns=_lms_columns(header, fmt),
    )
