"""Server-drawn charts (inline SVG, no script): the distribution of one grade column."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT, BOTTOM = 300, 120, 18  # the SVG's user units; BOTTOM: room for the axis labels


@dataclass(frozen=True)
class Bar:
    low: int  # percent of the points possible, this bar's lower end
    high: int
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def label(self) -> str:
        return f"{self.low}–{self.high}%"

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class Histogram:
    title: str
    points_possible: float
    graded: int
    median: float | None
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def summary(self) -> str:
        if not self.graded:
            return "No grades yet."
        return (
            f"{self.graded} graded, median {self.median:g} of {self.points_possible:g} "
            f"({100 * (self.median or 0) / self.points_possible:.0f}%)."
        )

    @property
    def axis_y(self) -> int:
        return self.height - BOTTOM


def histogram(
    *, title: str, scores: Sequence[float], points_possible: float, bins: int = 10
) -> Histogram:
    """The scores in ``bins`` equal bands of the points possible (a full score in the top
    band; a score over the maximum, from a bonus, counted there too)."""
    counts = [0] * bins
    for score in scores:
        share = score / points_possible if points_possible > 0 else 0.0
        counts[min(bins - 1, max(0, int(share * bins)))] += 1
    tallest = max(counts) or 1
    slot = WIDTH / bins
    usable = HEIGHT - BOTTOM - 14  # room above the tallest bar for its count
    bars = []
    for k, count in enumerate(counts):
        height = usable * count / tallest
        bars.append(
            Bar(
                low=100 * k // bins,
                high=100 * (k + 1) // bins,
                count=count,
                x=round(k * slot + 1, 2),
                y=round(HEIGHT - BOTTOM - height, 2),
                width=round(slot - 2, 2),
                height=round(height, 2),
            )
        )
    median = statistics.median(scores) if scores else None
    return Histogram(title, points_possible, len(scores), median, bars)
