"""The review form (issue #15): rating and confidence start blank and must be chosen, on the form
and in the API; the guidance panel never praises; category keys read as words on every page."""

from __future__ import annotations

import csv
import io
import re

import pytest

from reviews import guidance_adapter
from reviews.guidance.types import Category
from reviews.models import Paper, Review, ReviewVersion
from tests.reviews.conftest import GOOD_REVIEW, SPECIFIC, VAGUE, write_review

pytestmark = pytest.mark.django_db

OLD_PRAISE = "Specific, balanced, in good faith: thank you"
NO_PRAISE = (
    "No vague negatives, snobbery or virtue signaling found by the checker. It can't judge "
    "whether your criticisms are fair: re-read them as the authors will."
)


def form_url(paper: Paper) -> str:
    return f"/courses/{paper.course_id}/papers/{paper.pk}/review/"


def options(page: str, name: str) -> list[tuple[str, bool, str]]:
    """(value, selected, text) of each option of the form's <select name=NAME>."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no <select name={name!r}> in the page"
    return [
        (value, " selected" in attrs, text)
        for value, attrs, text in re.findall(
            r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select.group(1)
        )
    ]


@pytest.mark.parametrize("name", ["rating", "confidence"])
def test_a_new_review_form_preselects_no_rating_or_confidence(client, alice, open_paper, name):
    client.force_login(alice)
    page = client.get(form_url(open_paper)).text
    found = options(page, name)
    assert (found[0][0], found[0][2]) == ("", "Choose…")  # first: what the browser shows
    assert [value for value, _, _ in found[1:]] == ["1", "2", "3", "4", "5"]
    assert not any(selected for _, selected, _ in found[1:])
    assert re.search(rf'<select name="{name}"[^>]*\brequired\b', page)


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"rating"}, "Overall rating (1–5): Choose a rating from 1 to 5."),
        ({"confidence"}, "Confidence (1–5): Choose how confident you are, from 1 to 5."),
    ],
)
@pytest.mark.parametrize("how", ["absent", "blank"])
def test_a_review_without_rating_or_confidence_is_refused_naming_the_field_keeping_the_text(
    client, alice, open_paper, missing, message, how
):
    client.force_login(alice)
    data = {k: v for k, v in GOOD_REVIEW.items() if k not in missing}
    if how == "blank":  # the "Choose…" option submitted as is
        data.update(dict.fromkeys(missing, ""))
    response = client.post(form_url(open_paper), data)
    assert response.status_code == 200
    assert message in response.text
    assert not Review.objects.exists()
    # What was typed and chosen comes back in the form.
    assert GOOD_REVIEW["summary"] in response.text
    assert SPECIFIC in response.text
    for name in {"rating", "confidence"} - missing:
        chosen = [value for value, selected, _ in options(response.text, name) if selected]
        assert chosen == [str(dict(GOOD_REVIEW)[name])]


def test_a_review_with_both_chosen_is_saved(client, alice, open_paper):
    client.force_login(alice)
    response = client.post(form_url(open_paper), {**GOOD_REVIEW, "rating": "2"})
    assert response.status_code == 302
    assert (Review.objects.get().rating, Review.objects.get().confidence) == (2, 3)


def test_editing_a_review_shows_its_rating_and_confidence_and_keeps_them(client, alice, open_paper):
    review = write_review(open_paper, alice)  # rating 4, confidence 3
    client.force_login(alice)
    page = client.get(form_url(open_paper)).text
    assert [v for v, selected, _ in options(page, "rating") if selected] == ["4"]
    assert [v for v, selected, _ in options(page, "confidence") if selected] == ["3"]
    response = client.post(form_url(open_paper), {**GOOD_REVIEW, "summary": "A new summary."})
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.summary, review.rating, review.confidence) == ("A new summary.", 4, 3)


def test_the_form_stays_closed_to_staff_and_other_courses(client, tara, bob, open_paper):
    client.force_login(tara)
    assert client.post(form_url(open_paper), GOOD_REVIEW).status_code == 403
    client.force_login(bob)
    assert client.post(form_url(open_paper), GOOD_REVIEW).status_code == 404
    assert not Review.objects.exists()


@pytest.mark.parametrize("missing", ["rating", "confidence"])
def test_the_api_refuses_a_review_without_rating_or_confidence_naming_it(
    api, alice, open_paper, missing
):
    api.force_authenticate(alice)
    data = {k: v for k, v in GOOD_REVIEW.items() if k != missing}
    response = api.post(
        f"/api/v1/courses/{open_paper.course_id}/papers/{open_paper.pk}/reviews/",
        data,
        format="json",
    )
    assert response.status_code == 400
    assert response.json()[missing] == ["This field is required."]
    assert not Review.objects.exists()
    assert not ReviewVersion.objects.exists()


def test_an_api_edit_without_rating_keeps_the_stored_one(api, alice, open_paper):
    review = write_review(open_paper, alice)
    api.force_authenticate(alice)
    response = api.patch(
        f"/api/v1/courses/{open_paper.course_id}/reviews/{review.pk}/",
        {"summary": "A new summary."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["rating"], response.json()["confidence"]) == (4, 3)


def test_guidance_on_a_clean_review_says_what_was_checked_and_never_praises(client, alice, course):
    client.force_login(alice)
    response = client.post(f"/courses/{course.pk}/guidance/", GOOD_REVIEW)
    assert 'data-state="clear"' in response.text
    assert NO_PRAISE in response.text
    assert "thank you" not in response.text.lower()


def test_guidance_on_an_empty_form_finds_nothing_and_says_so_without_praise(
    client, alice, open_paper
):
    client.force_login(alice)
    page = client.get(form_url(open_paper)).text
    assert 'data-state="empty"' in page
    assert "Guidance appears here as you write" in page
    assert OLD_PRAISE not in page
    assert 'data-state="clear"' not in page


def test_every_category_has_one_readable_label():
    assert set(guidance_adapter.CATEGORY_LABELS) == {c.value for c in Category}
    assert guidance_adapter.category_label("vague_negative") == "Vague negative"
    assert guidance_adapter.category_label("virtue_signaling") == "Virtue signaling"
    assert guidance_adapter.category_label("missing_positives") == "Missing positives"
    assert guidance_adapter.category_label("snobbery") == "Snobbery"


def test_the_dashboard_and_csv_name_categories_in_words(client, tara, alice, released_paper):
    write_review(released_paper, alice, weaknesses=VAGUE)
    client.force_login(tara)
    dashboard = client.get(f"/courses/{released_paper.course_id}/reviews/dashboard/").text
    headers = re.findall(r'<th scope="col">([^<]*)</th>', dashboard)
    for label in ("Vague negative", "Virtue signaling", "Snobbery", "Missing positives"):
        assert label in headers
    assert "Vaguenegative" not in dashboard
    assert "vague_negative" not in dashboard  # nor in the timeline's tooltips
    assert re.search(r'title="Vague negative: [1-9]', dashboard)
    response = client.get(f"/courses/{released_paper.course_id}/reviews/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert "vague_negative" not in rows[0]
    assert int(next(r for r in rows if r["username"] == "alice")["Vague negative"]) >= 1
