"""Stable case ids: which earlier case each new connected component continues.

Cases are recomputed on every run, but an analyst's review, assignments, notes and decisions are
kept by case id, so the id must follow the case while it grows. Naming a case after its smallest
identifier (:func:`vigil.model.case_id_for`) restarts its review whenever a smaller identifier
joins; instead each run remembers which case every identifier belonged to (the store's
``case_members``) and :func:`assign_case_ids` matches the new components against that mapping
(docs/decisions/0004-stable-case-ids.md):

* Each earlier id is kept by at most one component: pairs (component, earlier id) are taken
  greedily by the number of identifiers they share, most first; ties go to the smaller earlier id,
  then to the component that comes first (:func:`vigil.case_lineage.assign_stable_ids` orders
  components by their smallest identifier). A component keeps the first id it wins.
* A component that wins none gets a fresh id (:func:`vigil.model.case_id_for`, salted when that id
  is already in use, so no id is ever given to two cases).
* An earlier id that no component kept was *absorbed*: it merges into the component that holds
  most of its identifiers (:class:`Merge`), which inherits its review state.
* An earlier case whose identifiers now lie in several components was *split*: the component that
  kept its id is the largest part, the others are new cases (:class:`Split`).

Everything here is pure (no store, no clock), so the rule is tested table-driven.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from vigil.model import CaseStatus, content_hash

STATUS_RANK = {CaseStatus.OPEN: 0, CaseStatus.IN_REVIEW: 1, CaseStatus.CONFIRMED: 2}
"""How far review has come; a merged case takes the furthest of the cases it joins."""


@dataclass(frozen=True)
class Merge:
    """Earlier cases ``absorbed`` into the case that kept the id ``survivor``."""

    survivor: str
    absorbed: tuple[str, ...]


@dataclass(frozen=True)
class Split:
    """Earlier case ``case_id`` (kept by its largest part) lost identifiers to cases ``parts``."""

    case_id: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Assignment:
    """The id of each component (in the order given), and the merges and splits that made them."""

    ids: tuple[str, ...]
    merges: tuple[Merge, ...]
    splits: tuple[Split, ...]

    def sources(self, case_id: str) -> tuple[str, ...]:
        """The earlier ids whose review state ``case_id`` carries: its own, then the absorbed."""
        absorbed = [a for m in self.merges if m.survivor == case_id for a in m.absorbed]
        return (case_id, *absorbed)


def fresh_case_id(entities: Iterable[str], taken: set[str]) -> str:
    """The case id a new case gets: named after its smallest identifier, as before, unless that
    id is in use (a split-off part of the case that identifier named); then salted until free."""
    smallest = min(entities, default="")
    candidate, salt = "case-" + content_hash(smallest)[:12], 0
    while candidate in taken:
        salt += 1
        candidate = "case-" + content_hash([smallest, salt])[:12]
    return candidate


def _overlaps(previous: Mapping[str, str],
              components: Sequence[Sequence[str]]) -> dict[tuple[int, str], int]:
    """How many identifiers each (component, earlier id) pair shares."""
    shared: dict[tuple[int, str], int] = defaultdict(int)
    for index, component in enumerate(components):
        for entity in component:
            earlier = previous.get(entity)
            if earlier is not None:
                shared[(index, earlier)] += 1
    return shared


def _keep_ids(shared: Mapping[tuple[int, str], int]) -> dict[int, str]:
    """Greedy matching, largest overlap first: each earlier id kept by one component at most."""
    kept: dict[int, str] = {}
    used: set[str] = set()
    for (index, earlier), _ in sorted(shared.items(), key=lambda p: (-p[1], p[0][1], p[0][0])):
        if index not in kept and earlier not in used:
            kept[index] = earlier
            used.add(earlier)
    return kept


def assign_case_ids(previous: Mapping[str, str],
                    components: Sequence[Sequence[str]],
                    in_use: Iterable[str] = ()) -> Assignment:
    """Ids for ``components`` (each a list of identifiers, ``str(EntityRef)``) given
    ``previous`` (identifier -> case id of the last run); see the module note for the rule.
    ``in_use``: other case ids no fresh id may take (an incremental run gives ``previous`` of
    the cases it rebuilds only; the cases it keeps hold these ids)."""
    shared = _overlaps(previous, components)
    kept = _keep_ids(shared)
    taken = set(previous.values()) | set(kept.values()) | set(in_use)
    ids: list[str] = []
    for index, component in enumerate(components):
        if index not in kept:
            kept[index] = fresh_case_id(component, taken)
            taken.add(kept[index])
        ids.append(kept[index])
    home = _homes(shared, kept)
    return Assignment(tuple(ids), _merges(home, kept), _splits(shared, home, kept))


def _homes(shared: Mapping[tuple[int, str], int], kept: Mapping[int, str]) -> dict[str, int]:
    """The component each earlier id lives on in: the one that kept it, or else the one holding
    most of its identifiers (ties: the component that comes first)."""
    home = {earlier: index for index, earlier in kept.items()}
    best: dict[str, tuple[int, int]] = {}
    for (index, earlier), count in sorted(shared.items()):
        if earlier not in home and (earlier not in best or count > best[earlier][0]):
            best[earlier] = (count, index)
    return home | {earlier: index for earlier, (_, index) in best.items()}


def _merges(home: Mapping[str, int], kept: Mapping[int, str]) -> tuple[Merge, ...]:
    """Earlier ids that no component kept, grouped by the case that absorbed them."""
    absorbed: dict[str, list[str]] = defaultdict(list)
    for earlier, index in sorted(home.items()):
        if kept[index] != earlier:
            absorbed[kept[index]].append(earlier)
    return tuple(Merge(s, tuple(a)) for s, a in sorted(absorbed.items()))


def _splits(shared: Mapping[tuple[int, str], int], home: Mapping[str, int],
            kept: Mapping[int, str]) -> tuple[Split, ...]:
    """Earlier cases whose identifiers now lie in more than one component."""
    holders: dict[str, set[int]] = defaultdict(set)
    for index, earlier in shared:
        holders[earlier].add(index)
    return tuple(Split(earlier, tuple(sorted(kept[i] for i in indexes if i != home[earlier])))
                 for earlier, indexes in sorted(holders.items()) if len(indexes) > 1)


def merged_status(sources: Sequence[str],
                  reviewed: Mapping[str, CaseStatus]) -> CaseStatus | None:
    """The review state a case inherits from the earlier cases ``sources`` (its own id first);
    ``None`` when none of them was reviewed. An unreviewed source counts as ``open``."""
    if not any(s in reviewed for s in sources):
        return None
    return inherited_status([reviewed.get(s, CaseStatus.OPEN) for s in sources])


def inherited_status(statuses: Sequence[CaseStatus]) -> CaseStatus | None:
    """The review state of a case made of cases with ``statuses`` (``None``: none reviewed).

    The furthest along wins (confirmed > in_review > open), because a person already judged
    part of it; dismissed only when every part was dismissed, because a dismissal judged only
    what that part held and must not hide what the rest brings in.
    """
    if not statuses:
        return None
    live = [s for s in statuses if s is not CaseStatus.DISMISSED]
    if not live:
        return CaseStatus.DISMISSED
    return max(live, key=STATUS_RANK.__getitem__)
