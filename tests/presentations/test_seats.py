from __future__ import annotations

import re

import pytest

from presentations.models import PresenterGroup
from tests.presentations.conftest import publish

pytestmark = pytest.mark.django_db


def cells(page: str) -> dict[str, str]:
    """The at-a-glance grid's cells by date, as HTML."""
    found = re.findall(r'<li class="seat-cell[^"]*" data-date="([\d-]+)">(.*?)</li>', page, re.S)
    return dict(found)


def cell_classes(page: str) -> dict[str, str]:
    return {d: c for c, d in re.findall(r'<li class="(seat-cell[^"]*)" data-date="([\d-]+)"', page)}


def test_it_shows_the_seats_used_per_class_date(client, api, demo, users):
    published = publish(api, demo, users["instructor"])
    client.force_login(users["student1"])
    page = client.get(f"/courses/{demo.pk}/presentations/").text
    grid = cells(page)
    by_date: dict[str, int] = {}
    for slot in published["slots"]:
        by_date[slot["date"]] = by_date.get(slot["date"], 0) + 1
    assert by_date, "the published schedule places groups"
    for date, groups in by_date.items():
        # Every seed group has two students: two seats each, out of 6 presenters per class.
        assert f"{2 * groups} of 6 seats" in grid[date]
        assert f"{groups} group{'s' if groups > 1 else ''}" in grid[date]
    assert "No class — Fall break" in grid["2017-10-10"]
    assert "Guest lecture — no presenters" in grid["2017-10-05"]
    assert "seats" not in grid["2017-10-10"]


def test_it_highlights_the_students_own_day_and_links_to_it(client, api, demo, users):
    published = publish(api, demo, users["instructor"])
    group = PresenterGroup.objects.get(name="Visualizations")
    day = next(s["date"] for s in published["slots"] if s["group"] == group.pk)
    client.force_login(users["student1"])
    page = client.get(f"/courses/{demo.pk}/presentations/").text
    classes = cell_classes(page)
    assert "seat-own" in classes[day]
    assert [d for d, c in classes.items() if "seat-own" in c] == [day]
    assert "Your group" in cells(page)[day]
    assert re.search(rf'Your presentation: <a href="#day-{day}">', page)
    assert f'<tr id="day-{day}"' in page


def test_it_shows_no_own_day_to_staff_or_before_publishing(client, api, demo, users):
    client.force_login(users["student1"])
    page = client.get(f"/courses/{demo.pk}/presentations/").text
    assert "Your presentation:" not in page
    assert "0 of 6 seats" in page  # before publishing every class date is empty
    publish(api, demo, users["instructor"])
    client.force_login(users["instructor"])
    page = client.get(f"/courses/{demo.pk}/presentations/").text
    assert "Your presentation:" not in page
    assert "seat-own" not in page


def test_it_shows_the_drafts_seats_on_the_scheduling_page(client, demo, users):
    client.force_login(users["instructor"])
    base = f"/courses/{demo.pk}/presentations/manage/"
    assert "Seats per class date" not in client.get(base).text
    client.post(base + "generate/")
    page = client.get(base).text
    assert "Seats per class date in this draft" in page
    assert re.search(r"[246] of 6 seats", page)
