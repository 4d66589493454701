from __future__ import annotations

import pytest

from courses.models import CalendarException, Course

pytestmark = pytest.mark.django_db


def url(course: Course, exception_id: int | None = None) -> str:
    base = f"/api/v1/courses/{course.pk}/exceptions/"
    return base if exception_id is None else f"{base}{exception_id}/"


FALL_BREAK = {"date": "2017-10-10", "kind": "no_class", "reason": "break", "title": "Fall break"}


def test_it_lets_a_ta_add_fall_break_and_the_session_stops_meeting(api, course, tara):
    api.force_authenticate(tara)
    response = api.post(url(course), FALL_BREAK, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["title"] == "Fall break"
    sessions = api.get(f"/api/v1/courses/{course.pk}/sessions/").json()
    assert next(s for s in sessions if s["date"] == "2017-10-10")["meets"] is False


def test_it_lets_staff_update_and_delete_an_exception(api, course, ines):
    api.force_authenticate(ines)
    created = api.post(url(course), FALL_BREAK, format="json").json()
    response = api.patch(
        url(course, created["id"]),
        {"kind": "guest_lecture", "title": "Guest lecture by Dr. Stefan Lee"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["kind"] == "guest_lecture"
    assert response.json()["reason"] == ""
    assert api.delete(url(course, created["id"])).status_code == 204
    assert not CalendarException.objects.exists()


def test_it_lets_students_read_but_not_write_exceptions(api, course, tara, alice):
    api.force_authenticate(tara)
    created = api.post(url(course), FALL_BREAK, format="json").json()
    api.force_authenticate(alice)
    assert api.get(url(course)).json()[0]["title"] == "Fall break"
    assert (
        api.post(url(course), {**FALL_BREAK, "date": "2017-10-12"}, format="json").status_code
        == 403
    )
    assert api.patch(url(course, created["id"]), {"title": "x"}, format="json").status_code == 403
    assert api.delete(url(course, created["id"])).status_code == 403
    assert CalendarException.objects.get().title == "Fall break"
    assert CalendarException.objects.count() == 1


def test_it_hides_exceptions_from_other_courses(api, course, tara, bob):
    api.force_authenticate(tara)
    created = api.post(url(course), FALL_BREAK, format="json").json()
    api.force_authenticate(bob)
    assert api.get(url(course)).status_code == 404
    assert api.get(url(course, created["id"])).status_code == 404
    assert (
        api.post(url(course), {**FALL_BREAK, "date": "2017-10-12"}, format="json").status_code
        == 404
    )
    assert api.delete(url(course, created["id"])).status_code == 404
    assert CalendarException.objects.count() == 1


def test_it_answers_anonymous_writes_with_401(api, course):
    assert api.post(url(course), FALL_BREAK, format="json").status_code == 401
    assert not CalendarException.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({**FALL_BREAK, "date": "2017-12-12"}, "date", "outside the term"),
        ({**FALL_BREAK, "date": "2017-08-15"}, "date", "outside the term"),
        ({**FALL_BREAK, "date": "2017-10-11"}, "date", "is a Wed"),
        ({**FALL_BREAK, "date": "2017-02-30"}, "date", "wrong format"),
        ({**FALL_BREAK, "date": "next tuesday"}, "date", "wrong format"),
        ({**FALL_BREAK, "kind": "party"}, "kind", "not a valid choice"),
        ({**FALL_BREAK, "reason": "weather-ish"}, "reason", "not a valid choice"),
        ({**FALL_BREAK, "reason": ""}, "reason", "required when there is no class"),
        (
            {"date": "2017-10-05", "kind": "guest_lecture", "reason": "break"},
            "reason",
            "only a day with no class has a reason",
        ),
        ({**FALL_BREAK, "title": "x" * 201}, "title", "no more than 200"),
        ({"kind": "no_class", "reason": "break"}, "date", "required"),
    ],
)
def test_it_rejects_bad_exceptions_naming_the_field(api, course, tara, payload, field, words):
    api.force_authenticate(tara)
    response = api.post(url(course), payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert field in body, body
    assert words in " ".join(body[field])
    assert not CalendarException.objects.exists()


def test_it_rejects_a_second_exception_on_the_same_date(api, course, tara):
    api.force_authenticate(tara)
    assert api.post(url(course), FALL_BREAK, format="json").status_code == 201
    response = api.post(url(course), {**FALL_BREAK, "title": "Again"}, format="json")
    assert response.status_code == 400
    assert "already has" in response.json()["date"][0]
    assert CalendarException.objects.get().title == "Fall break"


def test_it_keeps_the_exception_unchanged_after_a_bad_update(api, course, tara):
    api.force_authenticate(tara)
    created = api.post(url(course), FALL_BREAK, format="json").json()
    response = api.put(
        url(course, created["id"]),
        {"date": "2018-01-01", "kind": "no_class", "reason": "holiday", "title": "New year"},
        format="json",
    )
    assert response.status_code == 400
    assert "date" in response.json()
    stored = CalendarException.objects.get()
    assert (str(stored.date), stored.title, stored.reason) == ("2017-10-10", "Fall break", "break")
