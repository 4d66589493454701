"""The sessions API derives the term from the course and its exceptions on every read.

Derived terms and their serialized form are kept in memory under their complete input, so these
tests read first (filling what is kept), change the calendar, and read again.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from courses.models import Course

pytestmark = pytest.mark.django_db


def sessions(api: APIClient, course: Course) -> dict[str, dict]:
    response = api.get(f"/api/v1/courses/{course.pk}/sessions/")
    assert response.status_code == 200, response.json()
    return {s["date"]: s for s in response.json()}


def test_it_shows_each_calendar_change_in_the_next_read(api, course, tara):
    api.force_authenticate(tara)
    assert sessions(api, course)["2017-10-10"]["meets"] is True
    exceptions = f"/api/v1/courses/{course.pk}/exceptions/"
    created = api.post(
        exceptions, {"date": "2017-10-10", "kind": "no_class", "reason": "break"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert sessions(api, course)["2017-10-10"]["meets"] is False

    changed = api.patch(
        f"{exceptions}{created.json()['id']}/",
        {"kind": "guest_lecture", "title": "Guest lecture by Dr. Stefan Lee"},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    guest = sessions(api, course)["2017-10-10"]
    assert (guest["meets"], guest["has_papers"]) == (True, False)
    assert guest["exception_title"] == "Guest lecture by Dr. Stefan Lee"

    assert api.delete(f"{exceptions}{created.json()['id']}/").status_code == 204
    assert sessions(api, course)["2017-10-10"]["exception_kind"] is None


def test_it_shows_a_new_meeting_time_in_the_next_read(api, course, ines):
    api.force_authenticate(ines)
    assert sessions(api, course)["2017-08-22"]["starts_at"] == "2017-08-22T16:30:00-04:00"
    response = api.patch(
        f"/api/v1/courses/{course.pk}/",
        {"meeting_start": "09:00", "meeting_end": "10:15"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert sessions(api, course)["2017-08-22"]["starts_at"] == "2017-08-22T09:00:00-04:00"


def test_it_gives_two_courses_with_the_same_calendar_their_own_answer(api, course, tara, bob):
    api.force_authenticate(tara)
    mine = sessions(api, course)
    api.force_authenticate(bob)
    other = sessions(api, bob.memberships.get().course)
    assert "2017-10-10" in mine
    assert "2017-10-10" not in other  # bob's course is in Spring 2018


def test_it_writes_the_times_in_the_time_zone_of_the_request(api, course, tara):
    """Aware datetimes compare equal across zones: the zone is part of what is kept."""
    api.force_authenticate(tara)
    assert sessions(api, course)["2017-08-22"]["starts_at"] == "2017-08-22T16:30:00-04:00"
    with timezone.override("UTC"):
        assert sessions(api, course)["2017-08-22"]["starts_at"] == "2017-08-22T20:30:00Z"
