"""Every case of a run from the facts of its signals, a chunk of cases at a time.

A run that rebuilds every case (the first, ``vigil run --full``, or another configuration) used
to hold every current signal as an object to link and triage them: about 3.5 kB each, some
1.7 million signals at 10M payments. Here the graph is linked from the facts a run keeps of each
signal (:class:`~vigil.incremental.relink.Earlier`: id, subjects, linking roles; hubs judged over
every current signal and the records' degrees, :func:`~vigil.incremental.relink.hubs_among`), the
cases get their stable ids from their member keys before any is triaged
(:func:`vigil.case_lineage.assign_stable_ids`), and the components are triaged a chunk at a time,
each chunk's signals read from the store (or taken from those the run holds), each case handed to
the store as it is made (:meth:`~vigil.store.interfaces.CaseStore.replace_cases` reads a
generator once). The cases are the ones :func:`vigil.linking.link` and
:func:`vigil.triage.triage_all` give (tests/incremental/test_rebuild.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from vigil.case_lineage import assign_stable_ids
from vigil.incremental.current import CurrentSet
from vigil.incremental.region import Degrees
from vigil.incremental.relink import Component, Earlier, components, hubs_among
from vigil.linking import Hub, LinkingConfig
from vigil.model import Case
from vigil.store.codec import entity_from_text
from vigil.store.interfaces import Store
from vigil.triage import Scorer, TriageConfig, triage

SIGNALS_PER_CHUNK = 20_000
"""Signals read and triaged together (vigil's choice: a few tens of MB of signals at a time,
and reads of the store in lists the size :data:`vigil.store.case_rows.IDS_PER_QUERY` sends)."""

def all_components(facts: Sequence[Earlier], config: LinkingConfig,
                   degrees: Degrees) -> list[Component]:
    """The components of every signal ``facts`` describe, hubs judged over all of them and the
    record-level ``degrees`` (:class:`vigil.incremental.usage.KnownDegrees`)."""
    wanted = {text for item in facts for text in item.subjects}
    known = degrees({entity_from_text(text) for text in wanted})
    hubs: dict[str, Hub] = hubs_among(wanted, facts, config, known)
    return components(facts, hubs, config)


def store_cases(store: Store, found: Sequence[Component], current: CurrentSet,
                config: TriageConfig, moment: datetime, scorers: Mapping[str, Scorer]) -> int:
    """Triage ``found`` a chunk at a time and store the cases in place of every earlier one,
    under stable ids; how many."""
    stable = assign_stable_ids([c.member_keys() for c in found], store.case_members(),
                               store.reviewed_statuses(), datetime.now(UTC))
    cases = _triaged(found, stable.ids, current, config, moment, scorers)
    store.replace_cases(cases, stable.inherited, signals_stored=True)
    for event in stable.events:
        store.append_audit(event)
    return len(found)


def store_region(store: Store, found: Sequence[Component], current: CurrentSet,
                 members: Mapping[str, str], replaced: Collection[str], config: TriageConfig,
                 moment: datetime, scorers: Mapping[str, Scorer]) -> set[str]:
    """Triage an incremental run's region ``found`` a chunk at a time and store the cases in
    place of the ``replaced`` ones, ids matched against the last run's ``members`` (key -> case
    id) of those, the kept cases' ids taken by none; the ids written. Memory follows a chunk,
    not the region (24,481 cases and about 1.3 GB of decoded signals at 10M payments)."""
    previous = {key: case for key, case in members.items() if case in replaced}
    stable = assign_stable_ids([c.member_keys() for c in found], previous,
                               store.reviewed_statuses(), datetime.now(UTC),
                               set(members.values()))
    store.update_cases(_triaged(found, stable.ids, current, config, moment, scorers), replaced,
                       stable.inherited, signals_stored=True)
    for event in stable.events:
        store.append_audit(event)
    return set(stable.ids)


def _triaged(found: Sequence[Component], ids: Sequence[str], current: CurrentSet,
             config: TriageConfig, moment: datetime,
             scorers: Mapping[str, Scorer]) -> Iterator[Case]:
    for start, end in _chunks(found):
        signals = current.signals_by_id([i for c in found[start:end] for i in c.ids])
        for component, case_id in zip(found[start:end], ids[start:end], strict=True):
            case = triage(component.group(signals), config, moment, scorers)
            yield replace(case, id=case_id)


def _chunks(found: Sequence[Component]) -> Iterator[tuple[int, int]]:
    """(start, end) of runs of components holding about :data:`SIGNALS_PER_CHUNK` signals."""
    start, held = 0, 0
    for end, component in enumerate(found, 1):
        held += len(component.ids)
        if held >= SIGNALS_PER_CHUNK:
            yield start, end
            start, held = end, 0
    if start < len(found):
        yield start, len(found)


__all__ = ["SIGNALS_PER_CHUNK", "all_components", "store_cases", "store_region"]
