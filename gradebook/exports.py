"""The gradebook as CSV files that Canvas and Gradescope import.

Canvas (its gradebook importer, `lib/gradebook_importer.rb`; the layout of its own export,
which it imports back unchanged): a header row "Student", "ID", "SIS User ID", "SIS Login ID",
"Section", then one column per assignment; then a row whose first cell contains "Points
Possible" giving each column's points; then one row per student. The identity cells are the
ones the roster import kept from Canvas's file, exactly as they came in (`courses.Membership`:
`lms_name`, `lms_user_id`, `sis_id`, `sis_login_id`, `section`); a student who never came in
from Canvas gets their "Last, First" name and, as SIS Login ID, their username (named after
their campus login when the roster had one). A column titled "Title (123)" names the existing
Canvas assignment 123; any other title makes (or, on the next import, finds by title) an
assignment of that name. A grade column whose title is the title of one of the Canvas
gradebook's assignment columns (kept by the roster import, `Course.lms_columns`) is written
under Canvas's own header, id included, so that Canvas updates that assignment; the others
carry a non-numeric tag, "Reviews (courseportal)", so that no id of ours is ever read as a
Canvas id.

Gradescope: "Name", "Email", "SID", then per column its score and "<title> - Max Points",
as Gradescope's own grade export writes them. SID is the student's SIS id (Gradescope's SID)
when the roster gave one, else the username.

A cell is empty when there is no grade yet (no gradable submission, no presentation score):
an importer leaves such a grade alone instead of recording a zero. Every cell goes through
`courseportal.spreadsheets.csv_writer`, so that a name such as "=HYPERLINK(...)" is never run by
a spreadsheet.
"""

from __future__ import annotations

import io
import re

from courseportal.spreadsheets import csv_writer
from courses.models import Course
from gradebook.selectors import (
    PRESENTATION,
    REVIEWS,
    Gradebook,
    GradeColumn,
    StudentGrades,
)

CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_POSSIBLE = "    Points Possible"
GRADESCOPE_STUDENT_COLUMNS = ["Name", "Email", "SID"]


def number(value: float | None) -> str:
    """A score as plain decimal text (never an exponent), at most 4 decimals; "" for none."""
    if value is None:
        return ""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text


# Canvas's title of an assignment column: the assignment's name, then its Canvas id.
_CANVAS_ASSIGNMENT_RE = re.compile(r"(?P<title>.*\S)\s+\((?P<id>\d+)\)")


def canvas_column_title(column: GradeColumn, lms_columns: list[str] | None = None) -> str:
    """Canvas's own header for the assignment of the same title, when its gradebook has one;
    else our title with a non-numeric tag."""
    ours = {column.title.strip().casefold(), _tagged(column).casefold()}
    for header in lms_columns or []:
        found = _CANVAS_ASSIGNMENT_RE.fullmatch(header.strip())
        if found and found["title"].strip().casefold() in ours:
            return header
    return _tagged(column)


def _tagged(column: GradeColumn) -> str:
    if column.key in {REVIEWS, PRESENTATION}:
        return f"{column.title} (courseportal)"
    return f"{column.title} (convlab {column.key.removeprefix('convlab:')})"


def canvas_identity(student: StudentGrades) -> list[str]:
    """Student, ID, SIS User ID, SIS Login ID, Section: as the roster file wrote them."""
    from_lms = bool(student.lms_user_id or student.sis_id or student.sis_login_id)
    login = student.sis_login_id or ("" if from_lms else student.username)
    return [
        student.lms_name or student.sortable_name,
        student.lms_user_id,
        student.sis_id,
        login,
        student.section,
    ]


def _score(student: StudentGrades, column: GradeColumn) -> str:
    return number(student.scores.get(column.key))


def canvas_csv(*, course: Course, book: Gradebook) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    lms_columns = [str(h) for h in course.lms_columns or []]
    titles = [canvas_column_title(c, lms_columns) for c in book.columns]
    writer.writerow([*CANVAS_STUDENT_COLUMNS, *titles])
    writer.writerow(
        [CANVAS_POINTS_POSSIBLE, "", "", "", "", *(number(c.points_possible) for c in book.columns)]
    )
    for student in book.students:
        writer.writerow([*canvas_identity(student), *(_score(student, c) for c in book.columns)])
    return out.getvalue()


def gradescope_csv(*, book: Gradebook) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    header = list(GRADESCOPE_STUDENT_COLUMNS)
    for column in book.columns:
        header += [column.title, f"{column.title} - Max Points"]
    writer.writerow(header)
    for student in book.students:
        row = [student.name, student.email, student.sis_id or student.username]
        for column in book.columns:
            row += [_score(student, column), number(column.points_possible)]
        writer.writerow(row)
    return out.getvalue()


def export_filename(course: Course, kind: str) -> str:
    code = "".join(ch for ch in f"{course.code}-{course.term}" if ch.isalnum() or ch in "-_")
    return f"grades-{kind}-{code}.csv"
