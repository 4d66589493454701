"""The Canvas and Gradescope CSVs, parsed back: every number matches the database."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from convlab.models import Submission
from gradebook.selectors import gradebook_compute
from reviews.models import Review
from tests.factories import make_member

pytestmark = pytest.mark.django_db

CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# The expected grades of the scenario (conftest), worked out by hand from its inputs.
EXPECTED = {
    # 2 points per released paper; a late review keeps 25 %.
    # alice: paper one on time (2), paper two late (0.5); carol: paper one late (0.5), no two.
    "reviews": {"alice": "2.5", "carol": "0.5"},
    "presentation": {"alice": "8.5", "carol": ""},
    # alice: 60 on time, 90 two days late (72), one not gradable -> 72.
    # carol: 70 on time, 90 three days late (63) -> 70.
    "lab1": {"alice": "72", "carol": "70"},
    "lab2": {"alice": "", "carol": ""},
}
POINTS = {"reviews": "4", "presentation": "10", "lab1": "100", "lab2": "100"}


def rows_of(response: HttpResponse) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def canvas_key(title: str) -> str:
    """The scenario's column key of a Canvas column title."""
    match = re.fullmatch(r"(.+) \((courseportal|convlab (\S+))\)", title)
    assert match, title
    if match.group(3):
        return match.group(3)
    return {"Reviews": "reviews", "Presentation": "presentation"}[match.group(1)]


def test_it_exports_the_canvas_gradebook_import_format(api, scenario):
    api.force_authenticate(scenario.tara)
    rows = rows_of(api.get(f"/api/v1/courses/{scenario.course.pk}/grades/canvas.csv"))
    header, points, *students = rows
    assert header[:5] == CANVAS_HEADER
    assert header[5:] == [
        "Reviews (courseportal)",
        "Presentation (courseportal)",
        "Lab 1: transposed convolutions (convlab lab1)",
        "Lab 2 (convlab lab2)",
    ]
    # No column title ends in "(digits)": Canvas would read that as one of its assignment ids.
    assert not any(re.search(r"\(\d+\)$", title) for title in header)
    assert "Points Possible" in points[0]
    assert points[1:5] == ["", "", "", ""]
    keys = [canvas_key(title) for title in header[5:]]
    assert dict(zip(keys, points[5:], strict=True)) == POINTS
    # Active students only, sorted by last name; the dropped student and the staff are out.
    assert [row[3] for row in students] == ["carol", "alice"]
    by_login = {row[3]: row for row in students}
    # Never came in from Canvas: the name Canvas-style, the username as login, no section of
    # ours made up (the term is not a section).
    assert by_login["alice"][:5] == ["Liddell, Alice", "", "", "alice", ""]
    # The formula-like first name is quoted, never run by a spreadsheet.
    assert by_login["carol"][0] == "Danvers, =Carol"
    for key, cell in zip(keys, range(5, 5 + len(keys)), strict=True):
        for login, expected in EXPECTED[key].items():
            assert by_login[login][cell] == expected, (key, login)


def test_it_exports_a_gradescope_compatible_csv(api, scenario):
    api.force_authenticate(scenario.tara)
    header, *students = rows_of(
        api.get(f"/api/v1/courses/{scenario.course.pk}/grades/gradescope.csv")
    )
    assert header == [
        "Name", "Email", "SID",
        "Reviews", "Reviews - Max Points",
        "Presentation", "Presentation - Max Points",
        "Lab 1: transposed convolutions", "Lab 1: transposed convolutions - Max Points",
        "Lab 2", "Lab 2 - Max Points",
    ]  # fmt: skip
    by_sid = {row[2]: dict(zip(header, row, strict=True)) for row in students}
    assert set(by_sid) == {"alice", "carol"}
    assert by_sid["alice"]["Name"] == "Alice Liddell"
    assert by_sid["alice"]["Email"] == "alice@example.edu"
    assert by_sid["carol"]["Name"] == "'=Carol Danvers"
    titles = {"reviews": "Reviews", "presentation": "Presentation", "lab2": "Lab 2"}
    titles["lab1"] = "Lab 1: transposed convolutions"
    for key, title in titles.items():
        for sid, expected in EXPECTED[key].items():
            assert by_sid[sid][title] == expected, (key, sid)
            assert by_sid[sid][f"{title} - Max Points"] == POINTS[key]


def test_the_exported_numbers_are_the_databases(api, scenario):
    """The same figures, recomputed from the stored rows with the documented policy."""
    api.force_authenticate(scenario.tara)
    header, *students = rows_of(
        api.get(f"/api/v1/courses/{scenario.course.pk}/grades/gradescope.csv")
    )
    by_sid = {row[2]: dict(zip(header, row, strict=True)) for row in students}
    for student in (scenario.alice, scenario.carol):
        graded = Submission.objects.filter(
            assignment=scenario.lab1, student=student, status="done", gradable=True
        )
        best = max(s.score for s in graded if s.score is not None)
        # The stored score is the raw score after the late penalty.
        for s in graded:
            assert s.raw_score is not None
            assert s.score == pytest.approx(s.raw_score * (1 - 0.1 * s.late_days))
        assert float(by_sid[student.username]["Lab 1: transposed convolutions"]) == best
        reviews = Review.objects.filter(author=student, paper__review_deadline__lte=scenario.now)
        points = sum(0.5 if r.is_late else 2 for r in reviews)
        assert float(by_sid[student.username]["Reviews"]) == points


def test_a_paper_counts_only_once_its_review_deadline_passed(api, scenario, time_machine):
    # Paper three's deadline is 2017-12-04 23:59: afterwards it counts, as a 0 for everyone.
    time_machine.move_to("2017-12-06 12:00 -0500", tick=False)
    api.force_authenticate(scenario.tara)
    _header, points, *students = rows_of(
        api.get(f"/api/v1/courses/{scenario.course.pk}/grades/canvas.csv")
    )
    assert points[5] == "6"
    assert {row[3]: row[5] for row in students} == {"alice": "2.5", "carol": "0.5"}


@pytest.mark.parametrize("kind", ["canvas", "gradescope"])
def test_it_offers_the_same_files_as_page_downloads(client, scenario, kind):
    client.force_login(scenario.tara)
    page = client.get(f"/courses/{scenario.course.pk}/grades/")
    assert page.status_code == 200
    url = f"/courses/{scenario.course.pk}/grades/{kind}.csv"
    assert url in page.content.decode()
    api_url = f"/api/v1/courses/{scenario.course.pk}/grades/{kind}.csv"
    assert rows_of(client.get(url)) == rows_of(client.get(api_url))


def test_a_client_asking_for_text_csv_gets_the_file(api, scenario):
    api.force_authenticate(scenario.tara)
    url = f"/api/v1/courses/{scenario.course.pk}/grades/canvas.csv"
    assert rows_of(api.get(url, HTTP_ACCEPT="text/csv"))[0][0] == "Student"
    api.force_authenticate(scenario.alice)
    refused = api.get(url, HTTP_ACCEPT="text/csv")
    assert refused.status_code == 403
    assert "detail" in refused.json()


def test_it_answers_404_for_an_unknown_export(client, scenario):
    client.force_login(scenario.tara)
    assert client.get(f"/courses/{scenario.course.pk}/grades/excel.csv").status_code == 404


@pytest.mark.parametrize("kind", ["canvas", "gradescope"])
def test_only_staff_export(api, client, scenario, bob, kind):
    course = scenario.course
    url = f"/api/v1/courses/{course.pk}/grades/{kind}.csv"
    page = f"/courses/{course.pk}/grades/{kind}.csv"
    assert api.get(url).status_code == 401
    assert client.get(page).status_code == 302  # to the login page
    robot = make_member(course, "robot", "autograder")
    for user, expected in [(scenario.alice, 403), (robot, 403), (bob, 404)]:
        api.force_authenticate(user)
        assert api.get(url).status_code == expected, user
        client.force_login(user)
        assert client.get(page).status_code == expected, user
    ines = make_member(course, "ines", "instructor")
    api.force_authenticate(ines)
    assert api.get(url).status_code == 200


def test_a_course_without_students_exports_headers_only(api, course, tara):
    api.force_authenticate(tara)
    rows = rows_of(api.get(f"/api/v1/courses/{course.pk}/grades/canvas.csv"))
    assert len(rows) == 2
    assert rows[0] == [*CANVAS_HEADER, "Reviews (courseportal)", "Presentation (courseportal)"]
    assert rows[1][5:] == ["0", "10"]


def test_the_export_takes_as_many_queries_for_many_students_as_for_few(
    scenario, django_assert_num_queries
):
    with CaptureQueriesContext(connection) as few:
        gradebook_compute(course=scenario.course, now=scenario.now)
    for n in range(25):
        make_member(scenario.course, f"extra{n}", "student")
    with django_assert_num_queries(len(few.captured_queries)):
        book = gradebook_compute(course=scenario.course, now=scenario.now)
    assert len(book.students) == 27
