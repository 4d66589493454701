from __future__ import annotations

import pytest

from courses.models import Announcement, Course

pytestmark = pytest.mark.django_db


def url(course: Course, announcement_id: int | None = None) -> str:
    base = f"/api/v1/courses/{course.pk}/announcements/"
    return base if announcement_id is None else f"{base}{announcement_id}/"


def test_it_publishes_an_announcement_to_the_course(api, course, ines, alice):
    api.force_authenticate(ines)
    response = api.post(
        url(course), {"title": "HW2 + PS2 out", "body": "Due 10/19."}, format="json"
    )
    assert response.status_code == 201, response.json()
    api.force_authenticate(alice)
    listed = api.get(url(course)).json()
    assert [(a["title"], a["body"]) for a in listed] == [("HW2 + PS2 out", "Due 10/19.")]


def test_it_lets_staff_edit_and_delete_but_not_students(api, course, tara, alice):
    api.force_authenticate(tara)
    created = api.post(url(course), {"title": "No class on 10/10"}, format="json").json()
    api.force_authenticate(alice)
    assert api.post(url(course), {"title": "Party"}, format="json").status_code == 403
    assert api.patch(url(course, created["id"]), {"title": "x"}, format="json").status_code == 403
    assert api.delete(url(course, created["id"])).status_code == 403
    api.force_authenticate(tara)
    response = api.patch(url(course, created["id"]), {"pinned": True}, format="json")
    assert response.status_code == 200
    assert response.json()["pinned"] is True
    assert api.delete(url(course, created["id"])).status_code == 204
    assert not Announcement.objects.exists()


def test_it_hides_announcements_from_other_courses_and_anonymous(api, course, ines, bob):
    api.force_authenticate(ines)
    created = api.post(url(course), {"title": "Secret"}, format="json").json()
    api.force_authenticate(bob)
    assert api.get(url(course)).status_code == 404
    assert api.get(url(course, created["id"])).status_code == 404
    api.force_authenticate(None)
    assert api.get(url(course)).status_code == 401


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "body": "x" * 10_001}, "body"),
        ({"title": "ok", "pinned": "perhaps"}, "pinned"),
    ],
)
def test_it_rejects_bad_announcements_naming_the_field(api, course, ines, payload, field):
    api.force_authenticate(ines)
    response = api.post(url(course), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Announcement.objects.exists()
