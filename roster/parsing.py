"""Roster CSV parsing: Canvas and Gradescope exports in, plain rows and per-row errors out.

Pure Python (no Django): the services decide what the rows mean for a course. The parser
accepts the column names of both exports, case- and whitespace-insensitive, so that staff can
upload the file exactly as the LMS gave it. Problems with the file as a whole (not UTF-8, too
big, no email column) raise RosterFileError; problems with one row are collected as RowError
with the spreadsheet row number (the header is row 1) and the column as the file spells it, so
that every bad row is reported at once instead of one per upload.
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
    "sis login id": "login_id",
    "login id": "login_id",
    "login_id": "login_id",
    "username": "login_id",
    "sid": "sis_id",
    "sis id": "sis_id",
    "sis user id": "sis_id",
    "student id": "sis_id",
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


@dataclass(frozen=True)
class ParsedRoster:
    """`columns` maps each recognised field to the header as the file wrote it."""

    format: str
    columns: dict[str, str]
    rows: tuple[RosterRow, ...]
    errors: tuple[RowError, ...]
    skipped: tuple[int, ...] = field(default=())

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
    if "email" not in found:
        seen = ", ".join(f'"{h.strip()}"' for h in header if h.strip()) or "none"
        raise RosterFileError(f'no "Email" column (columns found: {seen})')
    return found


def _format(columns: dict[str, int], header: list[str]) -> str:
    normalised = {normalise_header(h) for h in header}
    if {"sis user id", "sis login id", "student"} & normalised:
        return "canvas"
    if "sid" in normalised or "first name" in columns:
        return "gradescope"
    return "generic"


def _split_name(full: str) -> tuple[str, str]:
    """Canvas writes "Last, First"; other exports "First Last"."""
    if "," in full:
        last, first = full.split(",", 1)
        return first.strip(), last.strip()
    first, _, last = full.strip().rpartition(" ")
    return (first, last) if first else (last, "")


class _RowReader:
    """Turns one record into a RosterRow, collecting its errors."""

    def __init__(self, header: list[str], columns: dict[str, int]) -> None:
        self.header = header
        self.columns = columns

    def cell(self, record: list[str], name: str) -> str:
        index = self.columns.get(name)
        if index is None or index >= len(record):
            return ""
        return record[index].strip()

    def title(self, name: str) -> str:
        index = self.columns.get(name)
        return self.header[index].strip() if index is not None else name

    def read(self, number: int, record: list[str]) -> tuple[RosterRow | None, list[RowError]]:
        errors: list[RowError] = []
        if len(record) > len(self.header):
            message = f"{len(record)} cells but the header has {len(self.header)} (a stray comma?)"
            return None, [RowError(number, "row", message)]
        email = self.cell(record, "email").lower()
        if not email:
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
            first, last = _split_name(self.cell(record, "name"))
        limits = {
            "sis_id": SIS_ID_MAX,
            "section": SECTION_MAX,
            "first_name": NAME_MAX,
            "last_name": NAME_MAX,
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
        )
        return row, []


def _records(text: str) -> Iterator[list[str]]:
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as error:
        raise RosterFileError(f"not a readable CSV file: {error}") from None


def _is_non_person(reader: _RowReader, record: list[str]) -> bool:
    name = reader.cell(record, "name").lower()
    return name in CANVAS_NON_PEOPLE and not reader.cell(record, "email")


def _duplicates(rows: list[RosterRow], reader: _RowReader) -> list[RowError]:
    """Each email and SIS id may appear once; later rows name the row that had it first."""
    errors: list[RowError] = []
    first_email: dict[str, int] = {}
    first_sis: dict[str, int] = {}
    for row in rows:
        if row.email in first_email:
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
    reader = _RowReader(header, columns)
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
    return ParsedRoster(
        format=_format(columns, header),
        columns={name: header[index].strip() for name, index in columns.items()},
        rows=tuple(r for r in rows if r.row not in bad_rows),
        errors=tuple(errors),
        skipped=tuple(skipped),
    )
