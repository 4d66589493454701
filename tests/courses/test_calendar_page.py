"""Staff change the term's calendar on its page: add an exception, remove one."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from courses.models import CalendarException, Course
from courses.services import calendar_exception_create
from tests.factories import make_course, make_member

pytestmark = pytest.mark.django_db

FALL_BREAK = {"date": "2017-10-10", "kind": "no_class", "reason": "break", "title": "Fall break"}


def url(course: Course) -> str:
    return f"/courses/{course.pk}/calendar/"


def delete_url(course: Course, exception: CalendarException) -> str:
    return f"/courses/{course.pk}/calendar/exceptions/{exception.pk}/delete/"


def fall_break(course: Course) -> CalendarException:
    return calendar_exception_create(
        course=course, date=dt.date(2017, 10, 10), kind="no_class", reason="break"
    )


def test_it_lets_an_instructor_add_fall_break(client, course, ines):
    client.force_login(ines)
    response = client.post(url(course), FALL_BREAK, follow=True)
    assert response.redirect_chain == [(url(course), 302)]
    exception = CalendarException.objects.get()
    assert (exception.date, exception.kind, exception.reason, exception.title) == (
        dt.date(2017, 10, 10),
        "no_class",
        "break",
        "Fall break",
    )
    assert "Tue, Oct 10 is now: No class — Fall break." in response.text
    assert response.text.count('<tr data-date="2017-') == 32


def test_it_lets_a_ta_add_a_guest_lecture(client, course, tara):
    client.force_login(tara)
    payload = {"date": "2017-10-05", "kind": "guest_lecture", "title": "Dr. Stefan Lee"}
    assert client.post(url(course), payload).status_code == 302
    assert CalendarException.objects.get().kind == "guest_lecture"


def test_it_shows_the_form_and_remove_buttons_only_to_staff(client, course, alice, tara):
    fall_break(course)
    client.force_login(alice)
    page = client.get(url(course)).text
    assert "Change the calendar" not in page
    assert "Remove" not in page
    client.force_login(tara)
    page = client.get(url(course)).text
    assert "Change the calendar" in page
    assert page.count(">Remove</button>") == 1


@pytest.mark.parametrize(
    ("payload", "label", "words"),
    [
        ({**FALL_BREAK, "date": "2017-12-12"}, "Date", "outside the term"),
        ({**FALL_BREAK, "date": "2017-10-11"}, "Date", "is a Wed"),
        ({**FALL_BREAK, "date": "2017-02-30"}, "Date", "Enter a valid date"),
        ({**FALL_BREAK, "date": ""}, "Date", "This field is required"),
        ({**FALL_BREAK, "kind": "party"}, "What happens", "Select a valid choice"),
        ({**FALL_BREAK, "reason": "weather-ish"}, "Why there is no class", "valid choice"),
        ({**FALL_BREAK, "reason": ""}, "Why there is no class", "required when there is no class"),
        (
            {"date": "2017-10-05", "kind": "guest_lecture", "reason": "break"},
            "Why there is no class",
            "only a day with no class has a reason",
        ),
        ({**FALL_BREAK, "title": "x" * 201}, "Title", "at most 200 characters"),
    ],
)
def test_it_rejects_bad_input_naming_the_field(client, course, tara, payload, label, words):
    client.force_login(tara)
    response = client.post(url(course), payload)
    assert response.status_code == 400
    errors = [html.unescape(line) for line in response.text.splitlines() if 'role="alert"' in line]
    assert any(f"{label}: " in e and words in e for e in errors), errors
    assert not CalendarException.objects.exists()


def test_it_rejects_a_second_exception_on_the_same_date(client, course, tara):
    fall_break(course)
    client.force_login(tara)
    response = client.post(url(course), {**FALL_BREAK, "title": "Again"})
    assert response.status_code == 400
    assert "already has a calendar exception" in response.text
    assert CalendarException.objects.get().title == ""


def test_it_lets_staff_remove_an_exception(client, course, ines):
    exception = fall_break(course)
    client.force_login(ines)
    response = client.post(delete_url(course, exception), follow=True)
    assert response.redirect_chain == [(url(course), 302)]
    assert "Tue, Oct 10: class as usual." in response.text
    assert not CalendarException.objects.exists()


def test_it_refuses_calendar_changes_from_students_and_autograders(client, course, alice):
    exception = fall_break(course)
    robot = make_member(course, "robot", "autograder")
    for user in (alice, robot):
        client.force_login(user)
        assert client.post(url(course), {**FALL_BREAK, "date": "2017-10-12"}).status_code == 403
        assert client.post(delete_url(course, exception)).status_code == 403
    assert list(CalendarException.objects.values_list("date", flat=True)) == [exception.date]


def test_it_hides_the_calendar_from_staff_of_other_courses(client, course):
    other = make_course(code="CS 4803", term="Spring 2018")
    outsider = make_member(other, "olga", "instructor")
    exception = fall_break(course)
    mine = fall_break(other)
    client.force_login(outsider)
    assert client.post(url(course), {**FALL_BREAK, "date": "2017-10-12"}).status_code == 404
    assert client.post(delete_url(course, exception)).status_code == 404
    # Their own course's URL with another course's exception id: not found either.
    wrong = f"/courses/{other.pk}/calendar/exceptions/{exception.pk}/delete/"
    assert client.post(wrong).status_code == 404
    assert set(CalendarException.objects.values_list("pk", flat=True)) == {exception.pk, mine.pk}


def test_it_sends_anonymous_visitors_to_log_in(client, course):
    exception = fall_break(course)
    for target in (url(course), delete_url(course, exception)):
        response = client.post(target, FALL_BREAK)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/accounts/login/")
    assert CalendarException.objects.count() == 1


def test_it_removes_only_by_post(client, course, ines):
    exception = fall_break(course)
    client.force_login(ines)
    assert client.get(delete_url(course, exception)).status_code == 405
    assert CalendarException.objects.count() == 1
