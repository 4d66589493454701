"""Server-drawn charts (inline SVG, no script): how a paper's reviews spread over the 1-5 scales
of rating and confidence. Pure: plain values in, plain values out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SCALE = (1, 2, 3, 4, 5)
WIDTH, HEIGHT, BOTTOM = 150, 70, 14  # the SVG's user units; BOTTOM: room for the axis labels


@dataclass(frozen=True)
class Bar:
    value: int  # 1 to 5
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class Distribution:
    title: str  # "Rating" or "Confidence"
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)

    @property
    def counts(self) -> dict[int, int]:
        return {bar.value: bar.count for bar in self.bars}

    @property
    def summary(self) -> str:
        """The chart in words, for its aria-label and for anyone who would rather read."""
        if not self.total:
            return f"{self.title}: no reviews yet."
        spread = ", ".join(f"{bar.value}: {bar.count}" for bar in self.bars)
        mean = sum(bar.value * bar.count for bar in self.bars) / self.total
        review_word = "review" if self.total == 1 else "reviews"
        return f"{self.title} of {self.total} {review_word}, mean {mean:.1f} of 5 ({spread})."

    @property
    def axis_y(self) -> int:
        return self.height - BOTTOM


def distribution(*, title: str, values: Iterable[int]) -> Distribution:
    """Count `values` on the 1-5 scale (anything outside it is left out: the database's
    constraints keep ratings and confidences within it)."""
    counts = dict.fromkeys(SCALE, 0)
    for value in values:
        if value in counts:
            counts[value] += 1
    tallest = max(counts.values()) or 1
    slot = WIDTH / len(SCALE)
    usable = HEIGHT - BOTTOM - 12  # room above the tallest bar for its count
    bars = []
    for k, value in enumerate(SCALE):
        height = usable * counts[value] / tallest
        bars.append(
            Bar(
                value=value,
                count=counts[value],
                x=round(k * slot + 2, 2),
                y=round(HEIGHT - BOTTOM - height, 2),
                width=round(slot - 4, 2),
                height=round(height, 2),
            )
        )
    return Distribution(title, bars)
