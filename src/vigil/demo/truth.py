"""Ground truth of the demo world, and how a ranking of cases is scored against it.

The measure is the one an analyst with a fixed budget cares about (vigil's choice:
precision at a fixed alert budget): with P rings planted, look at the top P cases only. A case
*hits* a ring when more than half of its entities are that ring's, so a case that glued two rings
together, or a ring to a crowd of benign users, does not count, and a ring split over two cases
counts once: its second case is a wasted slot.

Beside vigil's figure stands a baseline that knows nothing but the shape of the cases: rank them by
the number of kinds of signal they hold. If that baseline scores as well as vigil, the world is too
easy to say anything about vigil's scoring.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from math import comb

from vigil.identifiers import EntityKind
from vigil.model import EntityRef


@dataclass(frozen=True)
class PlantedRing:
    """One planted ring: its id and every identifier it uses, as ``str(EntityRef)``."""

    ring_id: str
    entities: frozenset[str]


@dataclass(frozen=True)
class Truth:
    """The planted rings, and the benign decoys a good pipeline must not mistake for them.

    ``hubs`` maps a role (``carrier_nat_ip``, ``pooled_collection_account``) to the shared
    identifier playing it; hubs are in no ring's entities, though one ring uses the NAT address.
    ``weak_benign`` names benign identifiers planted with one weak signal each.
    """

    rings: tuple[PlantedRing, ...]
    hubs: Mapping[str, str] = field(default_factory=dict)
    weak_benign: tuple[str, ...] = ()

    @property
    def planted(self) -> int:
        return len(self.rings)

    def ring_entities(self) -> frozenset[str]:
        """Every identifier of every ring."""
        return frozenset().union(*(ring.entities for ring in self.rings))


def entity_strings(pairs: Iterable[tuple[EntityKind | str, str]]) -> frozenset[str]:
    """``str(EntityRef.of(kind, raw))`` for each pair: the normalised form cases carry."""
    return frozenset(str(EntityRef.of(kind, raw)) for kind, raw in pairs)


def _normalised(entity: str) -> str:
    """The canonical spelling of ``kind:value`` text; left alone when it does not parse."""
    try:
        return str(EntityRef.parse(entity))
    except ValueError:
        return entity


def ring_hit(case_entities: Collection[str], truth: Truth) -> str | None:
    """The ring owning more than half of the case's entities, or ``None``."""
    entities = {_normalised(e) for e in case_entities}
    best: tuple[int, str] | None = None
    for ring in truth.rings:
        shared = len(entities & ring.entities)
        if 2 * shared > len(entities) and (best is None or shared > best[0]):
            best = (shared, ring.ring_id)
    return None if best is None else best[1]


@dataclass(frozen=True)
class Evaluation:
    """How the top P cases of a ranking compare with the P planted rings."""

    planted: int
    recovered_in_top_P: int  # spelled as the line reports it
    precision_at_P: float
    hits: tuple[str | None, ...] = ()
    """The ring each top-P case hit, in rank order (``None`` for a miss)."""
    kinds_baseline: float | None = None
    """precision_at_P of the baseline ranking by number of signal kinds (see
    :func:`kinds_baseline`), when the cases' kinds were given."""

    def line(self) -> str:
        text = (f"demo: planted={self.planted} recovered_in_top_P={self.recovered_in_top_P} "
                f"precision_at_P={self.precision_at_P:.2f}")
        if self.kinds_baseline is None:
            return text
        return f"{text} kinds_baseline={self.kinds_baseline:.2f}"


def evaluate(ranked_cases_entities: Sequence[Collection[str]], truth: Truth,
             case_kinds: Sequence[int] | None = None) -> Evaluation:
    """Score a ranking (highest priority first; each case as its entity strings) against truth.

    precision_at_P is the number of distinct rings hit among the top P cases divided by P
    (missing cases count as misses, and a ring split over two top-P cases counts once);
    recovered_in_top_P is that number of rings. ``case_kinds``, the number of signal kinds of
    each case in the same order, adds the baseline figure.
    """
    planted = truth.planted
    hits = tuple(ring_hit(case, truth) for case in ranked_cases_entities[:planted])
    found = {ring for ring in hits if ring is not None}
    precision = len(found) / planted if planted else 0.0
    baseline = None
    if case_kinds is not None:
        baseline = kinds_baseline(ranked_cases_entities, case_kinds, truth)
    return Evaluation(planted, len(found), precision, hits, baseline)


def kinds_baseline(cases_entities: Sequence[Collection[str]], case_kinds: Sequence[int],
                   truth: Truth) -> float:
    """precision_at_P of ranking the cases by their number of signal kinds alone.

    Ties are broken at random and the figure is the expectation over that draw, computed
    exactly: every case with more kinds than the P-th case is in the top P, and of the ``n``
    cases tied with it ``m`` are, so a ring with ``c`` tied cases (and none above) is hit with
    probability ``1 - C(n - c, m) / C(n, m)``. No order that vigil chose leaks into the figure.
    """
    if len(case_kinds) != len(cases_entities):
        raise ValueError("case_kinds must give one count per case")
    planted = truth.planted
    if not planted or not cases_entities:
        return 0.0
    rings = [ring_hit(case, truth) for case in cases_entities]
    order = sorted(case_kinds, reverse=True)
    cut = order[min(planted, len(order)) - 1]
    above = {ring for ring, kinds in zip(rings, case_kinds, strict=True)
             if kinds > cut and ring is not None}
    tied = [ring for ring, kinds in zip(rings, case_kinds, strict=True) if kinds == cut]
    slots = min(planted, len(order)) - sum(1 for kinds in case_kinds if kinds > cut)
    expected = float(len(above))
    for ring in {r for r in tied if r is not None} - above:
        count = tied.count(ring)
        expected += 1.0 - comb(len(tied) - count, slots) / comb(len(tied), slots)
    return expected / planted
