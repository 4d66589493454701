"""The drift repair in the browser (issue #16): after the seats per class go down, the
scheduling page lists the groups the repair would move, with their new dates; the repair runs
only once the box is ticked. axe-core on every page (test_journeys.Person)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from courses.services import course_update
from demo.seed import seed_demo
from presentations.models import PresentationSchedule
from presentations.services.schedules import schedule_generate, schedule_publish
from presentations.views import REPAIR_CONFIRM
from tests.browser import test_journeys

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

person = test_journeys.person
Person = test_journeys.Person


def test_the_repair_shows_who_moves_and_runs_once_confirmed(
    person: Callable[[str], Person],
) -> None:
    course = seed_demo().course
    instructor = course.memberships.get(role="instructor").user
    schedule_publish(schedule=schedule_generate(course=course, actor=instructor), actor=instructor)
    course_update(course=course, presenters_per_class=2)  # the published days are too full now

    ines = person("instructor")
    page = ines.page
    ines.follow("Presentations", "**/presentations/")
    ines.follow("Scheduling", "**/presentations/manage/")
    moves = page.locator("#repair-moves tbody tr")
    shown = {row.locator("td").first.inner_text() for row in moves.all()}
    assert shown
    summary = page.locator("#repair-summary").inner_text()
    assert summary.startswith(f"The repair would move {len(shown)} group")
    page.get_by_label(REPAIR_CONFIRM).check()
    page.get_by_role("button", name="Repair with the fewest moves").click()
    page.get_by_text(f"Schedule repaired: {len(shown)} group(s) moved and told.").wait_for()
    ines.check()
    versions = PresentationSchedule.objects.filter(course=course, status="published")
    assert versions.get().version == 2
