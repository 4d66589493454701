"""The checks themselves: they must find what they claim to find, and pass a clean page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.axe import (
    PHONE_VIEWPORT,
    accessibility_problems,
    axe_violations,
    phone_width_problems,
)

pytestmark = pytest.mark.browser

CLEAN = """<!doctype html><html lang="en"><head><title>Fine</title></head>
<body><main><h1>Fine</h1><label for="q">Search</label><input id="q">
<button type="submit">Go</button></main></body></html>"""


def test_it_reports_serious_and_critical_violations_with_their_nodes(page: Any) -> None:
    page.set_content(
        """<!doctype html><html><head><title>Broken</title></head><body><main>
        <button id="nameless"></button>
        <p style="color:#aaa;background:#fff">Pale grey text on white.</p>
        </main></body></html>"""
    )
    found = {v["id"]: v for v in axe_violations(page)}
    assert found["button-name"]["impact"] == "critical"
    assert found["button-name"]["targets"] == ["#nameless"]
    assert found["html-has-lang"]["impact"] == "serious"
    assert found["color-contrast"]["impact"] == "serious"
    report = accessibility_problems(page)
    assert "button-name (critical)" in report
    assert "at #nameless" in report


def test_it_passes_a_clean_page(page: Any) -> None:
    page.set_content(CLEAN)
    assert axe_violations(page) == []
    assert accessibility_problems(page) == ""


def test_it_checks_a_page_whose_content_security_policy_forbids_inline_scripts(page: Any) -> None:
    page.set_content(
        """<!doctype html><html lang="en"><head><title>Strict</title>
        <meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'">
        </head><body><main><button id="nameless"></button></main></body></html>"""
    )
    assert [v["id"] for v in axe_violations(page)] == ["button-name"]


def test_it_names_what_overflows_a_phone_screen_except_scrolling_tables(page: Any) -> None:
    page.set_viewport_size(PHONE_VIEWPORT)
    page.set_content(
        """<!doctype html><html lang="en"><head><title>Wide</title></head><body>
        <div class="table-wrap" style="overflow-x:auto"><table style="width:900px">
        <tr><td>wide but scrolls in its wrapper</td></tr></table></div>
        <pre id="log" style="width:600px">a long line</pre></body></html>"""
    )
    problem = phone_width_problems(page)
    assert "pre#log" in problem
    assert "table" not in problem

    page.set_content(CLEAN)
    assert phone_width_problems(page) == ""
