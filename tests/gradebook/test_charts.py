"""Grade distributions: scores in tenths of the points possible, drawn as SVG bars."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gradebook.charts import histogram


def test_it_counts_scores_in_tenths_of_the_points() -> None:
    chart = histogram(title="Lab", scores=[0, 4.9, 5, 9.99, 10, 12], points_possible=10)
    counts = [bar.count for bar in chart.bars]
    # 0 and 0.49 in the first band; 5 in 50-60%; 9.99, the full score and a bonus in the top.
    assert counts == [1, 0, 0, 0, 1, 1, 0, 0, 0, 3]
    assert chart.bars[9].label == "90–100%"
    assert chart.graded == 6
    assert chart.median == 7.495
    top = chart.bars[9]
    assert top.height > chart.bars[0].height > 0
    assert top.y + top.height == chart.axis_y  # bars stand on the axis


def test_it_says_so_when_nothing_is_graded() -> None:
    chart = histogram(title="Reviews", scores=[], points_possible=5)
    assert chart.summary == "No grades yet."
    assert all(bar.height == 0 for bar in chart.bars)


@pytest.mark.django_db
def test_the_gradebook_draws_a_chart_a_column(course: Any, tara: Any, alice: Any) -> None:
    client = Client()
    client.force_login(tara)
    html = client.get(reverse("gradebook", args=[course.pk])).content.decode()
    assert "Distributions" in html
    assert html.count('<figure class="chart">') == html.count('<th scope="col">') - 1
    assert 'role="img"' in html
