"""Roster services below the API: chunked progress, and the plan of a file with errors."""

from __future__ import annotations

import pytest

from roster import services
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_it_checks_rows_in_chunks_and_reports_progress(course, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    seen: list[tuple[int, int, str]] = []
    content = "Email\n" + "".join(f"s{i}@gatech.edu\n" for i in range(5))
    plan = services.roster_preview(
        course=course,
        content=content.encode(),
        importer_role="ta",
        progress=lambda done, total, message: seen.append((done, total, message)),
    )
    assert [(done, total) for done, total, _ in seen] == [(2, 5), (4, 5), (5, 5)]
    assert seen[-1][2] == "Checked 5 of 5 rows"
    assert plan.counts()["create"] == 5


def test_it_never_deactivates_staff_or_the_autograder(course, tara, ines, alice):
    robot = make_member(course, "robot", "autograder")
    plan = services.roster_preview(
        course=course, content=b"Email\nnew@gatech.edu\n", importer_role="ta"
    )
    assert [d.username for d in plan.deactivate] == ["alice"]
    assert robot.memberships.get().is_active


def test_it_lists_no_departures_while_rows_have_errors(course, alice):
    # A bad row may be a student who is staying: nobody is shown as leaving until it is fixed.
    plan = services.roster_preview(
        course=course, content=b"Email,Role\nalice@example.edu,Observer\n", importer_role="ta"
    )
    assert len(plan.errors) == 1
    assert plan.deactivate == []
