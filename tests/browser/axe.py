"""Accessibility and phone-width checks run inside the page under test.

axe-core is the npm package pinned in package.json (installed by `npm ci`); it is injected into the
page from node_modules, so the browser never fetches anything. Only violations of impact "serious"
or "critical" fail a test: those are the ones that stop someone using the page (no name on a
button, unreadable contrast, a form field without a label), while "minor"/"moderate" findings are
judgement calls axe itself marks as such.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, require

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
PHONE_WIDTH = 375
PHONE_VIEWPORT = {"width": PHONE_WIDTH, "height": 740}


def axe_script() -> Path:
    """The pinned axe-core build; a skip locally without `npm ci`, a failure in CI."""
    require(AXE_JS.exists(), f"axe-core is not installed: run `npm ci` ({AXE_JS} is missing)")
    return AXE_JS


@functools.cache
def axe_source() -> str:
    return axe_script().read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Every serious or critical violation axe-core finds in the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Not page.add_script_tag: it inserts an inline <script> that a Content-Security-Policy
        # without 'unsafe-inline' rightly blocks. Evaluating the file through the DevTools
        # protocol is not subject to the page's CSP, so pages are checked with theirs in force.
        page.evaluate(axe_source())
    results = page.evaluate(
        """async () => {
            const results = await window.axe.run(document, {resultTypes: ['violations']});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }"""
    )
    return [v for v in results if v["impact"] in BLOCKING_IMPACTS]


def format_violations(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']}\n    at " + "\n    at ".join(v["targets"])
        for v in violations
    )


def accessibility_problems(page: Any) -> str:
    """Serious or critical axe-core violations of the page as a readable report ('' if none)."""
    violations = axe_violations(page)
    if not violations:
        return ""
    return (
        f"axe-core: {len(violations)} serious/critical violation(s) on {page.url}:\n"
        + format_violations(violations)
    )


def assert_accessible(page: Any) -> None:
    """Fail listing every serious or critical axe-core violation (rule, help, target nodes)."""
    problems = accessibility_problems(page)
    if problems:
        pytest.fail(problems, pytrace=False)


def phone_width_problems(page: Any) -> str:
    """At 375 px wide nothing may push the page sideways ('' when it fits). Wide tables may
    scroll inside their `.table-wrap`; anything else wider than the screen is named.

    The page must already have the phone viewport (`PHONE_VIEWPORT`).
    """
    assert page.viewport_size["width"] == PHONE_WIDTH
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= PHONE_WIDTH + 1:
        return ""
    wide = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > limit + 1)
            // Inside a scrolling wrapper only what escapes its clip counts (absolute positioning).
            .filter(e => !e.parentElement.closest('.table-wrap')
                         || ['absolute', 'fixed'].includes(getComputedStyle(e).position))
            .slice(0, 10)
            .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                 + (typeof e.className === 'string' && e.className.trim()
                    ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))""",
        PHONE_WIDTH,
    )
    return f"{page.url} is {width} px wide at a {PHONE_WIDTH} px viewport; too wide: {wide}"
