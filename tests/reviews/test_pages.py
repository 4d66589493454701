from __future__ import annotations

import csv
import io

import pytest

from reviews.models import Review
from tests.reviews.conftest import GOOD_REVIEW, VAGUE, write_review

pytestmark = pytest.mark.django_db


def test_it_lists_papers_with_the_students_status(client, alice, open_paper, released_paper):
    write_review(open_paper, alice)
    client.force_login(alice)
    page = client.get(f"/courses/{open_paper.course_id}/papers/").text
    assert "Deconvolution and Checkerboard Artifacts" in page
    assert "submitted" in page
    assert f"/papers/{released_paper.pk}/review/" in page


def test_it_saves_a_review_from_the_form_and_shows_guidance(client, alice, open_paper):
    client.force_login(alice)
    url = f"/courses/{open_paper.course_id}/papers/{open_paper.pk}/review/"
    response = client.post(url, {**GOOD_REVIEW, "weaknesses": VAGUE})
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.weaknesses == VAGUE
    page = client.get(url).text
    assert 'class="finding finding-vague_negative"' in page
    assert "Common Problem #1: Vague negatives" in page


def test_it_shows_form_errors_and_stores_nothing(client, alice, open_paper):
    client.force_login(alice)
    url = f"/courses/{open_paper.course_id}/papers/{open_paper.pk}/review/"
    response = client.post(url, {**GOOD_REVIEW, "summary": "", "rating": "9"})
    assert response.status_code == 200
    assert "Summary: This field is required." in response.text
    assert "Overall rating (1–5): Select a valid choice." in response.text
    assert not Review.objects.exists()


def test_it_returns_the_guidance_panel_for_htmx(client, alice, course):
    client.force_login(alice)
    response = client.post(
        f"/courses/{course.pk}/guidance/",
        {"summary": "", "strengths": "", "weaknesses": VAGUE, "questions": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<mark" in response.text
    assert "<html" not in response.text


def test_it_escapes_review_text_in_guidance(client, alice, course):
    client.force_login(alice)
    response = client.post(
        f"/courses/{course.pk}/guidance/",
        {"weaknesses": "Details are missing. <b>Really</b>"},
    )
    assert "finding-vague_negative" in response.text
    assert "<b>Really" not in response.text
    assert "&lt;b&gt;Really&lt;/b&gt;" in response.text


def test_it_hides_other_reviews_on_the_paper_page_until_the_deadline(
    client, alice, carol, open_paper
):
    write_review(open_paper, alice, summary="Alice's own summary.")
    write_review(open_paper, carol, summary="Carol's secret summary.")
    client.force_login(alice)
    page = client.get(f"/courses/{open_paper.course_id}/papers/{open_paper.pk}/").text
    assert "Alice&#x27;s own summary." in page
    assert "Carol" not in page
    assert "Reviews become public at the deadline" in page


def test_it_keeps_staff_pages_from_students(client, alice, course, open_paper):
    client.force_login(alice)
    assert client.get(f"/courses/{course.pk}/reviews/dashboard/").status_code == 403
    assert client.get(f"/courses/{course.pk}/reviews/export.csv").status_code == 403


def test_it_keeps_the_form_from_staff_and_other_courses(client, tara, bob, open_paper):
    url = f"/courses/{open_paper.course_id}/papers/{open_paper.pk}/review/"
    client.force_login(tara)
    assert client.get(url).status_code == 403
    client.force_login(bob)
    assert client.get(url).status_code == 404


def test_it_exports_review_quality_per_student(client, tara, alice, carol, released_paper):
    write_review(released_paper, alice, weaknesses=VAGUE)
    client.force_login(tara)
    dashboard = client.get(f"/courses/{released_paper.course_id}/reviews/dashboard/").text
    assert "alice" in dashboard
    assert "10/17: " in dashboard  # alice's findings on the 10/17 paper, on the term's timeline
    response = client.get(f"/courses/{released_paper.course_id}/reviews/export.csv")
    assert response["Content-Type"] == "text/csv"
    rows = {row["username"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert set(rows) == {"alice", "carol"}
    assert (rows["alice"]["reviews"], rows["alice"]["late"]) == ("1", "0")
    assert int(rows["alice"]["Vague negative"]) >= 1
    assert rows["carol"]["reviews"] == "0"
