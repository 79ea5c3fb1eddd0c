"""Small SVG building blocks for the case views: scales, date and value ticks, escaping.

The views draw SVG as text on the server, so the pages need no script to show a timeline, and a
strict Content-Security-Policy holds: colours are SVG presentation attributes (``fill``,
``stroke``), never ``style`` attributes, which a policy without ``'unsafe-inline'`` would block.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

_HOUR_STEPS = (1, 3, 6, 12)
_DAY_STEPS = (1, 2, 7, 14)
_MONTH_STEPS = (1, 2, 3, 6, 12)
MAX_TICKS = 8


def attr(value: object) -> str:
    """Text made safe for an XML attribute or element (quotes included)."""
    return escape(str(value), quote=True)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class TimeScale:
    """Maps times in ``[start, end]`` onto ``[left, right]`` pixels (a zero span is widened)."""

    start: datetime
    end: datetime
    left: float
    right: float

    @classmethod
    def over(cls, times: list[datetime], left: float, right: float) -> TimeScale:
        first, last = utc(min(times)), utc(max(times))
        if last - first < timedelta(hours=1):
            first, last = first - timedelta(hours=12), last + timedelta(hours=12)
        return cls(first, last, left, right)

    def x(self, moment: datetime) -> float:
        span = (self.end - self.start).total_seconds()
        share = (utc(moment) - self.start).total_seconds() / span
        return self.left + share * (self.right - self.left)


def _months_after(moment: datetime, step: int) -> list[datetime]:
    month = moment.year * 12 + moment.month - 1
    month = (month // step + 1) * step  # the first step boundary after ``moment``
    return [datetime(m // 12, m % 12 + 1, 1, tzinfo=UTC) for m in range(month, month + 400, step)]


def time_ticks(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """At most :data:`MAX_TICKS` round moments in ``[start, end]`` with their date labels."""
    span = end - start
    for hours in _HOUR_STEPS:
        if span <= timedelta(hours=hours * MAX_TICKS):
            first = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            first += timedelta(hours=(hours - first.hour % hours) % hours)
            return _within(_stepping(first, timedelta(hours=hours)), end, "%Y-%m-%d %H:%M")
    for days in _DAY_STEPS:
        if span <= timedelta(days=days * MAX_TICKS):
            first = start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
            return _within(_stepping(first, timedelta(days=days)), end, "%Y-%m-%d")
    for months in _MONTH_STEPS:
        if span <= timedelta(days=31 * months * MAX_TICKS):
            return _within(_months_after(start, months), end, "%Y-%m-%d")
    years = math.ceil(span.days / 365 / MAX_TICKS)
    return _within(_months_after(start, 12 * years), end, "%Y-%m-%d")


def _stepping(first: datetime, step: timedelta) -> list[datetime]:
    return [first + step * i for i in range(MAX_TICKS + 2)]


def _within(moments: Iterable[datetime], end: datetime,
            pattern: str) -> list[tuple[datetime, str]]:
    found = [m for m in moments if m <= end]
    return [(m, m.strftime(pattern)) for m in found[:MAX_TICKS + 1]]


@dataclass(frozen=True)
class ValueScale:
    """Maps values in ``[low, high]`` onto ``[bottom, top]`` pixels, linear or base-10 log."""

    low: float
    high: float
    bottom: float
    top: float
    log: bool

    def y(self, value: float) -> float:
        if self.log:
            low, high, value = math.log10(self.low), math.log10(self.high), math.log10(value)
        else:
            low, high = self.low, self.high
        share = (value - low) / (high - low) if high > low else 0.5
        return self.bottom - share * (self.bottom - self.top)

    def ticks(self) -> list[float]:
        """Round values inside the range: 1-2-5 per decade (log) or about five even steps."""
        if self.log:
            decades = range(math.floor(math.log10(self.low)), math.ceil(math.log10(self.high)) + 1)
            marks = [m * 10.0 ** d for d in decades for m in (1, 2, 5)]
            inside = [v for v in marks if self.low <= v <= self.high]
            return inside if len(inside) <= MAX_TICKS else [v for v in inside if _leading(v) == 1]
        raw = (self.high - self.low) / 5 or 1.0
        step = min((m * 10.0 ** math.floor(math.log10(raw)) for m in (1, 2, 5, 10)),
                   key=lambda s: abs(s - raw))
        first = math.ceil(self.low / step) * step
        return [first + i * step for i in range(12) if first + i * step <= self.high + 1e-9]


def _leading(value: float) -> int:
    return int(round(value / 10.0 ** math.floor(math.log10(value))))


def value_label(value: float) -> str:
    """``1,200`` or ``0.5``: whole numbers without decimals, others with up to two."""
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.2f}".rstrip("0")


def tick_anchor(x: float, left: float, right: float) -> str:
    """``text-anchor`` of a tick label at ``x``: kept inside the plot near either edge."""
    if x - left < 32:
        return "start"
    return "end" if right - x < 32 else "middle"
