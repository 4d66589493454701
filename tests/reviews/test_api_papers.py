from __future__ import annotations

import datetime as dt

import pytest

from courses.models import Course
from courses.services import calendar_exception_create
from reviews.models import Paper
from tests.reviews.conftest import write_review

pytestmark = pytest.mark.django_db


def papers_url(course: Course) -> str:
    return f"/api/v1/courses/{course.pk}/papers/"


def test_it_lets_staff_list_a_paper_due_the_evening_before_its_session(api, course, tara, alice):
    api.force_authenticate(tara)
    response = api.post(
        papers_url(course),
        {"session_date": "2017-10-12", "title": "Deconvolution and Checkerboard Artifacts"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["review_deadline"] == "2017-10-11T23:59:00-04:00"
    api.force_authenticate(alice)
    listed = api.get(papers_url(course)).json()
    assert [(p["title"], p["released"]) for p in listed] == [
        ("Deconvolution and Checkerboard Artifacts", True)
    ]


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"session_date": "2017-10-05", "title": "T"}, "session_date", "no papers"),
        ({"session_date": "2017-10-10", "title": "T"}, "session_date", "no papers"),
        ({"session_date": "2017-10-11", "title": "T"}, "session_date", "not a class day"),
        ({"session_date": "2017-10-12", "title": ""}, "title", "blank"),
        (
            {"session_date": "2017-10-12", "title": "T", "link": "javascript:alert(1)"},
            "link",
            "URL",
        ),
        ({"session_date": "2017-13-01", "title": "T"}, "session_date", "format"),
        (
            {"session_date": "2017-10-12", "title": "T", "review_deadline": "soon"},
            "review_deadline",
            "format",
        ),
    ],
)
def test_it_rejects_bad_papers_naming_the_field(api, course, tara, payload, field, words):
    calendar_exception_create(
        course=course, date=dt.date(2017, 10, 5), kind="guest_lecture", title="Guest lecture"
    )
    calendar_exception_create(
        course=course,
        date=dt.date(2017, 10, 10),
        kind="no_class",
        reason="break",
        title="Fall break",
    )
    api.force_authenticate(tara)
    response = api.post(papers_url(course), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert words in " ".join(response.json()[field])
    assert not Paper.objects.exists()


def test_it_refuses_papers_from_students_and_other_courses(api, course, alice, bob):
    for user, status in ((alice, 403), (bob, 404)):
        api.force_authenticate(user)
        response = api.post(
            papers_url(course), {"session_date": "2017-10-12", "title": "T"}, format="json"
        )
        assert response.status_code == status
    assert not Paper.objects.exists()


def test_it_never_deletes_a_paper_that_has_reviews(api, tara, alice, released_paper):
    write_review(released_paper, alice)
    api.force_authenticate(tara)
    response = api.delete(f"{papers_url(released_paper.course)}{released_paper.pk}/")
    assert response.status_code == 400
    assert "paper" in response.json()
    assert Paper.objects.filter(pk=released_paper.pk).exists()


def test_it_lists_the_papers_of_one_session(api, alice, open_paper, released_paper):
    api.force_authenticate(alice)
    url = f"{papers_url(open_paper.course)}?session_date=2017-10-17"
    assert [p["title"] for p in api.get(url).json()] == [released_paper.title]
    bad = api.get(f"{papers_url(open_paper.course)}?session_date=soon")
    assert bad.status_code == 400
    assert "session_date" in bad.json()
