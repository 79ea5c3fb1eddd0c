"""A small network picture of one case as inline SVG: signals and entities, laid out by igraph."""

from __future__ import annotations

import random
from dataclasses import dataclass
from html import escape

from vigil.model import Case

KIND_COLOURS = {
    "media": "#b03a2e", "conversation": "#7d3c98", "payment": "#1f618d", "report": "#b9770e",
}
ENTITY_COLOUR = "#5d6d7e"


@dataclass(frozen=True)
class Node:
    """A drawn node: signal or entity, its label and position."""

    label: str
    colour: str
    x: float
    y: float
    radius: float


def case_svg(case: Case, width: int = 360, height: int = 240, max_signals: int = 40) -> str:
    """SVG of the case's signals (coloured by kind) joined to the entities they name."""
    # Imported here: igraph brings matplotlib along (about 0.4 s), which loading the registry
    # (this module's report exporter) paid on every command (docs/benchmarks.md, CSV lane).
    import igraph

    signals = list(case.signals[:max_signals])
    entities = sorted({e for s in signals for e in s.subjects if e in set(case.entities)})
    index = {e: len(signals) + i for i, e in enumerate(entities)}
    edges = [(i, index[e]) for i, s in enumerate(signals) for e in s.subjects if e in index]
    graph = igraph.Graph(n=len(signals) + len(entities), edges=edges)
    random.seed(0)  # igraph's layouts draw from Python's random module; fix it for stable pictures
    coords: list[list[float]] = [[0.0, 0.0]]
    if graph.vcount() > 1:
        coords = graph.layout_fruchterman_reingold(niter=200).coords
    nodes = _place(coords, width, height, signals_count=len(signals),
                   labels=[s.source for s in signals] + [str(e) for e in entities],
                   colours=[KIND_COLOURS.get(s.kind.value, "#333") for s in signals]
                   + [ENTITY_COLOUR] * len(entities))
    lines = "".join(
        f'<line x1="{nodes[a].x:.1f}" y1="{nodes[a].y:.1f}" x2="{nodes[b].x:.1f}" '
        f'y2="{nodes[b].y:.1f}" stroke="#ccc"/>' for a, b in edges)
    circles = "".join(
        f'<circle cx="{n.x:.1f}" cy="{n.y:.1f}" r="{n.radius}" fill="{n.colour}">'
        f"<title>{escape(n.label)}</title></circle>" for n in nodes)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="network of case {case.id}">'
            f"{lines}{circles}</svg>")


def _place(coords: list[list[float]], width: int, height: int, signals_count: int,
           labels: list[str], colours: list[str]) -> list[Node]:
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    margin = 12
    return [
        Node(labels[i], colours[i],
             margin + (x - min(xs)) / span_x * (width - 2 * margin),
             margin + (y - min(ys)) / span_y * (height - 2 * margin),
             6 if i < signals_count else 4)
        for i, (x, y) in enumerate(zip(xs, ys, strict=True))
    ]
