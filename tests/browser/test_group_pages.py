"""Presenter groups on the staff pages, in the browser (issue #16): the instructor creates a
group of two students with a ranked date, then renames it and changes its dates. At a desktop
width and at a phone's, with axe-core on every page and nothing wider than the phone's screen."""

from __future__ import annotations

from typing import Any

import pytest

from demo.seed import DEMO_PASSWORD, seed_demo
from presentations.models import PresenterGroup
from tests.browser.axe import PHONE_WIDTH, assert_accessible, phone_width_problems
from tests.factories import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def student(course: Any, username: str, first: str, last: str) -> Any:
    user = make_member(course, username, "student")
    user.first_name, user.last_name = first, last
    user.save()
    return user


def check(page: Any) -> None:
    page.wait_for_load_state()
    assert_accessible(page)
    if page.viewport_size["width"] == PHONE_WIDTH:
        assert phone_width_problems(page) == ""


@pytest.mark.parametrize("width", [1280, PHONE_WIDTH])
def test_an_instructor_creates_a_group_of_two_and_edits_it(
    browser: Any, live_server: Any, width: int
) -> None:
    course = seed_demo().course
    student(course, "feifei@stanford.edu", "Fei-Fei", "Li")
    student(course, "karpathy@stanford.edu", "Andrej", "Karpathy")
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("instructor")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/courses/*/")

    page.goto(f"{live_server.url}/courses/{course.pk}/presentations/manage/")
    page.get_by_role("link", name="Create, edit or delete presenter groups").click()
    page.get_by_role("heading", name="Presenter groups").wait_for()
    check(page)
    assert "Fei-Fei Li" in page.locator("#ungrouped").inner_text()
    page.get_by_label("Group name").fill("Attention")
    page.get_by_label("Fei-Fei Li").check()
    page.get_by_label("Andrej Karpathy").check()
    page.get_by_label("1st choice").select_option("2017-10-19")
    page.get_by_role("button", name="Create the group").click()
    page.get_by_text("Group Attention created.").wait_for()
    check(page)
    row = page.locator('tr[data-group="Attention"]').inner_text()
    assert "Fei-Fei Li" in row
    assert "Andrej Karpathy" in row
    assert "Thu, Oct 19" in row

    page.get_by_role("link", name="Edit Attention").click()
    page.get_by_role("heading", name="Edit Attention").wait_for()
    check(page)
    page.get_by_label("Group name").fill("Attention is all you need")
    page.get_by_label("1st choice").select_option("2017-10-24")
    page.get_by_label("2nd choice").select_option("2017-10-19")
    page.get_by_role("button", name="Save the group").click()
    page.get_by_text("Group Attention is all you need saved.").wait_for()
    check(page)

    group = PresenterGroup.objects.get(course=course, name="Attention is all you need")
    assert group.preferences == ["2017-10-24", "2017-10-19"]
    assert {m.user.username for m in group.members.all()} == {
        "feifei@stanford.edu",
        "karpathy@stanford.edu",
    }
    context.close()
