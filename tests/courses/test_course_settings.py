"""The course settings page (issue #16): instructors only; bad input named by field, nothing
kept of a refused form."""

from __future__ import annotations

from typing import Any

import pytest

from courses.models import Course
from tests.factories import make_course, make_user

pytestmark = pytest.mark.django_db


def url(course: Course) -> str:
    return f"/courses/{course.pk}/settings/"


def values(**overrides: Any) -> dict[str, Any]:
    data = {
        "code": "CS 7643",
        "title": "Deep Learning",
        "term": "Fall 2017",
        "presenters_per_class": "6",
        "slides_due_hours_before": "24",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_an_instructor_sees_the_settings_and_the_staff_home_links_them(client, course, ines):
    client.force_login(ines)
    response = client.get(url(course))
    assert response.status_code == 200
    assert 'value="CS 7643"' in response.text
    assert "Presenters per class" in response.text
    assert url(course) in client.get(f"/courses/{course.pk}/staff/").text


def test_a_ta_does_not_get_the_link(client, course, tara):
    client.force_login(tara)
    assert url(course) not in client.get(f"/courses/{course.pk}/staff/").text


def test_an_instructor_changes_what_students_see(client, course, ines, alice):
    client.force_login(ines)
    response = client.post(
        url(course),
        values(
            title="Deep Learning for Vision",
            term="Fall 2026",
            presenters_per_class="4",
            slides_due_hours_before="48",
            reviews_require_acknowledgement="on",
        ),
        follow=True,
    )
    assert response.redirect_chain == [(url(course), 302)]
    assert "Settings of CS 7643 (Fall 2026) saved." in response.text
    course.refresh_from_db()
    assert (course.title, course.term, course.presenters_per_class) == (
        "Deep Learning for Vision",
        "Fall 2026",
        4,
    )
    assert course.slides_due_hours_before == 48
    assert course.reviews_require_acknowledgement is True
    client.force_login(alice)
    assert "Deep Learning for Vision" in client.get(f"/courses/{course.pk}/").text


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"code": ""}, "Course code: This field is required."),
        ({"title": "x" * 201}, "Course title: Ensure this value has at most 200 characters"),
        ({"presenters_per_class": "0"}, "Presenters per class: Ensure this value is greater"),
        ({"presenters_per_class": "many"}, "Presenters per class: Enter a whole number."),
        ({"slides_due_hours_before": "-1"}, "Slides due (hours before the class): Ensure"),
        ({"slides_due_hours_before": "400"}, "Slides due (hours before the class): Ensure"),
        (
            {"term": "Spring 2018"},
            "Term: Another course already has this code in this term; change one.",
        ),
    ],
)
def test_it_names_the_field_of_bad_input_and_keeps_nothing(client, course, ines, overrides, words):
    make_course(term="Spring 2018", first_day="2018-01-08", last_day="2018-04-24")
    client.force_login(ines)
    response = client.post(url(course), values(**{"title": "Changed", **overrides}))
    assert response.status_code == 400
    assert words in response.text
    course.refresh_from_db()
    assert (course.title, course.term, course.presenters_per_class) == (
        "Deep Learning",
        "Fall 2017",
        6,
    )


@pytest.mark.parametrize("method", ["get", "post"])
def test_tas_and_students_get_403_and_outsiders_404(client, course, tara, alice, method):
    outsider = make_user("outsider")
    for user, status in ((tara, 403), (alice, 403), (outsider, 404)):
        client.force_login(user)
        response = getattr(client, method)(url(course), values(title="Hijacked"))
        assert response.status_code == status
    course.refresh_from_db()
    assert course.title == "Deep Learning"
    client.logout()
    assert client.get(url(course)).status_code == 302
