"""The gradebook as CSV files that Canvas and Gradescope import.

Canvas (its gradebook importer, `lib/gradebook_importer.rb`): a header row "Student", "ID",
"SIS User ID", "SIS Login ID", "Section", then one column per assignment; then a row whose
first cell contains "Points Possible" giving each column's points; then one row per student.
A column titled "Title (123)" names the existing Canvas assignment 123; any other title makes
(or, on the next import, finds by title) an assignment of that name. Our columns therefore
carry a non-numeric tag, "Reviews (courseportal)", so that no id of ours is ever read as a
Canvas id. For the same reason the Canvas "ID" and "SIS User ID" cells stay empty (we do not
know them): Canvas matches the student by "SIS Login ID", our username, or else by name.

Gradescope: "Name", "Email", "SID", then per column its score and "<title> - Max Points",
as Gradescope's own grade export writes them. SID is the username.

A cell is empty when there is no grade yet (no gradable submission, no presentation score):
an importer leaves such a grade alone instead of recording a zero. Every cell goes through
`courseportal.spreadsheets.csv_writer`, so that a name such as "=HYPERLINK(...)" is never run by
a spreadsheet.
"""

from __future__ import annotations

import io

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


def canvas_column_title(column: GradeColumn) -> str:
    if column.key in {REVIEWS, PRESENTATION}:
        return f"{column.title} (courseportal)"
    return f"{column.title} (convlab {column.key.removeprefix('convlab:')})"


def _score(student: StudentGrades, column: GradeColumn) -> str:
    return number(student.scores.get(column.key))


def canvas_csv(*, course: Course, book: Gradebook) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([*CANVAS_STUDENT_COLUMNS, *(canvas_column_title(c) for c in book.columns)])
    writer.writerow(
        [CANVAS_POINTS_POSSIBLE, "", "", "", "", *(number(c.points_possible) for c in book.columns)]
    )
    section = f"{course.code} {course.term}"
    for student in book.students:
        writer.writerow(
            [student.sortable_name, "", "", student.username, section,
             *(_score(student, c) for c in book.columns)]
        )  # fmt: skip
    return out.getvalue()


def gradescope_csv(*, book: Gradebook) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    header = list(GRADESCOPE_STUDENT_COLUMNS)
    for column in book.columns:
        header += [column.title, f"{column.title} - Max Points"]
    writer.writerow(header)
    for student in book.students:
        row = [student.name, student.email, student.username]
        for column in book.columns:
            row += [_score(student, column), number(column.points_possible)]
        writer.writerow(row)
    return out.getvalue()


def export_filename(course: Course, kind: str) -> str:
    code = "".join(ch for ch in f"{course.code}-{course.term}" if ch.isalnum() or ch in "-_")
    return f"grades-{kind}-{code}.csv"
