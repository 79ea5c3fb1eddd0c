"""Linking: signals that share a normalised identifier join one case.

The graph is bipartite (signals and entities); its connected components, computed by igraph, are
the cases. Hub identifiers - a carrier NAT address, a remittance company's pooled account, an
internet café's address - would glue unrelated people together, so an entity seen with more
distinct counted entities than its kind's limit is left out of the graph and named in the case's
reasons instead.

A witness is not a member: an entity whose role in a signal is a witness role (the reporter of a
panic report) stays in that signal's subjects and evidence but is no edge of the graph, or every
case a reporter touches would merge with the reported one.

A hub's counterparties are not joined through a signal about the hub: where a signal names a hub
in one role of a counterparty pair (``payee``) and two or more subjects in the other (its
``payer`` s), those are no edges of that signal either (:func:`edge_subjects`). Otherwise a fan-in
signal listing a hub beneficiary's senders would join them all, the very joins the hub limit
forbids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, field_serializer

from vigil.identifiers import EntityKind
from vigil.model import EntityRef, Signal


class LinkingConfig(BaseModel):
    """Hub limits per entity kind (see the packaged ``linking.yaml`` for their rationale)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int = 1
    default_max_degree: int = 12
    max_degree: Mapping[EntityKind, int] = {}
    counted_kinds: frozenset[EntityKind] = frozenset(
        {EntityKind.ACCOUNT, EntityKind.PAYMENT_ACCOUNT}
    )
    witness_roles: frozenset[str] = frozenset({"reporter"})
    hub_counterparty_roles: tuple[tuple[str, str], ...] = (("payer", "payee"),)

    @field_serializer("counted_kinds", "witness_roles")
    def _sorted(self, values: frozenset[str]) -> list[str]:
        """Sets dumped sorted: a set's order follows string hashing, which differs from one
        process to the next, and the dump is hashed into a run's case basis
        (:class:`vigil.incremental.cases.CaseBasis`), so another order rebuilt every case."""
        return sorted(values)

    def limit_for(self, kind: EntityKind) -> int:
        return self.max_degree.get(kind, self.default_max_degree)


def load_linking_config(path: Path | None = None) -> LinkingConfig:
    """Read hub limits from ``path``, or the packaged defaults."""
    if path is None:
        text = resources.files("vigil.config").joinpath("linking.yaml").read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    return LinkingConfig.model_validate(yaml.safe_load(text))


@dataclass(frozen=True)
class Hub:
    """An identifier kept out of linking, with how many distinct entities it was seen with."""

    entity: EntityRef
    degree: int
    limit: int


def witness_subjects(roles: object, config: LinkingConfig) -> set[str]:
    """The subjects (``kind:value`` text) that evidence ``roles`` (subject -> role) put in a
    witness role; none when ``roles`` is not a dict."""
    if not isinstance(roles, dict):
        return set()
    return {entity for entity, role in roles.items() if role in config.witness_roles}


def linking_subjects(signal: Signal, config: LinkingConfig) -> list[EntityRef]:
    """The subjects that may join ``signal`` to others: all but those in a witness role."""
    witnesses = witness_subjects(signal.evidence.get("roles", {}), config)
    return [s for s in signal.subjects if str(s) not in witnesses]


def linking_roles(signal: Signal, config: LinkingConfig) -> list[tuple[EntityRef, str]]:
    """:func:`linking_subjects` of ``signal``, each with its evidence role ("" when none)."""
    roles = signal.evidence.get("roles", {})
    if not isinstance(roles, dict) or not roles:
        return [(s, "") for s in signal.subjects]
    named = [(s, roles.get(str(s), "")) for s in signal.subjects]
    return [(s, str(role)) for s, role in named if role not in config.witness_roles]


Subject = TypeVar("Subject")


def counterparties(named: Sequence[tuple[Subject, str]],
                   config: LinkingConfig) -> Iterator[tuple[Subject, list[Subject]]]:
    """Each subject of a signal in one role of a hub counterparty pair, with the subjects in the
    pair's other role, where there are two or more of those: the ones that are no edges of the
    signal when that subject is a hub (:func:`edge_subjects`)."""
    for one, other in config.hub_counterparty_roles:
        ones = [s for s, r in named if r == one]
        others = [s for s, r in named if r == other]
        if len(others) >= 2:
            yield from ((s, others) for s in ones)
        if len(ones) >= 2:
            yield from ((s, ones) for s in others)


def edge_subjects(named: Sequence[tuple[Subject, str]], is_hub: Callable[[Subject], bool],
                  config: LinkingConfig) -> list[Subject]:
    """The subjects that join a signal to others, given its linking subjects with their roles
    (:func:`linking_roles`) and which subjects are hubs: every one that is no hub and no
    counterparty of a hub in the signal (:func:`counterparties`). The one rule of every
    linking path (igraph, SQL, the incremental union-find)."""
    cut = {s for hub, facing in counterparties(named, config) if is_hub(hub) for s in facing}
    if not cut:
        return [s for s, _ in named if not is_hub(s)]
    return [s for s, _ in named if s not in cut and not is_hub(s)]


@dataclass(frozen=True)
class LinkedGroup:
    """One connected component: its signals, the entities that joined them, the hubs skipped."""

    signals: tuple[Signal, ...]
    entities: tuple[EntityRef, ...]
    hubs: tuple[Hub, ...]


def find_hubs(signals: Sequence[Signal], config: LinkingConfig,
              usage: Mapping[EntityRef, set[EntityRef]] | None = None) -> dict[EntityRef, Hub]:
    """Entities seen with more distinct counted entities than their kind allows.

    Where ``usage`` (from :func:`vigil.usage.identifier_usage`) knows an entity, its degree is the
    number of distinct accounts that used it in the records; otherwise it is the number of distinct
    counted entities it appears beside in signals (media hashes, conversation ids, identifiers
    extracted from chat text).
    """
    return find_hubs_of([signal.subjects for signal in signals], config, usage)


def find_hubs_of(subjects: Sequence[Sequence[EntityRef]], config: LinkingConfig,
                 usage: Mapping[EntityRef, set[EntityRef]] | None = None) -> dict[EntityRef, Hub]:
    """:func:`find_hubs` over each signal's subjects alone (all that it reads of a signal)."""
    usage = usage or {}
    related: dict[EntityRef, set[EntityRef]] = defaultdict(set)
    for named in subjects:
        counted = {s for s in named if s.kind in config.counted_kinds}
        for subject in named:
            known = usage.get(subject)
            if known is None:
                related[subject].update(counted)
            elif subject not in related:
                # Taken once, not merged per signal: a beneficiary paid by 100,000 senders is in
                # 100,000 signals, and merging its 100,000 users each time was quadratic.
                related[subject] = known
    hubs: dict[EntityRef, Hub] = {}
    for entity, others in related.items():
        degree = len(others - {entity})
        limit = config.limit_for(entity.kind)
        if degree > limit:
            hubs[entity] = Hub(entity, degree, limit)
    return hubs


def link(signals: Sequence[Signal], config: LinkingConfig | None = None,
         usage: Mapping[EntityRef, set[EntityRef]] | None = None,
         hubs: Mapping[EntityRef, Hub] | None = None) -> list[LinkedGroup]:
    """Group signals into connected components over their non-hub identifiers.

    Every signal lands in exactly one group; a signal whose subjects are all hubs forms its own.
    Groups come out in a deterministic order (by their smallest signal id). ``hubs``, when
    given, are the hubs judged over more signals than these (an incremental run links a part
    of the graph, :mod:`vigil.incremental.relink`); by default they are found among these.
    """
    config = config or LinkingConfig()
    ordered = sorted(set(signals), key=lambda s: s.id)
    hubs = find_hubs(ordered, config, usage) if hubs is None else hubs
    entity_index: dict[EntityRef, int] = {}
    edges: list[tuple[int, int]] = []
    for position, signal in enumerate(ordered):
        for subject in edge_subjects(linking_roles(signal, config), hubs.__contains__, config):
            vertex = entity_index.setdefault(subject, len(ordered) + len(entity_index))
            edges.append((position, vertex))
    import igraph  # here: with matplotlib about 0.4 s to import, paid by every registry load

    graph = igraph.Graph(n=len(ordered) + len(entity_index), edges=edges)
    entity_at = {vertex: entity for entity, vertex in entity_index.items()}
    groups = [
        _group(members, ordered, entity_at, hubs)
        for members in graph.connected_components(mode="weak")
    ]
    return sorted(groups, key=lambda g: g.signals[0].id)


def _group(
    members: list[int],
    ordered: Sequence[Signal],
    entity_at: Mapping[int, EntityRef],
    hubs: Mapping[EntityRef, Hub],
) -> LinkedGroup:
    group_signals = tuple(ordered[m] for m in sorted(members) if m < len(ordered))
    entities = tuple(sorted(entity_at[m] for m in members if m >= len(ordered)))
    skipped = {s for signal in group_signals for s in signal.subjects if s in hubs}
    return LinkedGroup(group_signals, entities, tuple(hubs[h] for h in sorted(skipped)))
