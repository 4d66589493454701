"""Steps the browser tests share: signing in through the login form, and collecting a page's
accessibility and phone-width problems."""

from __future__ import annotations

from typing import Any

from tests.browser.axe import PHONE_WIDTH, accessibility_problems, phone_width_problems
from tests.factories import PASSWORD


def log_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login page and wait for the course page it leads to."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/courses/*/")


def check(page: Any, problems: list[str]) -> None:
    """Collect the page's axe-core and (on a phone) width problems."""
    found = [accessibility_problems(page)]
    if page.viewport_size["width"] == PHONE_WIDTH:
        found.append(phone_width_problems(page))
    problems += [problem for problem in found if problem]
