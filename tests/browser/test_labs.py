from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from convlab.suites import transposed_convolutions as suite
from demo.seed import DEMO_PASSWORD, seed_demo
from tests.convlab.grading.test_transposed_convolutions import BUGS
from tests.convlab.service.conftest import REFERENCE

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_it_names_the_overlap_misconception_then_gives_full_marks(
    page: Any, live_server: Any, grading_worker: Any, tmp_path: Path
) -> None:
    seed_demo()
    wrong = tmp_path / "overwrite.py"
    wrong.write_bytes(REFERENCE + BUGS[suite.OVERLAP][1].encode())
    right = tmp_path / "solution.py"
    right.write_bytes(REFERENCE)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("student1")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/courses/*/")
    page.get_by_role("link", name="Labs").click()
    page.get_by_role("link", name="Lab 2: transposed convolutions").click()

    page.get_by_label("Your solution (.py)").set_input_files(str(wrong))
    page.get_by_role("button", name="Submit for grading").click()
    page.wait_for_url("**/submissions/*/")
    page.locator('#submission-status[data-status="done"]').wait_for(timeout=60_000)
    named = page.locator(".check", has_text="overwritten instead of summed")
    assert named.count() >= 1
    heatmap = named.first.locator("img.heatmap")
    assert heatmap.count() >= 1
    assert heatmap.first.evaluate("img => img.naturalWidth") > 0

    page.get_by_role("link", name="Lab 2: transposed convolutions").click()
    page.get_by_label("Your solution (.py)").set_input_files(str(right))
    page.get_by_role("button", name="Submit for grading").click()
    page.wait_for_url("**/submissions/*/")
    page.locator('#submission-status[data-status="done"]').wait_for(timeout=60_000)
    assert page.locator("#score").inner_text().startswith("Score: 100 / 100")
