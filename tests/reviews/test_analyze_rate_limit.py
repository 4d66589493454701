"""Every request that runs the analyzer counts against one per-user limit (issue #14).

The API's /reviews/analyze/, writing or editing a review (API and form), the form page and its
live guidance panel share the `analyze` rate: past it each answers 429 with Retry-After and says
why, without running the analyzer; other users keep their own count.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.settings import api_settings

from courses.models import Course
from reviews import guidance_adapter
from reviews.apis import AnalyzeThrottle
from reviews.models import Paper, Review, ReviewVersion
from tests.reviews.conftest import GOOD_REVIEW, VAGUE, write_review

pytestmark = pytest.mark.django_db
ANALYZE = "/api/v1/reviews/analyze/"
FORM = {"summary": "", "strengths": "", "weaknesses": VAGUE, "questions": ""}


@pytest.fixture
def rates(monkeypatch):
    """Two analyses a minute per user (the throttle class read its rates at import)."""
    low = {**api_settings.DEFAULT_THROTTLE_RATES, "analyze": "2/min"}
    monkeypatch.setattr(AnalyzeThrottle, "THROTTLE_RATES", low)
    return low


@pytest.fixture
def analyses(monkeypatch):
    """How many times the pages and services ran the analyzer."""
    calls: list[dict[str, Any]] = []
    analyze_review_fields = guidance_adapter.analyze_review_fields

    def counting(**fields: str) -> dict[str, Any]:
        calls.append(fields)
        return analyze_review_fields(**fields)

    monkeypatch.setattr(guidance_adapter, "analyze_review_fields", counting)
    return calls


def guidance_url(course: Course) -> str:
    return f"/courses/{course.pk}/guidance/"


def form_url(paper: Paper) -> str:
    return f"/courses/{paper.course_id}/papers/{paper.pk}/review/"


def assert_refused(response: Any) -> None:
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert "Too many requests for writing guidance" in response.text


def test_the_live_guidance_is_limited_per_user(client, alice, carol, course, rates, analyses):
    client.force_login(alice)

    def post():
        return client.post(guidance_url(course), FORM, HTTP_HX_REQUEST="true")

    codes = [post().status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = post()
    assert_refused(refused)
    assert 'data-state="refused"' in refused.text
    assert "<mark" not in refused.text
    assert "<html" not in refused.text  # the panel alone
    assert len(analyses) == 2  # a refused request runs nothing
    client.force_login(carol)
    assert post().status_code == 200  # another student: her own count


def test_the_api_and_the_pages_share_one_count(client, api, alice, course, rates):
    api.force_authenticate(alice)
    client.force_login(alice)
    assert api.post(ANALYZE, {"text": VAGUE}, format="json").status_code == 200
    assert client.post(guidance_url(course), FORM).status_code == 200
    assert_refused(client.post(guidance_url(course), FORM))
    refused = api.post(ANALYZE, {"text": VAGUE}, format="json")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0


def test_the_form_page_counts_and_says_why_when_refused(client, alice, open_paper, rates):
    write_review(open_paper, alice)
    client.force_login(alice)
    assert [client.get(form_url(open_paper)).status_code for _ in range(2)] == [200, 200]
    refused = client.get(form_url(open_paper))
    assert_refused(refused)
    assert GOOD_REVIEW["summary"] in refused.text  # the form is still there, with the review


def test_a_refused_save_stores_nothing_and_keeps_the_text(client, alice, open_paper, rates):
    client.force_login(alice)
    client.post(guidance_url(open_paper.course), FORM)
    client.post(guidance_url(open_paper.course), FORM)
    typed = {**GOOD_REVIEW, "weaknesses": "The baseline of Table 3 is missing its seeds."}
    refused = client.post(form_url(open_paper), typed)
    assert_refused(refused)
    assert "Nothing was saved yet." in refused.text
    assert "The baseline of Table 3 is missing its seeds." in refused.text
    assert not Review.objects.exists()


def test_writing_a_review_through_the_api_counts_but_reading_does_not(
    api, alice, open_paper, rates
):
    api.force_authenticate(alice)
    reviews = f"/api/v1/courses/{open_paper.course_id}/papers/{open_paper.pk}/reviews/"
    created = api.post(reviews, GOOD_REVIEW, format="json")
    assert created.status_code == 201
    review = f"/api/v1/courses/{open_paper.course_id}/reviews/{created.json()['id']}/"
    assert api.patch(review, {"rating": 2}, format="json").status_code == 200
    refused = api.patch(review, {"rating": 3}, format="json")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert ReviewVersion.objects.count() == 2  # the refused edit stored nothing
    assert api.get(review).status_code == 200
    assert api.get(reviews).status_code == 200
