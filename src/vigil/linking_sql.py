"""Linking as SQL: the connected components of :mod:`vigil.linking`, computed by an engine.

The same graph as :func:`vigil.linking.link` (its edges from the same
:func:`vigil.linking.edge_subjects`) is loaded as one edge table ``(signal_id, entity)`` plus a
table of every signal, and its components are found by label propagation, the approach splink
uses to cluster record pairs: each signal starts labelled with its own id; each round an entity
takes the smallest label among its signals and a signal the smallest label among its entities,
then jumps to its label's own label (pointer jumping, which shortens long chains); rounds repeat
until no label changes. The labels are then the smallest signal id of each component, so the
groups and their order match igraph's.

The SQL comes from pure functions (what to compute); an engine with ``create_table`` (DuckDB or
Spark, :class:`TableEngine`) runs it (where). Hubs are still judged in Python from record-level
use (:func:`vigil.linking.find_hubs`); the propagation is what grows with the number of signals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Protocol

from vigil.engines import SqlEngine
from vigil.linking import (
    Hub,
    LinkedGroup,
    LinkingConfig,
    edge_subjects,
    find_hubs,
    linking_roles,
)
from vigil.model import EntityRef, Signal

EDGES = "link_edges"
SIGNALS = "link_signals"

# A bound, not a tuning knob: pointer jumping halves a chain's length each round, so even a
# chain of 2**40 signals settles in far fewer rounds; hitting it means the SQL is wrong.
MAX_ROUNDS = 200


class TableEngine(SqlEngine, Protocol):
    """An engine that can also keep a SELECT's result as a named table (the rounds' labels)."""

    def create_table(self, name: str, sql: str) -> None: ...
    def drop_table(self, name: str) -> None: ...


class LinkingDidNotSettle(RuntimeError):
    """Label propagation still changed labels after :data:`MAX_ROUNDS` rounds."""


def initial_labels_sql(signals: str = SIGNALS) -> str:
    """Every signal labelled with its own id."""
    return f"SELECT signal_id, signal_id AS label FROM {signals}"


def propagation_round_sql(labels: str, edges: str = EDGES) -> str:
    """One round: signal -> entity -> signal minimum, then one pointer jump.

    The smallest label reachable over one entity is a signal id of the same component; taking
    that signal's own current label as well (pointer jumping) keeps every label inside the
    component while letting labels travel faster than one hop per round.
    """
    return f"""
WITH entity_labels AS (
    SELECT e.entity, MIN(l.label) AS label
    FROM {edges} e JOIN {labels} l ON l.signal_id = e.signal_id
    GROUP BY e.entity
), neighbour_labels AS (
    SELECT e.signal_id, MIN(el.label) AS label
    FROM {edges} e JOIN entity_labels el ON el.entity = e.entity
    GROUP BY e.signal_id
), stepped AS (
    SELECT l.signal_id,
           CASE WHEN n.label IS NOT NULL AND n.label < l.label THEN n.label ELSE l.label END
               AS label
    FROM {labels} l LEFT JOIN neighbour_labels n ON n.signal_id = l.signal_id
)
SELECT s.signal_id,
       CASE WHEN j.label < s.label THEN j.label ELSE s.label END AS label
FROM stepped s JOIN stepped j ON j.signal_id = s.label"""


def changed_labels_sql(before: str, after: str) -> str:
    """How many signals changed label between two rounds (zero means settled)."""
    return (f"SELECT COUNT(*) AS changed FROM {after} a JOIN {before} b "
            f"ON a.signal_id = b.signal_id WHERE a.label <> b.label")


def final_labels_sql(labels: str) -> str:
    return f"SELECT signal_id, label FROM {labels}"


def graph_tables(ordered: Sequence[Signal], config: LinkingConfig,
                 hubs: Mapping[EntityRef, Hub]) -> tuple[dict[str, list[str]],
                                                         dict[str, list[str]]]:
    """The signal and edge tables as columns: the edges are igraph's
    (:func:`vigil.linking.edge_subjects`)."""
    edges: dict[str, list[str]] = {"signal_id": [], "entity": []}
    for signal in ordered:
        for subject in edge_subjects(linking_roles(signal, config), hubs.__contains__, config):
            edges["signal_id"].append(signal.id)
            edges["entity"].append(str(subject))
    return {"signal_id": [signal.id for signal in ordered]}, edges


def propagate(engine: TableEngine) -> dict[str, str]:
    """Run rounds over the registered tables until labels settle; signal id -> component label."""
    current = "link_labels_0"
    engine.create_table(current, initial_labels_sql())
    for round_number in range(1, MAX_ROUNDS + 1):
        following = f"link_labels_{round_number}"
        engine.create_table(following, propagation_round_sql(current))
        changed = engine.query(changed_labels_sql(current, following))[0]["changed"]
        engine.drop_table(current)
        current = following
        if changed == 0:
            rows = engine.query(final_labels_sql(current))
            engine.drop_table(current)
            return {row["signal_id"]: row["label"] for row in rows}
    raise LinkingDidNotSettle(f"labels still changing after {MAX_ROUNDS} rounds")


def link_sql(signals: Sequence[Signal], engine: TableEngine, config: LinkingConfig | None = None,
             usage: Mapping[EntityRef, set[EntityRef]] | None = None,
             hubs: Mapping[EntityRef, Hub] | None = None) -> list[LinkedGroup]:
    """The groups :func:`vigil.linking.link` returns (``hubs`` as there), with the components
    found in SQL."""
    config = config or LinkingConfig()
    ordered = sorted(set(signals), key=lambda s: s.id)
    if not ordered:
        return []
    hubs = find_hubs(ordered, config, usage) if hubs is None else hubs
    signal_table, edge_table = graph_tables(ordered, config, hubs)
    engine.register_table(SIGNALS, signal_table)
    engine.register_table(EDGES, edge_table)
    labels = propagate(engine)
    members: dict[str, list[Signal]] = defaultdict(list)
    for signal in ordered:
        members[labels[signal.id]].append(signal)
    return sorted((_group(group, config, hubs) for group in members.values()),
                  key=lambda g: g.signals[0].id)


def _group(signals: list[Signal], config: LinkingConfig,
           hubs: Mapping[EntityRef, Hub]) -> LinkedGroup:
    entities = {s for signal in signals
                for s in edge_subjects(linking_roles(signal, config), hubs.__contains__, config)}
    skipped = {s for signal in signals for s in signal.subjects if s in hubs}
    return LinkedGroup(tuple(signals), tuple(sorted(entities)),
                       tuple(hubs[h] for h in sorted(skipped)))
