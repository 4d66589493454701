from __future__ import annotations

import re

import pytest

from reviews.charts import distribution
from tests.factories import make_member
from tests.reviews.conftest import write_review

pytestmark = pytest.mark.django_db


def aria_labels(page: str) -> list[str]:
    return re.findall(r'role="img" aria-label="([^"]*)"', page)


def test_it_counts_values_on_the_one_to_five_scale():
    chart = distribution(title="Rating", values=[4, 4, 2, 5, 4])
    assert chart.counts == {1: 0, 2: 1, 3: 0, 4: 3, 5: 1}
    assert chart.summary == "Rating of 5 reviews, mean 3.8 of 5 (1: 0, 2: 1, 3: 0, 4: 3, 5: 1)."
    tallest = max(chart.bars, key=lambda bar: bar.count)
    assert tallest.value == 4
    assert tallest.y < chart.bars[1].y
    assert all(bar.height == 0 for bar in chart.bars if bar.count == 0)


def test_it_says_so_when_there_are_no_reviews():
    chart = distribution(title="Confidence", values=[])
    assert chart.total == 0
    assert chart.summary == "Confidence: no reviews yet."


def test_it_shows_a_released_papers_distributions_to_students(client, alice, carol, released_paper):
    dave = make_member(released_paper.course, "dave", "student")
    write_review(released_paper, alice, rating=4, confidence=3)
    write_review(released_paper, carol, rating=4, confidence=5)
    write_review(released_paper, dave, rating=2, confidence=5)
    client.force_login(alice)
    page = client.get(f"/courses/{released_paper.course_id}/papers/{released_paper.pk}/").text
    assert "How the reviewers rated it" in page
    labels = aria_labels(page)
    assert "Rating of 3 reviews, mean 3.3 of 5 (1: 0, 2: 1, 3: 0, 4: 2, 5: 0)." in labels
    assert "Confidence of 3 reviews, mean 4.3 of 5 (1: 0, 2: 0, 3: 1, 4: 0, 5: 2)." in labels


def test_it_keeps_an_unreleased_papers_distribution_from_students(
    client, alice, carol, tara, open_paper
):
    write_review(open_paper, alice, rating=4)
    write_review(open_paper, carol, rating=1)
    url = f"/courses/{open_paper.course_id}/papers/{open_paper.pk}/"
    client.force_login(alice)
    page = client.get(url).text
    assert "How the reviewers rated it" not in page
    assert aria_labels(page) == []
    client.force_login(tara)  # staff read every review, so they see the spread before release
    labels = aria_labels(client.get(url).text)
    assert "Rating of 2 reviews, mean 2.5 of 5 (1: 1, 2: 0, 3: 0, 4: 1, 5: 0)." in labels


def test_it_shows_a_rating_distribution_per_paper_on_the_dashboard(
    client, tara, alice, carol, open_paper, released_paper
):
    write_review(released_paper, alice, rating=5, confidence=2)
    write_review(released_paper, carol, rating=3, confidence=2)
    client.force_login(tara)
    page = client.get(f"/courses/{released_paper.course_id}/reviews/dashboard/").text
    assert "Ratings by paper" in page
    row = re.search(rf'<tr data-paper="{released_paper.pk}">(.*?)</tr>', page, re.S)
    assert row is not None
    assert "Rating of 2 reviews, mean 4.0 of 5 (1: 0, 2: 0, 3: 1, 4: 0, 5: 1)." in row.group(1)
    assert "Confidence of 2 reviews, mean 2.0 of 5 (1: 0, 2: 2, 3: 0, 4: 0, 5: 0)." in row.group(1)
    empty = re.search(rf'<tr data-paper="{open_paper.pk}">(.*?)</tr>', page, re.S)
    assert empty is not None
    assert 'role="img"' not in empty.group(1)
