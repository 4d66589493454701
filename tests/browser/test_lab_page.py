"""A student's journey through the lab page, at 1280 and at 375 px, with axe-core on each
page: what to write and with what, the starter file, a refused upload that keeps its attempt,
and the feedback of a file that cannot be imported (one banner, not one error per check)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from convlab.suites import transposed_convolutions as suite
from demo.seed import DEMO_PASSWORD, seed_demo
from tests.browser.axe import PHONE_VIEWPORT, assert_accessible, phone_width_problems

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

LAB = "Lab 2: transposed convolutions"
BROKEN = b"import numpy as np\n\ndef conv1d(x, w:\n    return x\n"


def looks_right(page: Any, phone: bool) -> None:
    assert_accessible(page)
    if phone:
        problem = phone_width_problems(page)
        assert not problem, problem


@pytest.mark.parametrize("width", [1280, 375])
def test_a_student_reads_the_lab_gets_the_starter_and_sees_one_import_error(
    browser: Any, live_server: Any, grading_worker: Any, tmp_path: Path, width: int
) -> None:
    seed_demo()
    phone = width == PHONE_VIEWPORT["width"]
    viewport = PHONE_VIEWPORT if phone else {"width": 1280, "height": 800}
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("student1")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/courses/*/")
        page.get_by_role("link", name="Labs").click()
        page.get_by_role("link", name=LAB).click()
        page.wait_for_url("**/labs/transposed-convolutions/")
        looks_right(page, phone)

        functions = page.locator("dl.functions")
        for function in suite.FUNCTIONS:
            assert functions.get_by_text(function.signature, exact=True).is_visible()
        assert page.get_by_text(f"numpy {np.__version__}", exact=True).is_visible()
        assert "attempts left" in page.locator("#attempts").inner_text()
        before = page.locator("#attempts strong").inner_text()

        with page.expect_download() as download:
            page.get_by_role("link", name="Download the starter file").click()
        starter = Path(download.value.path()).read_text()
        defined = {n.name for n in ast.parse(starter).body if isinstance(n, ast.FunctionDef)}
        assert defined == {f.name for f in suite.FUNCTIONS}

        notebook = tmp_path / "lab.ipynb"
        notebook.write_text('{"cells": []}')
        page.get_by_label("Your solution (.py)").set_input_files(str(notebook))
        page.get_by_role("button", name="Submit for grading").click()
        page.get_by_role("alert").filter(has_text="is not a .py file").wait_for()
        assert page.locator("#attempts strong").inner_text() == before
        looks_right(page, phone)

        broken = tmp_path / "solution.py"
        broken.write_bytes(BROKEN)
        page.get_by_label("Your solution (.py)").set_input_files(str(broken))
        page.get_by_role("button", name="Submit for grading").click()
        page.wait_for_url("**/submissions/*/")
        page.locator('#submission-status[data-status="done"]').wait_for(timeout=60_000)
        banner = page.locator("#import-error")
        assert banner.is_visible()
        assert "SyntaxError" in banner.inner_text()
        # text_content, not inner_text: the folded checks' text counts too.
        assert page.locator("#submission-status").text_content().count("SyntaxError") == 1
        assert page.locator(".check details[open]").count() == 0
        looks_right(page, phone)
    finally:
        context.close()
