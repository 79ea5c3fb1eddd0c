"""Ground truth of the demo world, and how a ranking of cases is scored against it.

The measure is the one an analyst with a fixed budget cares about (vigil's choice:
precision at a fixed alert budget): with P rings planted, look at the top P cases only. A case
*hits* a ring when more than half of its entities are that ring's, so a case that glued two rings
together, or a ring to a crowd of benign users, does not count, and a ring split over two cases
is recovered once but costs a slot.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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

    def line(self) -> str:
        return (f"demo: planted={self.planted} recovered_in_top_P={self.recovered_in_top_P} "
                f"precision_at_P={self.precision_at_P:.2f}")


def evaluate(ranked_cases_entities: Sequence[Collection[str]], truth: Truth) -> Evaluation:
    """Score a ranking (highest priority first; each case as its entity strings) against truth.

    precision_at_P is hits among the top P divided by P (missing cases count as misses);
    recovered_in_top_P is the number of distinct rings some top-P case hits.
    """
    planted = truth.planted
    hits = tuple(ring_hit(case, truth) for case in ranked_cases_entities[:planted])
    found = [ring for ring in hits if ring is not None]
    precision = len(found) / planted if planted else 0.0
    return Evaluation(planted, len(set(found)), precision, hits)
