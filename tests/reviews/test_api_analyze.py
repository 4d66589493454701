from __future__ import annotations

import pytest

from tests.reviews.conftest import SPECIFIC, VAGUE

pytestmark = pytest.mark.django_db
URL = "/api/v1/reviews/analyze/"


def test_it_flags_a_vague_negative_with_its_span(api, alice):
    api.force_authenticate(alice)
    text = (
        "The writing is clear. The experimental settings are not reasonable. Details are missing."
    )
    response = api.post(URL, {"text": text}, format="json")
    assert response.status_code == 200
    findings = [f for f in response.json()["findings"] if f["category"] == "vague_negative"]
    assert findings
    assert text[findings[0]["start"] : findings[0]["end"]] == "Details are missing."
    assert findings[0]["message"].startswith("Could you say why?")
    assert 0 < findings[0]["confidence"] <= 1
    assert findings[0]["suggestion"]
    assert findings[0]["note"] == "Common Problem #1: Vague negatives"


def test_it_clears_the_finding_once_the_criticism_is_specific(api, alice):
    api.force_authenticate(alice)
    response = api.post(URL, {"text": SPECIFIC}, format="json")
    assert response.status_code == 200
    assert all(f["category"] != "vague_negative" for f in response.json()["findings"])


@pytest.mark.parametrize(
    ("payload", "field"), [({}, "text"), ({"text": "x" * 20_001}, "text"), ({"text": None}, "text")]
)
def test_it_rejects_missing_or_over_long_text(api, alice, payload, field):
    api.force_authenticate(alice)
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_it_requires_a_signed_in_user(api):
    assert api.post(URL, {"text": VAGUE}, format="json").status_code == 401


def test_it_rate_limits_analysis_per_user(api, alice, monkeypatch):
    from rest_framework.settings import api_settings

    from reviews.apis import AnalyzeThrottle

    # The throttle read its rates when its class was made: patched (and put back after the
    # test) on the class itself.
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "analyze": "3/min"}
    monkeypatch.setattr(AnalyzeThrottle, "THROTTLE_RATES", rates)
    api.force_authenticate(alice)
    codes = [api.post(URL, {"text": "Fine."}, format="json").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    last = api.post(URL, {"text": "Fine."}, format="json")
    assert int(last.headers["Retry-After"]) > 0
