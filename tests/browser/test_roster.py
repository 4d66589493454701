"""A TA imports a large roster in the browser: preview and apply run as jobs, and the job page
follows their progress live (htmx polling) until it shows the outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from courses.models import Membership
from tests.factories import PASSWORD, make_course, make_member

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROWS = 600


def test_it_previews_and_applies_a_large_roster_with_live_progress(
    page: Any, live_server: Any, jobs_worker: Any, tmp_path: Path
) -> None:
    course = make_course()
    make_member(course, "tara", "ta")
    roster = tmp_path / "gradescope_roster.csv"
    lines = ["First Name,Last Name,SID,Email,Role,Section"]
    lines += [f"Student,{i:04},{900000 + i},s{i:04}@gatech.edu,Student,A" for i in range(ROWS)]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("tara")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/courses/*/")
    page.get_by_role("link", name="Roster").click()
    page.get_by_label("Roster export (CSV)").set_input_files(str(roster))
    page.get_by_role("button", name="Preview").click()

    page.wait_for_url("**/jobs/*/")
    # The page is never reloaded: htmx swaps in the progress until the job is over.
    page.locator(f'#job-progress[data-status="done"][data-done="{ROWS}"]').wait_for(timeout=90_000)
    assert page.get_by_text(f"New accounts: {ROWS}").is_visible()
    assert Membership.objects.filter(course=course).count() == 1

    preview_url = page.url
    with page.expect_navigation():
        page.get_by_role("button", name=f"Apply {ROWS} changes (as a job)").click()
    assert page.url != preview_url  # the apply job's own page
    page.locator('#job-progress[data-status="done"]').wait_for(timeout=90_000)
    page.get_by_role("heading", name="Applied").wait_for()
    assert Membership.objects.filter(course=course, role="student").count() == ROWS
