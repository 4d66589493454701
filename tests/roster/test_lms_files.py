"""Roster files as the tools write them (issue #19): Canvas's gradebook export (no e-mail), its
users CSV, Gradescope's roster and a plain CSV, each told apart by its header; students matched
by SIS user id, then login id, then e-mail, the match shown; and the Canvas grade export giving
back the identity cells exactly as they came in, so that Canvas's gradebook import takes it.

The fixture files (tests/roster/fixtures/) cite, in their header comments, the documentation
their layout follows; the comment lines are dropped before upload."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from courses.models import Course, Membership
from roster.parsing import RosterRole, parse_roster
from tests.factories import make_course, make_member
from tests.roster.conftest import csv_file, roster_url, snapshot, upload

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def fixture(name: str) -> str:
    """The fixture file without its header comment (lines starting with "#")."""
    lines = (FIXTURES / name).read_text().splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("#"))


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def apply(api: Any, course: Any, text: str) -> dict:
    response = upload(api, course, text, "apply")
    assert response.status_code == 200, response.json()
    return response.json()


def by_row(body: dict) -> dict[int, dict]:
    return {r["row"]: r for r in body["rows"]}


# -- parsing: each file told apart by its header ------------------------------------------------


def test_it_reads_canvas_gradebook_export_without_an_email_column():
    roster = parse_roster(fixture("canvas_grades.csv").encode())
    assert roster.format == "canvas"
    assert roster.errors == ()
    # The posting policy row, "Points Possible" and the test student are not people.
    assert roster.skipped == (2, 3, 7)
    assert [(r.row, r.email, r.sis_id, r.login_id, r.lms_user_id) for r in roster.rows] == [
        (4, "", "903000001", "alovelace1", "48211"),
        (5, "", "903000002", "aturing2", "48212"),
        (6, "", "", "ghopper3", "48213"),
    ]
    ada = roster.rows[0]
    assert (ada.first_name, ada.last_name, ada.lms_name, ada.section) == (
        "Ada",
        "Lovelace",
        "Lovelace, Ada",
        "CS-7643-A",
    )
    # Only the assignment columns are kept (the totals are Canvas's, read only).
    assert roster.lms_columns == ("Quiz 1 (87568490)", "Reviews (courseportal) (87568492)")


def test_it_reads_canvas_users_csv():
    roster = parse_roster(fixture("canvas_users.csv").encode())
    assert roster.format == "canvas-roster"
    assert roster.errors == ()
    first = roster.rows[0]
    assert (first.email, first.sis_id, first.login_id, first.lms_user_id, first.lms_name) == (
        "alovelace1@gatech.edu",
        "903000001",
        "alovelace1",
        "48211",
        "Lovelace, Ada",
    )
    assert (first.first_name, first.last_name) == ("Ada", "Lovelace")


def test_it_reads_gradescope_roster_and_a_plain_csv():
    gradescope = parse_roster(fixture("gradescope_roster.csv").encode())
    assert gradescope.format == "gradescope"
    assert gradescope.errors == ()
    assert [(r.sis_id, r.section, r.role) for r in gradescope.rows] == [
        ("903000001", "CS-7643-A", RosterRole.STUDENT),
        ("903000002", "CS-7643-O01", RosterRole.STUDENT),
        ("", "CS-7643-A", RosterRole.STUDENT),
        ("", "", RosterRole.TA),
    ]
    # A Gradescope name is not Canvas's "Last, First": it is not kept as the LMS name.
    assert {r.lms_name for r in gradescope.rows} == {""}
    plain = parse_roster(fixture("plain.csv").encode())
    assert plain.format == "generic"
    assert [(r.email, r.first_name, r.section) for r in plain.rows] == [
        ("alovelace1@gatech.edu", "Ada", "A"),
        ("aturing2@gatech.edu", "Alan", "B"),
    ]


# -- import: matched by SIS user id, then login id, then e-mail ---------------------------------


def test_canvas_gradebook_export_previews_and_imports_matched_by_sis_id(api, course, tara):
    api.force_authenticate(tara)
    created = apply(api, course, fixture("canvas_users.csv"))
    assert created["counts"]["create"] == 3
    assert {r["match"] for r in created["rows"]} == {"new"}
    before = snapshot()
    preview = upload(api, course, fixture("canvas_grades.csv"))
    assert preview.status_code == 200, preview.json()
    body = preview.json()
    assert body["format"] == "canvas"
    assert body["errors"] == []
    assert body["skipped_rows"] == [2, 3, 7]
    rows = by_row(body)
    assert {n: rows[n]["match"] for n in rows} == {
        4: "SIS user id",
        5: "SIS user id",
        6: "login id",
    }
    assert body["counts"]["create"] == body["counts"]["deactivate"] == 0
    # The users CSV had no section: the gradebook gives it.
    assert rows[4]["changes"] == ["section: '' → 'CS-7643-A'"]
    assert rows[4]["email"] == "alovelace1@gatech.edu"
    assert snapshot() == before  # a preview changes nothing
    applied = apply(api, course, fixture("canvas_grades.csv"))
    assert applied["counts"]["update"] == 3
    ada = Membership.objects.get(course=course, sis_id="903000001")
    assert (ada.lms_name, ada.lms_user_id, ada.sis_login_id, ada.section) == (
        "Lovelace, Ada",
        "48211",
        "alovelace1",
        "CS-7643-A",
    )
    course.refresh_from_db()
    assert course.lms_columns == ["Quiz 1 (87568490)", "Reviews (courseportal) (87568492)"]
    # Again: nothing left to change.
    assert apply(api, course, fixture("canvas_grades.csv"))["counts"]["changes"] == 0


def test_gradescope_then_canvas_matches_by_sis_id_then_login_then_email(api, course, tara):
    api.force_authenticate(tara)
    apply(api, course, fixture("gradescope_roster.csv"))
    # Gradescope's SID is the SIS user id; Grace has none and no login id yet: only her
    # e-mail (in the users CSV) finds her.
    body = apply(api, course, fixture("canvas_users.csv"))
    assert [r["match"] for r in body["rows"]] == ["SIS user id", "SIS user id", "e-mail"]
    grades = apply(api, course, fixture("canvas_grades.csv"))
    assert [r["match"] for r in grades["rows"]] == ["SIS user id", "SIS user id", "login id"]


def test_the_preview_page_shows_the_match(client, course, tara):
    client.force_login(tara)
    page = f"/courses/{course.pk}/roster/"
    client.post(f"{page}apply/", {"content": fixture("canvas_users.csv")})
    response = client.post(page, {"file": csv_file(fixture("canvas_grades.csv"))})
    assert response.status_code == 200
    assert "Canvas grades export" in response.text
    assert "<th>Matched by</th>" in response.text
    assert response.text.count('data-match="SIS user id"') == 2
    assert response.text.count('data-match="login id"') == 1


# -- the Canvas grade export round trip ---------------------------------------------------------


def test_canvas_identity_round_trips(api, course, tara):
    api.force_authenticate(tara)
    apply(api, course, fixture("canvas_users.csv"))
    apply(api, course, fixture("canvas_grades.csv"))
    response = api.get(f"/api/v1/courses/{course.pk}/grades/canvas.csv")
    assert response.status_code == 200
    exported = response.content.decode()
    header, points, *students = rows_of(exported)
    assert header[:5] == IDENTITY
    # The portal's column under Canvas's own header (id included); the other one tagged.
    assert header[5:] == ["Reviews (courseportal) (87568492)", "Presentation (courseportal)"]
    assert points[0].strip() == "Points Possible"
    original = [r for r in rows_of(fixture("canvas_grades.csv"))[3:] if r[0] != "Student, Test"]
    assert sorted(r[:5] for r in students) == sorted(r[:5] for r in original)
    # The exported file reads back as a Canvas gradebook that changes nobody.
    again = parse_roster(exported.encode())
    assert again.format == "canvas"
    assert again.errors == ()
    assert again.skipped == (2,)
    back = apply(api, course, exported)
    assert back["counts"]["changes"] == 0
    assert {r["match"] for r in back["rows"]} == {"SIS user id", "login id"}


# -- bad files: a 400 naming the row and column, nothing written ---------------------------------


def test_a_gradebook_row_nobody_has_is_refused_naming_row_and_column(api, course, tara):
    api.force_authenticate(tara)
    apply(api, course, fixture("canvas_users.csv"))
    text = fixture("canvas_grades.csv").replace(
        "48212,903000002,aturing2", "48298,903999999,nobody9"
    )
    text = text.replace('"Hopper, Grace",48213,,ghopper3', '"Hopper, Grace",,,')
    before = snapshot()
    response = upload(api, course, text, "apply")
    assert response.status_code == 400
    body = response.json()
    assert body["file"] == ["2 rows have errors; nothing was applied"]
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (5, "SIS User ID"),
        (6, "SIS User ID"),
    ]
    assert body["errors"][0]["message"].startswith(
        "no student of this course has SIS user id 903999999 or login id nobody9 or "
        "Canvas user id 48298, and without an e-mail no account can be made"
    )
    assert body["errors"][1]["message"] == (
        'the row has no "SIS User ID" or "SIS Login ID" or "ID" to match the student by'
    )
    assert snapshot() == before


def test_a_row_with_only_canvas_id_is_matched_by_it(api, course, tara):
    """A student without SIS data (enrolled by hand in Canvas) has only Canvas's own id."""
    api.force_authenticate(tara)
    apply(api, course, fixture("canvas_users.csv"))
    text = fixture("canvas_grades.csv").replace(
        '"Hopper, Grace",48213,,ghopper3', '"Hopper, Grace",48213,,'
    )
    body = upload(api, course, text).json()
    assert body["errors"] == []
    assert [r["match"] for r in body["rows"]] == ["SIS user id", "SIS user id", "Canvas user id"]
    # The file has a login id column, and it is empty for her: that is what is kept.
    assert body["rows"][2]["changes"][-1] == "SIS login id: 'ghopper3' → ''"


def test_a_sis_id_given_to_someone_else_is_refused(api, course, tara):
    api.force_authenticate(tara)
    apply(api, course, fixture("canvas_users.csv"))
    text = "Email,SID\nalovelace1@gatech.edu,903000002\n"
    body = upload(api, course, text, "apply").json()
    assert body["errors"] == [
        {
            "row": 2,
            "column": "SID",
            "message": "SIS id 903000002 belongs to aturing2@gatech.edu in this course",
        }
    ]


def test_bad_files_give_form_errors_on_the_page(client, course, tara):
    client.force_login(tara)
    page = f"/courses/{course.pk}/roster/"
    no_ids = client.post(page, {"file": csv_file('Student,Section\n"Doe, Jane",A\n')})
    assert no_ids.status_code == 400
    assert "no &quot;Email&quot;, &quot;SIS User ID&quot; or &quot;SIS Login ID&quot;" in (
        no_ids.text
    )
    unknown = client.post(page, {"file": csv_file(fixture("canvas_grades.csv"))})
    assert unknown.status_code == 200  # a preview, listing every bad row
    assert 'id="row-errors"' in unknown.text
    assert "no student of this course has SIS user id 903000001" in unknown.text


# -- who may not -------------------------------------------------------------------------------


def test_students_get_403_and_other_courses_404(api, client, course, tara, alice, bob):
    other: Course = make_course(term="Spring 2018")
    make_member(other, "olga", "instructor")
    text = fixture("canvas_grades.csv")
    api.force_authenticate(alice)
    assert upload(api, course, text).status_code == 403
    assert api.get(f"/api/v1/courses/{course.pk}/grades/canvas.csv").status_code == 403
    api.force_authenticate(bob)
    assert upload(api, course, text, "apply").status_code == 404
    assert api.get(f"/api/v1/courses/{course.pk}/grades/canvas.csv").status_code == 404
    client.force_login(alice)
    assert client.post(f"/courses/{course.pk}/roster/", {"file": csv_file(text)}).status_code == 403
    client.force_login(bob)
    assert client.post(f"/courses/{course.pk}/roster/", {"file": csv_file(text)}).status_code == 404
    assert api.post(roster_url(other, "preview"), {}, format="multipart").status_code == 404
    assert not Membership.objects.filter(course=course).exclude(lms_name="").exists()


def test_gradescope_export_gives_back_the_sid(api, course, tara):
    api.force_authenticate(tara)
    apply(api, course, fixture("gradescope_roster.csv"))
    response = api.get(f"/api/v1/courses/{course.pk}/grades/gradescope.csv")
    assert response.status_code == 200
    header, *students = rows_of(response.content.decode())
    assert header[:3] == ["Name", "Email", "SID"]
    sids = {row[1]: row[2] for row in students}
    grace = Membership.objects.get(course=course, user__email="ghopper3@gatech.edu").user
    assert sids == {
        "alovelace1@gatech.edu": "903000001",
        "aturing2@gatech.edu": "903000002",
        # No SID in Gradescope's roster: the username, which Gradescope matches by e-mail anyway.
        "ghopper3@gatech.edu": grace.username,
    }
