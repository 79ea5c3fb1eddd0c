"""Incremental linking: the facts kept of each signal, hubs judged over every current signal,
and the region's signals linked from those facts.

Which signals an incremental run relinks, and why relinking them alone gives the components a
full relink gives, is :mod:`vigil.incremental.region`'s part. This module relinks them as a full
run would: hubs are judged for the relinked signals' identifiers over every current signal that
names them (:func:`hubs_for`, :func:`hubs_among`), not over the relinked signals alone, so a
degree counted from signals is the one a full run counts; and their groups are found by
union-find over the facts kept beside each signal (:class:`Earlier`, :func:`link_region`), with
the one edge rule of every linking path (:func:`vigil.linking.edge_subjects`).
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vigil.checkpoints import SignalFacts
from vigil.linking import Hub, LinkedGroup, LinkingConfig, edge_subjects, witness_subjects
from vigil.model import EntityRef, Signal
from vigil.store.codec import entity_from_text


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True)
class Component:
    """One connected component found from facts: its signals' ids (sorted), the identifiers
    that joined them (``kind:value`` text, unsorted) and the hubs its signals name."""

    ids: tuple[str, ...]
    named: tuple[str, ...]
    hubs: tuple[Hub, ...]

    def group(self, signals: Mapping[str, Signal]) -> LinkedGroup:
        """The :class:`LinkedGroup` :func:`vigil.linking.link` makes of it, with its signals
        from ``signals`` (by id)."""
        return LinkedGroup(tuple(signals[i] for i in self.ids),
                           tuple(sorted(map(entity_from_text, self.named))), self.hubs)

    def member_keys(self) -> list[str]:
        """What its case is matched by (:func:`vigil.case_lineage.member_keys`)."""
        return sorted(self.named) or list(self.ids)


def components(facts: Sequence[Earlier], hubs: Mapping[str, Hub],
               config: LinkingConfig) -> list[Component]:
    """The components :func:`vigil.linking.link` finds among the signals ``facts`` describe,
    with ``hubs`` given, found by union-find over each one's linking subjects' text, not by an
    igraph graph of :class:`EntityRef` vertices: each edge (:func:`vigil.linking.edge_subjects`)
    joins the first signal that named it, so the sets are the graph's connected components.
    ``hubs`` (:func:`hubs_among`) must hold every hub among the signals' subjects. In the order
    of their smallest signal id, as ``link`` orders its groups."""
    ordered = sorted({e.id: e for e in facts}.values(), key=lambda e: e.id)
    parent = list(range(len(ordered)))

    def root(at: int) -> int:
        while parent[at] != at:
            parent[at] = parent[parent[at]]
            at = parent[at]
        return at

    first: dict[str, int] = {}
    for position, item in enumerate(ordered):
        for text in edge_subjects(item.named, hubs.__contains__, config):
            joined = root(first.setdefault(text, position))
            parent[max(joined, root(position))] = min(joined, root(position))
    members: dict[int, list[int]] = {}
    for position in range(len(ordered)):
        members.setdefault(root(position), []).append(position)
    named: dict[int, list[str]] = {}
    for text, position in first.items():
        named.setdefault(root(position), []).append(text)
    return [_component([ordered[m] for m in group], named.get(top, []), hubs)
            for top, group in members.items()]


def _component(members: list[Earlier], named: list[str], hubs: Mapping[str, Hub]) -> Component:
    skipped = {t for item in members for t in item.subjects if t in hubs}
    return Component(tuple(item.id for item in members), tuple(named),
                     tuple(sorted((hubs[t] for t in skipped), key=lambda hub: hub.entity)))


def link_region(signals: Sequence[Signal], region: Mapping[str, Earlier],
                hubs: Mapping[str, Hub], config: LinkingConfig) -> list[LinkedGroup]:
    """The groups :func:`vigil.linking.link` makes of ``signals`` with ``hubs`` given
    (:func:`components` of their facts, which ``region`` keeps by signal id)."""
    by_id = {s.id: s for s in signals}
    return [found.group(by_id)
            for found in components([region[i] for i in by_id], hubs, config)]


__all__ = ["Component", "Earlier", "components", "hubs_among", "hubs_for", "link_region"]
