"""Every CSV the portal writes is formula-safe (issue #14, finding 13: schedule.csv's members
column was not), whatever names, usernames, e-mails and group names hold."""

from __future__ import annotations

import ast
import csv
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver

from courses.models import Course
from demo.seed import seed_demo
from presentations.models import PresenterGroup
from tests.presentations.conftest import publish

ROOT = Path(__file__).resolve().parents[2]
APPS = ["courseportal", "courses", "jobs", "reviews", "presentations", "convlab", "roster",
        "gradebook", "demo"]  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
# Each (first name, last name, username, e-mail) starts with something a spreadsheet runs.
HOSTILE = [
    ('=HYPERLINK("https://evil.example","x")', "Evil", "=cmd|' /C calc'!A0", "=a@example.edu"),
    ("+SUM(1,1)", "Plus", "+plus", "+b@example.edu"),
    ("-2+3", "Minus", "-minus", "-c@example.edu"),
    ("@SUM(1)", "At", "@at", "@d@example.edu"),
    ("\t=1+1", "Tab", "\t=tab", "\te@example.edu"),
    ("\r=1+1", "Return", "\r=cr", "\rf@example.edu"),
    ("  =1+1", "Spaces", " =spaces", " =g@example.edu"),
    ("\uff1d1+1", "Fullwidth", "\uff1dwide", "h@example.edu"),
]
# name → (URL, who downloads it, through the API client or the page client)
EXPORTS = {
    "presentations-csv": ("/courses/{pk}/presentations/schedule.csv", "student1", "page"),
    "review-export": ("/courses/{pk}/reviews/export.csv", "instructor", "page"),
    "grade-export": ("/courses/{pk}/grades/canvas.csv", "instructor", "page"),
    "api-grades-canvas": ("/api/v1/courses/{pk}/grades/canvas.csv", "instructor", "api"),
    "api-grades-gradescope": ("/api/v1/courses/{pk}/grades/gradescope.csv", "instructor", "api"),
}
EXTRA = {"grade-export (gradescope)": ("/courses/{pk}/grades/gradescope.csv", "instructor", "page")}


def csv_routes() -> set[str]:
    """The names of every URL of the site whose route ends in .csv."""
    found = set()

    def walk(patterns: list[URLPattern | URLResolver]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif str(pattern.pattern).endswith(".csv") and pattern.name:
                found.add(pattern.name)

    walk(get_resolver().url_patterns)
    return found


def test_it_knows_every_csv_export_of_the_site():
    assert csv_routes() == set(EXPORTS)


def test_it_writes_csv_only_through_the_formula_guard():
    """No module but courseportal/spreadsheets.py makes a csv writer."""
    writers = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "csv"
                    and node.attr in {"writer", "DictWriter"}
                ):
                    writers.append(str(path.relative_to(ROOT)))
    assert writers == ["courseportal/spreadsheets.py"]


def unsafe(cell: str) -> bool:
    return cell.lstrip(" ").startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(cell)


@pytest.mark.django_db
@pytest.mark.parametrize("export", [*EXPORTS, *EXTRA])
def test_it_quotes_every_cell_a_spreadsheet_would_run(api, client, export):
    seed_demo()
    course = Course.objects.get(code="CS 7643")
    users = {u.username: u for u in get_user_model().objects.all()}
    # Two students per group, the hostile one first (schedule.csv joins the members).
    for number, (first, last, username, email) in enumerate(HOSTILE, start=1):
        user = users[f"student{number}"]
        user.first_name, user.last_name, user.username, user.email = first, last, username, email
        user.save()
    PresenterGroup.objects.filter(name="Visualizations").update(name="=IMPORTXML(A1)")
    PresenterGroup.objects.filter(name="Explanations").update(name="-1+1")
    publish(api, course, users["instructor"])
    url, who, kind = {**EXPORTS, **EXTRA}[export]
    if kind == "api":
        api.force_authenticate(users[who])
        response = api.get(url.format(pk=course.pk))
    else:
        client.force_login(users[who])
        response = client.get(url.format(pk=course.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    cells = [cell for row in rows for cell in row]
    assert [cell for cell in cells if unsafe(cell)] == []
    # The hostile text is there, quoted: the check above looked at it.
    assert any(cell.startswith("'") and unsafe(cell[1:]) for cell in cells)
