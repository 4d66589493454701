"""Staff mark a review "needs revision" with a note; its author sees the note and answers with a
new version, which marks it revised."""

from __future__ import annotations

import pytest

from reviews.models import Review, RevisionStatus
from tests.factories import make_course, make_member
from tests.reviews.conftest import write_review

pytestmark = pytest.mark.django_db

NOTE = "Say which experimental setting is not reasonable, and what would be."


def revision_url(review: Review) -> str:
    return f"/api/v1/courses/{review.paper.course_id}/reviews/{review.pk}/revision/"


@pytest.fixture
def review(alice, released_paper):
    return write_review(released_paper, alice)


def test_staff_mark_the_author_reads_revises_and_staff_see_it_revised(api, alice, tara, review):
    api.force_authenticate(tara)
    marked = api.post(revision_url(review), {"note": NOTE}, format="json")
    assert marked.status_code == 200, marked.json()
    assert (marked.json()["revision_status"], marked.json()["note"]) == ("needs_revision", NOTE)
    assert marked.json()["revised_at"] is None

    api.force_authenticate(alice)
    assert api.get(revision_url(review)).json()["note"] == NOTE
    detail = f"/api/v1/courses/{review.paper.course_id}/reviews/{review.pk}/"
    edited = api.patch(detail, {"weaknesses": "Table 2 omits the baseline of [3]."}, format="json")
    assert edited.status_code == 200, edited.json()

    api.force_authenticate(tara)
    after = api.get(revision_url(review)).json()
    assert after["revision_status"] == "revised"
    assert after["revised_at"] is not None
    assert after["note"] == NOTE  # the request is kept with the answer
    assert review.versions.count() == 2  # the old version is kept too


def test_students_autograders_and_other_courses_cannot_mark(api, alice, carol, bob, course, review):
    for user, status in [
        (carol, 403),
        (alice, 403),
        (make_member(course, "grader", "autograder"), 403),
        (bob, 404),
        (make_member_of_other_course_staff(), 404),
    ]:
        api.force_authenticate(user)
        assert api.post(revision_url(review), {"note": NOTE}, format="json").status_code == status
    review.refresh_from_db()
    assert review.revision_status == RevisionStatus.NONE


def make_member_of_other_course_staff():
    other = make_course(
        code="CS 9999", term="Spring 2018", first_day="2018-01-08", last_day="2018-04-24"
    )
    return make_member(other, "otherta", "ta")


def test_only_the_author_and_staff_read_the_note(api, alice, carol, ines, review):
    api.force_authenticate(ines)
    assert api.post(revision_url(review), {"note": NOTE}, format="json").status_code == 200
    api.force_authenticate(carol)
    hidden = api.get(revision_url(review))
    assert hidden.status_code == 403
    assert NOTE not in hidden.content.decode()
    api.force_login(carol)
    page = api.get(f"/courses/{review.paper.course_id}/papers/{review.paper_id}/")
    assert NOTE not in page.content.decode()
    assert "needs revision" not in page.content.decode()
    api.force_login(alice)
    page = api.get(f"/courses/{review.paper.course_id}/papers/{review.paper_id}/")
    assert NOTE in page.content.decode()
    assert "Revise your review" in page.content.decode()


@pytest.mark.parametrize("body", [{"note": ""}, {"note": "   "}, {}])
def test_an_empty_note_is_refused_naming_note(api, tara, review, body):
    api.force_authenticate(tara)
    response = api.post(revision_url(review), body, format="json")
    assert response.status_code == 400
    assert "note" in response.json()
    review.refresh_from_db()
    assert (review.revision_status, review.revision_note) == (RevisionStatus.NONE, "")


def test_too_long_a_note_is_refused_naming_note(api, tara, review):
    api.force_authenticate(tara)
    response = api.post(revision_url(review), {"note": "x" * 5001}, format="json")
    assert response.status_code == 400
    assert "note" in response.json()


def test_the_staff_page_form_marks_and_refuses_an_empty_note(client, tara, alice, review):
    url = f"/courses/{review.paper.course_id}/reviews/{review.pk}/revision/"
    client.force_login(alice)
    assert client.post(url, {"note": NOTE}).status_code == 403
    client.force_login(tara)
    empty = client.post(url, {"note": " "}, follow=True)
    assert "Note to the author: say what should be revised" in empty.content.decode()
    assert "note:" not in empty.content.decode()
    review.refresh_from_db()
    assert review.revision_status == RevisionStatus.NONE
    null = client.post(url, {"note": "a\x00b"}, follow=True).content.decode()
    assert "Note to the author: Null characters are not allowed." in null
    long = client.post(url, {"note": "x" * 5001}, follow=True).content.decode()
    assert "Note to the author: at most 5000 characters" in long
    review.refresh_from_db()
    assert review.revision_note == ""
    done = client.post(url, {"note": NOTE})
    assert done.status_code == 302
    assert done["Location"].endswith(f"#review-{review.pk}")
    review.refresh_from_db()
    assert (review.revision_status, review.revision_note, review.revision_requested_by) == (
        RevisionStatus.NEEDS_REVISION,
        NOTE,
        tara,
    )
    dashboard = client.get(f"/courses/{review.paper.course_id}/reviews/dashboard/")
    assert "Needs revision" in dashboard.content.decode()
