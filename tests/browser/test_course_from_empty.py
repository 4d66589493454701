"""An instructor sets a course up from empty in the pages only — no API, no admin: the
calendar, a TA, a paper, presenter groups, a lab with its handout, an announcement — and
publishes the presentation schedule; a student finds it all from the course home; a class with
presenters is then cancelled, after the page says who would move. Every page is checked with
axe-core and saved as screenshots at 1280 and 375 px (see test_journeys.Person)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from convlab.models import Assignment
from courses.models import Membership
from demo.seed import DEMO_PASSWORD
from presentations.models import PresentationSchedule, PresenterGroup
from reviews.models import Paper
from tests.browser import test_journeys
from tests.factories import make_course, make_member, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

person = test_journeys.person
Person = test_journeys.Person
HANDOUT = "## Lab 2\n\nWrite `conv_transpose2d` by **summing** the overlapping outputs."
STUDENTS = {
    "ada": ("Ada", "Lovelace"),
    "alan": ("Alan", "Turing"),
    "grace": ("Grace", "Hopper"),
    "claude": ("Claude", "Shannon"),
}


def _with_demo_password(user: Any, first: str = "", last: str = "") -> Any:
    user.set_password(DEMO_PASSWORD)
    user.first_name, user.last_name = first, last
    user.save(update_fields=["password", "first_name", "last_name"])
    return user


def test_an_instructor_sets_up_a_course_from_empty_and_a_student_finds_it(
    person: Callable[[str], Person],
) -> None:
    # A term around today, so that the paper's reviews and the lab are still due.
    today = timezone.localdate()
    course = make_course(
        term="This term", first_day=today - dt.timedelta(28), last_day=today + dt.timedelta(84)
    )
    # A Tuesday two weeks ahead for the break, the Thursday after that for the paper.
    break_day = today + dt.timedelta(14 + (1 - today.weekday()) % 7)
    paper_day = break_day + dt.timedelta(2)
    _with_demo_password(make_member(course, "ines", "instructor"))
    for username, (first, last) in STUDENTS.items():
        _with_demo_password(make_member(course, username, "student"), first, last)
    _with_demo_password(make_user("tom"))  # an account, not yet in the course

    ines = person("ines")
    page = ines.page
    home = f"**/courses/{course.pk}/"

    # The calendar: fall break on Tuesday 10/10.
    ines.follow("Calendar", "**/calendar/")
    page.get_by_label("Date", exact=True).fill(break_day.isoformat())
    page.get_by_label("What happens").select_option("no_class")
    page.get_by_label("Why there is no class").select_option("break")
    page.get_by_label("Title", exact=True).fill("Fall break")
    page.get_by_role("button", name="Add to the calendar").click()
    page.get_by_text(
        f"{break_day:%a, %b} {break_day.day} is now: No class — Fall break."
    ).wait_for()
    ines.check()

    # A TA.
    ines.follow("Home", home)
    ines.follow("Staff roles: add or remove TAs and instructors", "**/people/staff/")
    page.get_by_label("Username or e-mail").fill("tom")
    page.get_by_role("button", name="Add to the staff").click()
    page.get_by_text("is now a TA of CS 7643.").wait_for()
    ines.check()

    # A paper.
    ines.follow("Papers", "**/papers/")
    ines.follow("Add paper", "**/papers/add/")
    page.get_by_label("Class day").select_option(paper_day.isoformat())
    page.get_by_label("Title").fill("Deconvolution and Checkerboard Artifacts")
    page.get_by_role("button", name="Add paper").click()
    page.get_by_text("“Deconvolution and Checkerboard Artifacts” is added.").wait_for()
    ines.check()

    # Two presenter groups of two.
    ines.follow("Presentations", "**/presentations/")
    ines.follow("Scheduling", "**/presentations/manage/")
    ines.follow("Create, edit or delete presenter groups", "**/presentations/groups/")
    for name, members, choice in [
        ("Visualizations", ["ada", "alan"], paper_day),
        ("Saliency", ["grace", "claude"], paper_day + dt.timedelta(5)),
    ]:
        page.get_by_label("Group name").fill(name)
        for username in members:
            first, last = STUDENTS[username]
            page.get_by_label(f"{first} {last} ({username})", exact=True).check()
        page.get_by_label("1st choice").select_option(choice.isoformat())  # a class ahead
        page.get_by_role("button", name="Create the group").click()
        page.get_by_text(f"Group {name} created.").wait_for()
        ines.check()

    # A lab from the built-in suite, open now.
    ines.follow("Labs", "**/labs/")
    ines.follow("New assignment", "**/labs/new/")
    page.get_by_label("Title").fill("Lab 2: transposed convolutions")
    page.get_by_label("Check suite").select_option("transposed-convolutions")
    page.get_by_label("Opens").fill(f"{today - dt.timedelta(1)}T09:00")
    page.get_by_label("Due", exact=True).fill(f"{today + dt.timedelta(30)}T23:59")
    page.get_by_label("Handout (Markdown)").fill(HANDOUT)
    page.get_by_role("button", name="Create lab").click()
    page.get_by_text("“Lab 2: transposed convolutions” is created.").wait_for()
    ines.check()

    # An announcement.
    ines.follow("Home", home)
    ines.follow("Post or edit announcements", "**/announcements/")
    page.get_by_label("Title").fill("Lab 2 is out")
    page.get_by_label("Message").fill("See Labs. Presentations start on 10/12.")
    page.get_by_role("button", name="Post the announcement").click()
    page.get_by_text("Lab 2 is out").first.wait_for()
    ines.check()

    # The schedule: generated, then published (after saying so).
    ines.follow("Presentations", "**/presentations/")
    ines.follow("Scheduling", "**/presentations/manage/")
    page.get_by_role("button", name="Generate an optimal draft").click()
    page.get_by_text("Draft v1 is ready").wait_for()
    ines.check()
    page.get_by_label("I understand that publishing moves every group").check()
    page.get_by_role("button", name="Publish draft v1").click()
    page.get_by_text("Schedule v1 is published.").wait_for()
    ines.check()

    assert Membership.objects.get(course=course, user__username="tom").role == "ta"
    assert Paper.objects.filter(course=course).count() == 1
    assert PresenterGroup.objects.filter(course=course).count() == 2
    assert Assignment.objects.filter(course=course).count() == 1
    published = PresentationSchedule.objects.get(course=course, status="published")
    day = published.slots.get(group__name="Visualizations").date

    # The student finds it all from the course home.
    ada = person("ada")
    ada.page.get_by_role("heading", name="What's due").wait_for()
    panel = ada.page.locator("#course-panel").inner_text()
    assert "Deconvolution and Checkerboard Artifacts" in panel
    assert "Lab 2: transposed convolutions" in panel
    assert f"{day:%B} {day.day}" in panel
    assert "Lab 2 is out" in ada.page.locator("main").inner_text()
    ada.check()
    ada.follow("Labs", "**/labs/")
    ada.follow("Lab 2: transposed convolutions", "**/labs/*/")
    assert ada.page.locator("main strong", has_text="summing").count() == 1  # rendered Markdown

    # A class with presenters cancelled after publishing: the page first says who would move;
    # cancelling changes nothing, confirming moves them.
    ines.follow("Calendar", "**/calendar/")
    for attempt in ("cancel", "confirm"):
        page.get_by_label("Date", exact=True).fill(day.isoformat())
        page.get_by_label("What happens").select_option("no_class")
        page.get_by_label("Why there is no class").select_option("cancelled")
        page.get_by_label("Title", exact=True).fill("Instructor travel")
        page.get_by_role("button", name="Add to the calendar").click()
        moves = page.locator("#calendar-moves")
        moves.wait_for()
        ines.check()
        assert "Visualizations" in moves.inner_text()
        if attempt == "cancel":
            ines.follow("Cancel, keep the calendar and the schedule as they are", "**/calendar/")
            assert "Instructor travel" not in page.locator(f'tr[data-date="{day}"]').inner_text()
            assert PresentationSchedule.objects.get(course=course, status="published").pk == (
                published.pk
            )
    page.get_by_role("button", name=re.compile(r"^Change the calendar and move")).click()
    page.get_by_text(f"{day:%a, %b} {day.day} is now: No class — Instructor travel.").wait_for()
    ines.check()
    moved = PresentationSchedule.objects.get(course=course, status="published")
    assert moved.version == published.version + 1
    assert moved.slots.get(group__name="Visualizations").date != day
