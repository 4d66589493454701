"""The pure roster parser: both exports, BOM, headers as people type them, every bad row."""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roster.parsing import (
    RosterFileError,
    RosterRole,
    RowError,
    is_email,
    parse_role,
    parse_roster,
)

CANVAS = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Email,Lab 1 (1234)\n"
    "    Points Possible,,,,,,10\n"
    '"Doe, Jane",101,900001,jdoe3,CS 7643 A,jane@gatech.edu,9\n'
    '"Lee, Stefan",102,900002,slee9,CS 7643 O01,Stefan.Lee@GATECH.edu,8\n'
    '"Student, Test",999,,,CS 7643 A,,0\n'
)

GRADESCOPE = (
    "First Name,Last Name,SID,Email,Role,Section\n"
    "Jane,Doe,900001,jane@gatech.edu,Student,A\n"
    "Tom,Tee,,tom@gatech.edu,TA,\n"
    "Dhruv,Batra,,dbatra@gatech.edu,Instructor,\n"
)


def test_it_reads_a_canvas_gradebook_export():
    roster = parse_roster(CANVAS.encode())
    assert roster.format == "canvas"
    assert roster.errors == ()
    assert [(r.row, r.email, r.first_name, r.last_name) for r in roster.rows] == [
        (3, "jane@gatech.edu", "Jane", "Doe"),
        (4, "stefan.lee@gatech.edu", "Stefan", "Lee"),
    ]
    assert [(r.sis_id, r.section, r.role) for r in roster.rows] == [
        ("900001", "CS 7643 A", RosterRole.STUDENT),
        ("900002", "CS 7643 O01", RosterRole.STUDENT),
    ]
    # The points row and Canvas's test student are not people.
    assert roster.skipped == (2, 5)
    assert roster.columns["sis_id"] == "SIS User ID"


def test_it_reads_a_gradescope_roster_export():
    roster = parse_roster(GRADESCOPE.encode())
    assert roster.format == "gradescope"
    assert roster.errors == ()
    assert [(r.email, r.role, r.sis_id, r.section) for r in roster.rows] == [
        ("jane@gatech.edu", RosterRole.STUDENT, "900001", "A"),
        ("tom@gatech.edu", RosterRole.TA, "", ""),
        ("dbatra@gatech.edu", RosterRole.INSTRUCTOR, "", ""),
    ]
    assert roster.rows[0].first_name == "Jane"
    assert roster.rows[0].last_name == "Doe"


def test_it_reads_utf8_with_the_bom_excel_writes_and_headers_in_any_case():
    text = " E-MAIL ,FULL   name,sid,ROLE\r\nana@x.edu,Ana María Núñez,1,teacher\r\n"
    roster = parse_roster(b"\xef\xbb\xbf" + text.encode())
    assert roster.errors == ()
    (row,) = roster.rows
    assert (row.email, row.first_name, row.last_name) == ("ana@x.edu", "Ana María", "Núñez")
    assert row.role == RosterRole.INSTRUCTOR
    assert roster.columns["email"] == "E-MAIL"


@pytest.mark.parametrize(
    ("spelling", "role"),
    [
        ("Student", RosterRole.STUDENT),
        ("StudentEnrollment", RosterRole.STUDENT),
        ("", RosterRole.STUDENT),
        ("TA", RosterRole.TA),
        ("Teaching Assistant", RosterRole.TA),
        ("TaEnrollment", RosterRole.TA),
        ("Teacher", RosterRole.INSTRUCTOR),
        ("TeacherEnrollment", RosterRole.INSTRUCTOR),
        ("instructor", RosterRole.INSTRUCTOR),
    ],
)
def test_it_accepts_canvas_and_gradescope_role_spellings(spelling, role):
    assert parse_role(spelling) == role


@pytest.mark.parametrize("spelling", ["Observer", "DesignerEnrollment", "Reader", "admin"])
def test_it_knows_no_other_roles(spelling):
    assert parse_role(spelling) is None


def test_it_reports_every_bad_row_with_its_number_and_column():
    text = (
        "Name,Email,SID,Role,Section\n"
        "Ann,ann@x.edu,1,Student,A\n"  # 2: fine
        "Bea,,2,Student,A\n"  # 3: missing email
        "Cy,cy at x.edu,3,Student,A\n"  # 4: not an email
        "Dee,ann@x.edu,4,Student,A\n"  # 5: email of row 2
        "Eve,eve@x.edu,1,Student,A\n"  # 6: SIS id of row 2
        "Fay,fay@x.edu,6,Observer,A\n"  # 7: unknown role
        "Gus,gus@x.edu,7,Student,A,extra\n"  # 8: a stray cell
        f"Hal,hal@x.edu,8,Student,{'S' * 101}\n"  # 9: section too long
        "Ivy,ivy@x.edu,9,TA,B\n"  # 10: fine
    )
    roster = parse_roster(text.encode())
    assert [r.row for r in roster.rows] == [2, 10]
    assert roster.errors == (
        RowError(3, "Email", "the email is missing"),
        RowError(4, "Email", '"cy at x.edu" is not an email'),
        RowError(5, "Email", "ann@x.edu is already on row 2"),
        RowError(6, "SID", "SIS id 1 is already on row 2"),
        RowError(7, "Role", 'unknown role "Observer": use Student, TA or Instructor'),
        RowError(8, "row", "6 cells but the header has 5 (a stray comma?)"),
        RowError(9, "Section", "longer than 100 characters"),
    )


def test_it_finds_duplicate_emails_whatever_their_case():
    roster = parse_roster(b"Email\nAnn@X.edu\nann@x.EDU\n")
    assert [e.message for e in roster.errors] == ["ann@x.edu is already on row 2"]


def test_it_skips_blank_lines():
    roster = parse_roster(b"Email\n\nann@x.edu\n,\n")
    assert [r.row for r in roster.rows] == [3]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("Email\nzoë@x.edu\n".encode("latin-1"), "not UTF-8"),
        (
            b"Name,Section\nAnn,A\n",
            'no "Email", "SIS User ID" or "SIS Login ID" column to match people by '
            '(columns found: "Name", "Section")',
        ),
        (b"Email,E-mail Address\na@x.edu,a@x.edu\n", "both give the email"),
        (b",,\na@x.edu\n", "the first line must be the header"),
        (b'Email\n"unterminated\x00\n', "binary file"),
    ],
)
def test_it_refuses_files_that_are_not_rosters(content, message):
    with pytest.raises(RosterFileError, match=re.escape(message)):
        parse_roster(content)


def test_it_caps_the_size_and_the_rows():
    with pytest.raises(RosterFileError, match="larger than 1 KiB"):
        parse_roster(b"Email\n" + b"a@x.edu\n" * 200, max_bytes=1024)
    with pytest.raises(RosterFileError, match="more than 3 rows"):
        parse_roster(b"Email\na@x.edu\nb@x.edu\nc@x.edu\nd@x.edu\n", max_rows=3)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("jane@gatech.edu", True),
        ("jane.o'neil+cs7643@cc.gatech.edu", True),
        ("jane@localhost", False),
        ("jane@@gatech.edu", False),
        ("jane doe@gatech.edu", False),
        ("@gatech.edu", False),
        ("jane@-gatech.edu", False),
        ("a" * 250 + "@x.edu", False),
    ],
)
def test_it_checks_emails_like_browsers_do(value, ok):
    assert is_email(value) is ok


people = st.lists(
    st.tuples(
        st.from_regex(r"[a-z][a-z0-9.]{0,10}@[a-z]{1,8}\.edu", fullmatch=True),
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=20),
        st.sampled_from(["Student", "TA", "Instructor", "teacher"]),
    ),
    max_size=30,
    unique_by=lambda person: person[0],
)


@given(people)
def test_it_reads_back_any_roster_a_csv_writer_writes(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Email", "Section", "Role"])
    writer.writerows(rows)
    roster = parse_roster(buffer.getvalue().encode("utf-8-sig"))
    expected = [(email, section.strip(), parse_role(role)) for email, section, role in rows]
    assert [(r.email, r.section, r.role) for r in roster.rows] == expected
    assert roster.errors == ()
