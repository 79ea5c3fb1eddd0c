"""The timeline of a case's signals: one lane per kind of signal, each signal a dot at its time.

Drawn on the server as SVG with a ``<title>`` and ``<desc>`` (WAI-ARIA ``role="img"``, named by
``aria-labelledby``), so it reads without script and a screen reader hears what it shows. Within
its lane a dot sits higher the higher its score; its own ``<title>`` names the detector, the time
and the score. Lanes come in :class:`~vigil.model.SignalKind` order and only for kinds the case has.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TypedDict

from vigil.casework.palette import SIGNAL_COLOURS
from vigil.casework.svg import TimeScale, attr, tick_anchor, time_ticks, utc
from vigil.model import Case, Signal, SignalKind

WIDTH = 760
LABEL_WIDTH = 120
LANE_HEIGHT = 44
TOP = 12
AXIS_HEIGHT = 34
DOT_RADIUS = 4.5


class TimelineLane(TypedDict):
    """One kind's lane: how many signals, first and last time (ISO 8601, UTC)."""

    kind: str
    colour: str
    signals: int
    first: str
    last: str


class SignalTimeline(TypedDict):
    """The ``timeline.html`` partial's context: ``svg`` is markup, safe to insert as it is."""

    case_id: str
    svg: str
    lanes: list[TimelineLane]
    start: str
    end: str


def _lanes(case: Case) -> dict[SignalKind, list[Signal]]:
    by_kind: dict[SignalKind, list[Signal]] = defaultdict(list)
    for signal in case.signals:
        by_kind[signal.kind].append(signal)
    return {kind: sorted(by_kind[kind], key=lambda s: (s.observed_at, s.id))
            for kind in SignalKind if kind in by_kind}


def signal_timeline(case: Case, width: int = WIDTH) -> SignalTimeline:
    """SVG and lane rows of ``case``'s signals by time and kind (a case has at least one)."""
    lanes = _lanes(case)
    scale = TimeScale.over([s.observed_at for s in case.signals], LABEL_WIDTH + 8, width - 16)
    height = TOP + LANE_HEIGHT * len(lanes) + AXIS_HEIGHT
    rows = [TimelineLane(kind=kind.value, colour=SIGNAL_COLOURS[kind.value],
                         signals=len(signals), first=utc(signals[0].observed_at).isoformat(),
                         last=utc(signals[-1].observed_at).isoformat())
            for kind, signals in lanes.items()]
    parts = [_head(case, rows, width, height, scale)]
    for index, (kind, signals) in enumerate(lanes.items()):
        parts.append(_lane(index, kind, signals, scale, width))
    parts.append(_axis(scale, TOP + LANE_HEIGHT * len(lanes)))
    parts.append("</svg>")
    return SignalTimeline(case_id=case.id, svg="".join(parts), lanes=rows,
                          start=scale.start.isoformat(), end=scale.end.isoformat())


def _head(case: Case, rows: list[TimelineLane], width: int, height: int,
          scale: TimeScale) -> str:
    ident = attr(f"timeline-{case.id}")
    counts = ", ".join(f"{r['signals']} {r['kind']}" for r in rows)
    summary = (f"{len(case.signals)} signals ({counts}) from {scale.start:%Y-%m-%d} to "
               f"{scale.end:%Y-%m-%d}; one lane per kind, higher dots score higher.")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-labelledby="{ident}-title {ident}-desc">'
            f'<title id="{ident}-title">Signals of case {attr(case.id)} by time and kind</title>'
            f'<desc id="{ident}-desc">{attr(summary)}</desc>')


def _lane(index: int, kind: SignalKind, signals: list[Signal], scale: TimeScale,
          width: int) -> str:
    top = TOP + index * LANE_HEIGHT
    middle = top + LANE_HEIGHT / 2
    colour = SIGNAL_COLOURS[kind.value]
    dots = "".join(
        f'<circle cx="{scale.x(s.observed_at):.1f}" '
        f'cy="{middle - (s.score - 0.5) * (LANE_HEIGHT - 16):.1f}" r="{DOT_RADIUS}" '
        f'fill="{colour}" fill-opacity="0.75" stroke="#ffffff" stroke-width="0.8">'
        f"<title>{attr(_dot_title(s))}</title></circle>" for s in signals)
    return (f'<g class="lane" data-kind="{kind.value}">'
            f'<rect x="0" y="{top}" width="{width}" height="{LANE_HEIGHT}" '
            f'fill="{"#f7f7f7" if index % 2 == 0 else "#ffffff"}"/>'
            f'<line x1="{LABEL_WIDTH}" y1="{middle}" x2="{width - 8}" y2="{middle}" '
            f'stroke="#d0d0d0"/>'
            f'<text x="8" y="{middle + 4}" font-size="13" fill="#222222">'
            f"{attr(kind.value)} ({len(signals)})</text>{dots}</g>")


def _dot_title(signal: Signal) -> str:
    return (f"{signal.kind.value} signal from {signal.source} {signal.detector_version}, "
            f"{utc(signal.observed_at):%Y-%m-%d %H:%M} UTC, score {signal.score:.2f}")


def _axis(scale: TimeScale, y: float) -> str:
    ticks = "".join(
        f'<g class="tick"><line x1="{scale.x(at):.1f}" y1="{TOP}" x2="{scale.x(at):.1f}" '
        f'y2="{y + 5}" stroke="#c8c8c8" stroke-dasharray="2 3"/>'
        f'<text x="{scale.x(at):.1f}" y="{y + 20}" font-size="11" '
        f'text-anchor="{tick_anchor(scale.x(at), scale.left, scale.right)}" '
        f'fill="#333333">{attr(label)}</text></g>'
        for at, label in time_ticks(scale.start, scale.end))
    return (f'<g class="axis"><line x1="{scale.left}" y1="{y}" x2="{scale.right}" y2="{y}" '
            f'stroke="#666666"/>{ticks}</g>')
