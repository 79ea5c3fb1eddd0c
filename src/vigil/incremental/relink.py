"""Incremental linking: which earlier cases a run's changes touch, and the signals to relink.

Cases are the connected components of the signal-identifier graph with hubs left out
(:mod:`vigil.linking`). Between two runs that graph changes only where signals became current or
stopped being current (*added*, *removed*) and where an identifier's hub status changed. A hub is
judged by record-level use where the records say who used the identifier, else by the counted
entities beside it in signals: the first changes only when an arrived record uses the
identifier, the second only when a signal naming it is added or removed. So the *touched*
identifiers are the subjects of the added and removed signals and the identifiers the arrived
records use (:func:`vigil.incremental.usage.arrived_identifiers`); no other identifier gains or
loses an edge or changes hub status.

An earlier case is *affected* when one of its signals was removed or names a touched identifier
(as a member, or as a hub it skipped). Every other earlier case is still exactly a component:
its signals are all current and none names a touched identifier, so no edge of it appeared or
vanished and none of its identifiers changed hub status. The signals to relink are the current
ones of the affected cases plus the added ones; no edge leads from them to a kept case (it
would run over a touched identifier, which makes that case affected, or over an untouched
non-hub identifier, which joined both into one case already). Relinking them alone therefore
gives the components a full relink gives.

A hub crossing its limit is covered by the same rule, so no fallback is needed for it: an
identifier that stops being a hub joins every case that names it (each names a touched
identifier, so each is affected and relinked together), and one that becomes a hub splits the
case it held together (that case names it, so it is relinked without it). Hubs are judged for the
relinked signals' identifiers over every current signal that names them (:func:`hubs_for`), not
over the relinked signals alone, so a degree counted from signals is the one a full run counts.

A hub's counterparties in a signal about it are no edges of that signal
(:func:`vigil.linking.edge_subjects`), so a signal's edges also change when one of its own
subjects changes hub status: its counterparties there become or stop being edges without being
touched themselves. They are touched too (:func:`counterparties_of_touched`), so a case holding
one is affected, and the argument above holds for the edges so gained or lost.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any

from vigil.checkpoints import SignalFacts
from vigil.linking import (
    Hub,
    LinkedGroup,
    LinkingConfig,
    counterparties,
    edge_subjects,
    witness_subjects,
)
from vigil.model import EntityRef, Signal
from vigil.store.codec import entity_from_text


@dataclass(frozen=True)
class Earlier:
    """A signal the last run's cases were built from: its id, subjects, linking subjects (all
    but witnesses) and those's roles in a hub counterparty pair (parallel to ``linking``, ""
    for none; empty when none has one), all that :func:`vigil.linking.edge_subjects` reads."""

    id: str
    subjects: tuple[str, ...]
    linking: tuple[str, ...]
    roles: tuple[str, ...] = ()

    @classmethod
    def of(cls, signal: Signal, config: LinkingConfig) -> Earlier:
        roles = signal.evidence.get("roles", {})
        return cls.of_facts(SignalFacts(signal.id, "", "", signal.kind, signal.observed_at,
                                        tuple(str(s) for s in signal.subjects),
                                        roles if isinstance(roles, dict) else {}), config)

    @classmethod
    def of_facts(cls, facts: SignalFacts, config: LinkingConfig) -> Earlier:
        """As :meth:`of` gives for the signal ``facts`` describe (the same rules)."""
        witnesses = witness_subjects(facts.roles, config)
        linking = tuple(s for s in facts.subjects if s not in witnesses)
        return cls(facts.id, facts.subjects, linking, pair_roles(linking, facts.roles, config))

    @property
    def named(self) -> list[tuple[str, str]]:
        """The linking subjects with their roles, as :func:`vigil.linking.edge_subjects` takes
        them."""
        if self.roles:
            return list(zip(self.linking, self.roles, strict=True))
        return [(text, "") for text in self.linking]


def pair_roles(linking: Sequence[str], roles: Mapping[str, Any],
               config: LinkingConfig) -> tuple[str, ...]:
    """Each of ``linking``'s role where it is one of a hub counterparty pair, else ""; empty
    when none is (most signals: no tuple kept for them). Interned: a role is one of a few."""
    paired = {role for pair in config.hub_counterparty_roles for role in pair}
    found = tuple(sys.intern(role) if (role := str(roles.get(s, ""))) in paired else ""
                  for s in linking)
    return found if any(found) else ()


@dataclass(frozen=True)
class Region:
    """The ids of the current signals to relink (in the order given), and the earlier case ids
    their new cases replace."""

    ids: list[str]
    replaced: set[str]


def case_of(item: Earlier, members: Mapping[str, str], config: LinkingConfig) -> str | None:
    """The earlier case a signal was in: the one holding any of its edges (a case holds its
    non-hub identifiers joined), else the one its id names (a case joined by none).

    Its edges in the earlier run, not its linking subjects: a hub's counterparty left out of the
    signal's edges may be a member of another case. The earlier hubs are not kept, but a hub is
    no member, so every subject absent from ``members`` is taken for one: that leaves out at
    least the earlier counterparties, so every subject looked up was an edge (a member of this
    signal's case). Should that leave out all its edges, the answer is ``None`` and the caller
    relinks everything (no wrong case is ever given)."""
    for key in edge_subjects(item.named, lambda text: text not in members, config):
        return members[key]
    return members.get(item.id)


def affected_region(earlier: Sequence[Earlier], current: Sequence[Earlier],
                    touched: Collection[str], members: Mapping[str, str],
                    config: LinkingConfig) -> Region | None:
    """What to relink (see the module note), given the signals the earlier cases were built
    from, the current ones, the identifiers arrived records use and the earlier membership.
    ``None`` when an affected earlier signal is in no earlier case: the stored cases were not
    built from these signals, so everything must be relinked."""
    now = {signal.id for signal in current}
    before = {e.id for e in earlier}
    hit = set(touched)
    for item in earlier:
        if item.id not in now:
            hit.update(item.subjects)
    for signal in current:
        if signal.id not in before:
            hit.update(signal.subjects)
    hit.update(counterparties_of_touched(current, hit, config))
    replaced: set[str] = set()
    for item in earlier:
        if item.id in now and hit.isdisjoint(item.subjects):
            continue
        found = case_of(item, members, config)
        if found is None:
            return None
        replaced.add(found)
    # A signal of a replaced case names one of its keys (an edge, or its id): only those are
    # looked up (a key named may be a hub's counterparty, no edge, so the look-up decides).
    keys = {key for key, case in members.items() if case in replaced}
    ids = [s.id for s in current if s.id not in before or (
        not (keys.isdisjoint(s.linking) and s.id not in keys)
        and case_of(s, members, config) in replaced)]
    return Region(ids, replaced)


def counterparties_of_touched(current: Sequence[Earlier], hit: Set[str],
                              config: LinkingConfig) -> set[str]:
    """The subjects that are counterparties (:func:`vigil.linking.counterparties`) of a ``hit``
    identifier in a current signal: if that identifier changed hub status they became or
    stopped being edges of the signal, so a case holding one is affected too. One step is
    enough: only a hit identifier can change hub status, and a signal's edges depend on no
    other signal's."""
    found: set[str] = set()
    for item in current:
        if item.roles and not hit.isdisjoint(item.subjects):
            for text, facing in counterparties(item.named, config):
                if text in hit:
                    found.update(facing)
    return found


def hubs_among(wanted: Collection[str], current: Sequence[Earlier], config: LinkingConfig,
               degrees: Mapping[EntityRef, int]) -> dict[str, Hub]:
    """The hubs among the identifiers ``wanted`` (``kind:value`` text, each a subject of some
    current signal), by text, judged as :func:`vigil.linking.find_hubs_of` judges them over every
    current signal: by their record-level degree (``degrees``, :func:`vigil.incremental.usage.
    usage_degrees`, which must cover them) where records use them, else by the counted entities
    beside them in the current signals that name them. Text, not :class:`EntityRef`: a string
    keeps its hash, where an identifier's is recomputed at each look-up."""
    names = set(wanted)
    refs = {text: entity_from_text(text) for text in names}
    counted = {kind.value for kind in config.counted_kinds}
    related: dict[str, set[str]] = {text: set() for text in names if refs[text] not in degrees}
    for signal in current:
        if names.isdisjoint(signal.subjects):
            continue
        beside = {t for t in signal.subjects if t.partition(":")[0] in counted}
        for text in signal.subjects:
            if text in related:
                related[text].update(beside)
    hubs: dict[str, Hub] = {}
    for text, ref in refs.items():
        degree = degrees.get(ref)
        if degree is None:
            degree = len(related[text]) - (text in related[text])
        limit = config.limit_for(ref.kind)
        if degree > limit:
            hubs[text] = Hub(ref, degree, limit)
    return hubs


def hubs_for(region: Sequence[Signal], current: Sequence[Earlier], config: LinkingConfig,
             usage: Mapping[EntityRef, set[EntityRef]]) -> dict[EntityRef, Hub]:
    """The hubs among the subjects of ``region``, judged as a full run judges them: by their
    ``usage`` (which must cover those subjects) or over every current signal that names them
    (:func:`hubs_among`, keyed by identifier)."""
    wanted = {str(subject) for signal in region for subject in signal.subjects}
    degrees = {used: len(users - {used}) for used, users in usage.items()}
    return {hub.entity: hub for hub in hubs_among(wanted, current, config, degrees).values()}


def link_region(signals: Sequence[Signal], region: Mapping[str, Earlier],
                hubs: Mapping[str, Hub], config: LinkingConfig) -> list[LinkedGroup]:
    """The groups :func:`vigil.linking.link` makes of ``signals`` with ``hubs`` given, found by
    union-find over the linking subjects' text that ``region`` (by signal id) keeps for each,
    not by building an igraph graph of :class:`EntityRef` vertices: each edge
    (:func:`vigil.linking.edge_subjects`) joins the first signal that named it, so the sets are
    the graph's connected components. ``hubs`` (:func:`hubs_among`) must hold every hub among
    the signals' subjects."""
    ordered = sorted({s.id: s for s in signals}.values(), key=lambda s: s.id)
    parent = list(range(len(ordered)))

    def root(at: int) -> int:
        while parent[at] != at:
            parent[at] = parent[parent[at]]
            at = parent[at]
        return at

    first: dict[str, int] = {}
    for position, signal in enumerate(ordered):
        for text in edge_subjects(region[signal.id].named, hubs.__contains__, config):
            joined = root(first.setdefault(text, position))
            parent[max(joined, root(position))] = min(joined, root(position))
    members: dict[int, list[int]] = {}
    for position in range(len(ordered)):
        members.setdefault(root(position), []).append(position)
    named: dict[int, list[str]] = {}
    for text, position in first.items():
        named.setdefault(root(position), []).append(text)
    return [_group([ordered[m] for m in group], named.get(top, []), region, hubs)
            for top, group in members.items()]


def _group(signals: list[Signal], named: list[str], region: Mapping[str, Earlier],
           hubs: Mapping[str, Hub]) -> LinkedGroup:
    """One component of :func:`link_region`: its signals (in id order), its identifiers and the
    hubs its signals name, each sorted as :func:`vigil.linking.link` sorts them."""
    skipped = {t for signal in signals for t in region[signal.id].subjects if t in hubs}
    return LinkedGroup(tuple(signals), tuple(sorted(map(entity_from_text, named))),
                       tuple(sorted((hubs[t] for t in skipped), key=lambda hub: hub.entity)))


__all__ = ["Earlier", "Region", "affected_region", "case_of", "hubs_among", "hubs_for",
           "link_region"]
