"""Signatures per day as bar geometry for a server-rendered SVG (no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

WIDTH = 600
HEIGHT = 160
AXIS = 20
MIN_DAYS = 14  # room below the bars for the date labels


@dataclass(frozen=True)
class Bar:
    day: date
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    peak: int
    first: date
    last: date
    width: int = WIDTH
    height: int = HEIGHT
    axis: int = AXIS

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def per_day_chart(series: list[tuple[date, int]], days: int = 60) -> Chart | None:
    """Bars for the last ``days`` days that had signatures, gaps filled with zeros."""
    points = {day: count for day, count in series if count > 0}
    if not points:
        return None
    last = max(points)
    first = max(min(points), last - timedelta(days=days - 1))
    # At least two weeks wide, so that a young campaign's first day is a bar, not a wall.
    first = min(first, last - timedelta(days=MIN_DAYS - 1))
    span = (last - first).days + 1
    peak = max(points.get(first + timedelta(d), 0) for d in range(span))
    slot = WIDTH / span
    plot = HEIGHT - AXIS
    bars = []
    for offset in range(span):
        day = first + timedelta(days=offset)
        count = points.get(day, 0)
        height = plot * count / peak if peak else 0
        bars.append(
            Bar(
                day,
                count,
                round(offset * slot + slot * 0.1, 2),
                round(plot - height, 2),
                round(slot * 0.8, 2),
                round(height, 2),
            )
        )
    return Chart(bars=bars, peak=peak, first=first, last=last)
