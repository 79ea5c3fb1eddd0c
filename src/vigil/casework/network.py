"""The network of a case: its entities as nodes, the signals that tie them as edges.

A signal names several subjects at once (an account, its device and IP, a payment handle); drawing
every pair would turn a busy case into a hairball. Each signal is drawn as a star instead, from its
*anchor* to each other subject: the subject the detector called the suspect, else the one payer
or payee that stands alone (the hub of a fan-out or fan-in), else the first by
:data:`ANCHOR_ORDER` (an account before a payment handle before a phone...). Signals of one kind
that join the same two entities share one edge, which keeps their count, highest score and the
detectors that produced them.

The result is Cytoscape.js elements JSON (``{"data": ..., "classes": ...}``, see the Cytoscape.js
documentation, "Notation for elements JSON") plus the same nodes and edges as rows for the
text fallback. Node and edge data hold identifiers, kinds and scores only: never message text
or evidence, so the view carries nothing a reviewer has to reveal first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypedDict

from vigil.casework.palette import ENTITY_COLOURS, ENTITY_SHAPES, SIGNAL_COLOURS, short_label
from vigil.identifiers import EntityKind
from vigil.model import Case, EntityRef, Signal

ANCHOR_ORDER = (EntityKind.ACCOUNT, EntityKind.PAYMENT_ACCOUNT, EntityKind.WALLET,
                EntityKind.PHONE, EntityKind.EMAIL, EntityKind.DEVICE, EntityKind.IP,
                EntityKind.CONVERSATION, EntityKind.MEDIA)
ROLE_ORDER = {"payer": 0, "payee": 1}
"""Which lone role anchors a signal first (a payment signal's payer, then its payee)."""
MAX_NODES = 250
"""Most entities drawn; a larger case keeps its best-connected ones and says how many it left."""


class NetworkNode(TypedDict):
    """One entity: ``id`` is its full ``kind:value`` identifier."""

    id: str
    label: str
    kind: str
    colour: str
    shape: str
    signals: int
    degree: int


class LegendEntry(TypedDict):
    """One kind in the legend: an entity kind (with its node shape) or a signal kind."""

    kind: str
    colour: str
    shape: str


class NetworkEdge(TypedDict):
    """Signals of one kind joining two entities (anchor first)."""

    id: str
    source: str
    target: str
    kind: str
    colour: str
    score: float
    signals: int
    detectors: list[str]
    label: str


class CaseNetwork(TypedDict):
    """The ``network.html`` partial's context (see docs/workspace.md, "Case views")."""

    case_id: str
    elements: list[dict[str, Any]]
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    entity_kinds: dict[str, int]
    signal_kinds: dict[str, int]
    legend: list[LegendEntry]
    left_out: int


@dataclass
class _Edge:
    signals: int = 0
    score: float = 0.0
    detectors: set[str] = field(default_factory=set)


def _roles(signal: Signal) -> dict[EntityRef, str]:
    named = signal.evidence.get("roles")
    if not isinstance(named, dict):
        return {}
    return {s: str(named[str(s)]) for s in signal.subjects if str(s) in named}


def anchor_of(signal: Signal) -> EntityRef:
    """The subject a signal's star is drawn from.

    The suspect, if the detector named one; else the one subject that holds a role nobody else
    in the signal holds (the payer of a fan-out, the payee of a fan-in; a payer before a payee
    when both are alone in theirs); else the first subject by :data:`ANCHOR_ORDER`.
    """
    rank = {kind: i for i, kind in enumerate(ANCHOR_ORDER)}

    def order(subject: EntityRef) -> tuple[int, str]:
        return rank.get(subject.kind, len(rank)), subject.value

    roles = _roles(signal)
    suspects = [s for s, role in roles.items() if role == "suspect"]
    if suspects:
        return min(suspects, key=order)
    held = Counter(roles.values())
    alone = [s for s, role in roles.items() if held[role] == 1]
    if alone:
        return min(alone, key=lambda s: (ROLE_ORDER.get(roles[s], len(ROLE_ORDER)), *order(s)))
    return min(signal.subjects, key=order)


def _edges(case: Case, shown: set[EntityRef]) -> dict[tuple[EntityRef, EntityRef, str], _Edge]:
    edges: dict[tuple[EntityRef, EntityRef, str], _Edge] = {}
    for signal in case.signals:
        anchor = anchor_of(signal)
        if anchor not in shown:
            continue
        for subject in signal.subjects:
            if subject == anchor or subject not in shown:
                continue
            edge = edges.setdefault((anchor, subject, signal.kind.value), _Edge())
            edge.signals += 1
            edge.score = max(edge.score, signal.score)
            edge.detectors.add(f"{signal.source} {signal.detector_version}")
    return edges


def _chosen(case: Case, max_nodes: int) -> tuple[list[EntityRef], Counter[EntityRef]]:
    """The entities drawn (the most often named first when the case is too big) and how many
    signals name each."""
    named: Counter[EntityRef] = Counter(s for signal in case.signals for s in signal.subjects)
    entities = sorted(case.entities, key=lambda e: (-named[e], str(e)))[:max_nodes]
    return sorted(entities), named


def case_network(case: Case, max_nodes: int = MAX_NODES) -> CaseNetwork:
    """Nodes, edges and Cytoscape.js elements of ``case`` (at most ``max_nodes`` entities)."""
    entities, named = _chosen(case, max_nodes)
    edges = _edges(case, set(entities))
    degree: Counter[EntityRef] = Counter()
    for source, target, _kind in edges:
        degree.update((source, target))
    nodes = [NetworkNode(id=str(e), label=short_label(e), kind=e.kind.value,
                         colour=ENTITY_COLOURS.get(e.kind.value, "#333333"),
                         shape=ENTITY_SHAPES.get(e.kind.value, "ellipse"),
                         signals=named[e], degree=degree[e]) for e in entities]
    edge_rows = [_edge_row(i, key, edge) for i, (key, edge) in enumerate(sorted(
        edges.items(), key=lambda item: (str(item[0][0]), str(item[0][1]), item[0][2])))]
    elements: list[dict[str, Any]] = [
        {"group": "nodes", "data": dict(node), "classes": f"entity {node['kind']}"}
        for node in nodes]
    elements += [{"group": "edges", "data": dict(edge), "classes": f"signal {edge['kind']}"}
                 for edge in edge_rows]
    entity_kinds = dict(sorted(Counter(n["kind"] for n in nodes).items()))
    signal_kinds = dict(sorted(Counter(s.kind.value for s in case.signals).items()))
    return CaseNetwork(
        case_id=case.id, elements=elements, nodes=nodes, edges=edge_rows,
        entity_kinds=entity_kinds, signal_kinds=signal_kinds,
        legend=_legend(entity_kinds, signal_kinds), left_out=len(case.entities) - len(entities))


def _legend(entity_kinds: dict[str, int], signal_kinds: dict[str, int]) -> list[LegendEntry]:
    entities = [LegendEntry(kind=k, colour=ENTITY_COLOURS.get(k, "#333333"),
                            shape=ENTITY_SHAPES.get(k, "ellipse")) for k in entity_kinds]
    return entities + [LegendEntry(kind=k, colour=SIGNAL_COLOURS.get(k, "#333333"), shape="line")
                       for k in signal_kinds]


def _edge_row(index: int, key: tuple[EntityRef, EntityRef, str], edge: _Edge) -> NetworkEdge:
    source, target, kind = key
    score = round(edge.score, 3)
    times = f" ×{edge.signals}" if edge.signals > 1 else ""
    return NetworkEdge(id=f"e{index}", source=str(source), target=str(target), kind=kind,
                       colour=SIGNAL_COLOURS.get(kind, "#333333"), score=score,
                       signals=edge.signals, detectors=sorted(edge.detectors),
                       label=f"{kind} {score:.2f}{times}")
