"""A presenter group by invitation, in the browser (issue #14, finding 13): one student starts
a group and invites a classmate from the picker; the classmate logs in, sees the invitation and
accepts; both see the group with both names. At a desktop width and at a phone's, with
axe-core on every page and nothing wider than the phone's screen."""

from __future__ import annotations

from typing import Any

import pytest

from demo.seed import DEMO_PASSWORD, seed_demo
from presentations.models import GroupMember
from tests.browser.axe import PHONE_WIDTH, assert_accessible, phone_width_problems
from tests.factories import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Student:
    """A signed-in student's tab; `check()` runs axe-core (and, on a phone, the width check)."""

    def __init__(self, browser: Any, base: str, width: int, username: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": 800})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.goto(f"{base}/accounts/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url("**/courses/*/")

    def check(self) -> None:
        self.page.wait_for_load_state()
        assert_accessible(self.page)
        if self.page.viewport_size["width"] == PHONE_WIDTH:
            assert phone_width_problems(self.page) == ""

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.check()


def classmate(course: Any, username: str, first: str, last: str) -> Any:
    user = make_member(course, username, "student")
    user.first_name, user.last_name = first, last
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


@pytest.mark.parametrize("width", [1280, PHONE_WIDTH])
def test_a_student_invites_a_classmate_who_accepts(
    browser: Any, live_server: Any, width: int
) -> None:
    course = seed_demo().course
    classmate(course, "feifei@stanford.edu", "Fei-Fei", "Li")
    andrej = classmate(course, "karpathy@stanford.edu", "Andrej", "Karpathy")
    group_page = f"/courses/{course.pk}/presentations/group/"

    feifei = Student(browser, live_server.url, width, "feifei@stanford.edu")
    feifei.go(group_page)
    feifei.page.get_by_label("Group name").fill("Attention")
    feifei.page.get_by_role("button", name="Start a group").click()
    feifei.page.get_by_text("Group Attention started").wait_for()
    feifei.check()
    feifei.page.get_by_label("Classmate", exact=True).select_option(label="Andrej Karpathy")
    feifei.page.get_by_role("button", name="Invite", exact=True).click()
    feifei.page.get_by_text("Invitation sent").wait_for()
    feifei.check()
    assert "Andrej Karpathy" in feifei.page.locator("#sent-invitations").inner_text()
    assert "karpathy@stanford.edu" not in feifei.page.content()
    assert not GroupMember.objects.filter(user=andrej).exists()  # not before accepting

    karpathy = Student(browser, live_server.url, width, "karpathy@stanford.edu")
    karpathy.go(f"/courses/{course.pk}/presentations/")
    invitations = karpathy.page.locator("#invitations")
    assert "Attention" in invitations.inner_text()
    assert "Fei-Fei Li" in invitations.inner_text()
    assert "feifei@stanford.edu" not in karpathy.page.content()
    karpathy.page.get_by_role("button", name="Accept the invitation to Attention").click()
    karpathy.page.get_by_text("You joined Attention").wait_for()
    karpathy.check()
    members = karpathy.page.locator("#group-members").inner_text()
    assert "Fei-Fei Li" in members
    assert "Andrej Karpathy" in members

    feifei.go(group_page)
    members = feifei.page.locator("#group-members").inner_text()
    assert "Fei-Fei Li" in members
    assert "Andrej Karpathy" in members
    assert feifei.page.locator("#sent-invitations").count() == 0  # nothing left open
    feifei.context.close()
    karpathy.context.close()
