"""A run that rebuilds every case links their facts and triages a chunk at a time, and leaves
the cases that linking every signal held at once leaves (:mod:`vigil.incremental.rebuild`).

The reference is the path every rebuild took before: :func:`vigil.linking.link` over the signal
objects with their records' usage, :func:`vigil.triage.triage_all`, then
:func:`vigil.case_lineage.stabilise` (``CaseBuilder._rebuild_held``, still the path of
``VIGIL_LINKING=sql``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings

from tests.incremental.helpers import CaseView, add_bank, add_batch, case_view
from tests.incremental.test_relink import CONFIG, _degrees, _signal, _usage, _view, signal_specs
from tests.incremental.test_relink import usage_specs as phone_usage
from vigil.case_lineage import assign_stable_ids, stabilise
from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.demo.world import World, generate_world
from vigil.incremental import rebuild
from vigil.incremental.arrivals import RunRecords
from vigil.incremental.cases import CaseBuilder
from vigil.incremental.current import CurrentSet
from vigil.incremental.relink import Earlier
from vigil.linking import link
from vigil.model import Case, CaseStatus
from vigil.registry import load_registry
from vigil.runs import run
from vigil.settings import Settings
from vigil.store.interfaces import RecordStore, Store
from vigil.store.memory import MemoryStore
from vigil.store.open import open_store


@settings(max_examples=200, deadline=None, derandomize=True)
@given(specs=signal_specs, usage=phone_usage)
def test_components_from_facts_are_the_groups_of_link(
        specs: list[list[tuple[int, str]]], usage: dict[int, set[int]]) -> None:
    signals = [_signal(n, spec) for n, spec in enumerate(specs)]
    used = _usage(usage)
    facts = [Earlier.of(s, CONFIG) for s in signals]
    found = rebuild.all_components(facts, CONFIG, _degrees(used))
    by_id = {s.id: s for s in signals}
    assert _view([c.group(by_id) for c in found]) == _view(link(signals, CONFIG, used))
    assert [c.ids[0] for c in found] == sorted(c.ids[0] for c in found)


def test_stable_ids_do_not_depend_on_the_order_of_the_cases() -> None:
    # Two new components tie for the earlier case-x (one identifier each): the one whose
    # smallest identifier is smaller keeps it, whichever comes first.
    previous = {"a:1": "case-x", "a:2": "case-x", "a:3": "case-y"}
    keys = [["a:2", "b:9"], ["a:1", "c:5"], ["a:3"]]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    forward = assign_stable_ids(keys, previous, {}, now)
    backward = assign_stable_ids(keys[::-1], previous, {}, now)
    assert forward.ids == backward.ids[::-1]
    assert forward.ids[1] == "case-x" and forward.ids[2] == "case-y"
    assert forward.ids[0] not in ("case-x", "case-y")


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(seed=11, scale=0.5)


def _held_rebuild(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rebuild through the path that holds every signal (the reference)."""
    def held(self: CaseBuilder, store: Store, current: CurrentSet, records: RunRecords,
             moment: datetime, step: Callable[[str], None]) -> int:
        return self._rebuild_held(store, current.signals(), records, moment, step)

    monkeypatch.setattr(CaseBuilder, "rebuild", held)


def _runs(world: World, batches: int, full: bool,
          parts: Path | None = None) -> list[list[CaseView]]:
    """The cases after each of ``batches`` arrivals, a store reviewing some between them; the
    records in Parquet parts under ``parts`` when given."""
    store = MemoryStore()
    add_bank(store, world)
    records: RecordStore = store if parts is None else SplitRecordStore(
        store, ColumnarRecords(parts))
    arrived = world.records()
    random.Random(5).shuffle(arrived)
    registry, views = load_registry(), list[list[CaseView]]()
    for index in range(batches):
        add_batch(records, arrived[index::batches])
        cases = run(store, Settings(), registry, as_of=world.end, full=full,
                    records_from=records).cases
        views.append([case_view(case) for case in cases])
        for case in cases[index::4][:2]:
            store.set_status(case.id, CaseStatus.CONFIRMED)
    return views


@pytest.mark.parametrize("record_store", ["sql", "parquet"])
def test_runs_in_full_leave_the_cases_of_the_held_path(
        world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, record_store: str) -> None:
    def parts(name: str) -> Path | None:
        return tmp_path / name if record_store == "parquet" else None

    chunked = _runs(world, 3, True, parts("chunked"))
    with monkeypatch.context() as patch:
        _held_rebuild(patch)
        held = _runs(world, 3, True, parts("held"))
    assert chunked == held
    assert len(chunked[-1]) > 20


def test_small_chunks_change_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _runs(world, 1, full=True)
    monkeypatch.setattr(rebuild, "SIGNALS_PER_CHUNK", 7)
    assert _runs(world, 1, full=True) == whole


def _generated(cases: list[Case], store: Store) -> Iterator[Case]:
    """``cases``, each with its signals read from ``store`` while the store takes them."""
    for case in cases:
        found = {s.id: s for s in store.signals_of([s.id for s in case.signals])}
        yield replace(case, signals=tuple(found[s.id] for s in case.signals))


def test_a_store_takes_a_generator_and_keeps_review_state(store_url: str) -> None:
    _takes_a_generator(open_store(store_url))
    _updates_from_a_generator(open_store(store_url))


def test_an_in_memory_sqlite_store_takes_a_generator_too() -> None:
    # One shared connection there: the rows are encoded before the write begins.
    _takes_a_generator(open_store("sqlite://"))
    _updates_from_a_generator(open_store("sqlite://"))


def _updates_from_a_generator(store: Store) -> None:
    """``update_cases`` from a generator that reads the signals from ``store``: the replaced
    cases gone (members too), the new ones stored with their review states, the others kept."""
    memory = MemoryStore()
    world = generate_world(seed=3, scale=0.25)
    add_batch(memory, world.records())
    cases = run(memory, Settings(), load_registry(), as_of=world.end).cases
    assert len(cases) > 4
    store.add_signals([s for c in cases for s in c.signals])
    store.replace_cases(cases, signals_stored=True)
    store.set_status(cases[0].id, CaseStatus.CONFIRMED)
    replaced = {cases[0].id, cases[1].id}
    fresh = [replace(cases[0], priority=0.5), replace(cases[1], id="case-new")]
    store.update_cases(_generated(fresh, store), replaced, {"case-new": CaseStatus.IN_REVIEW},
                       signals_stored=True)
    expected = [replace(fresh[0], status=CaseStatus.CONFIRMED),
                replace(fresh[1], status=CaseStatus.IN_REVIEW), *cases[2:]]
    assert [case_view(c) for c in store.cases()] == [
        case_view(c) for c in sorted(expected, key=lambda c: (-c.priority, c.id))]
    assert set(store.case_members().values()) == {c.id for c in expected}
    store.close()


def _takes_a_generator(store: Store) -> None:
    """Cases handed as a generator that reads their signals from ``store`` while it writes
    them: all stored, members kept, and review states (set, and inherited) where they were."""
    memory = MemoryStore()
    world = generate_world(seed=3, scale=0.25)
    add_batch(memory, world.records())
    cases = run(memory, Settings(), load_registry(), as_of=world.end).cases
    store.add_signals([s for c in cases for s in c.signals])
    store.replace_cases(_generated(cases, store), signals_stored=True)
    store.set_status(cases[0].id, CaseStatus.CONFIRMED)
    stable = stabilise(cases, store.case_members(), store.reviewed_statuses(), world.end)
    store.replace_cases(_generated(stable.cases, store), {cases[1].id: CaseStatus.IN_REVIEW},
                        signals_stored=True)
    kept = {cases[0].id: CaseStatus.CONFIRMED, cases[1].id: CaseStatus.IN_REVIEW}
    assert [case_view(c) for c in store.cases()] == [
        case_view(replace(c, status=kept.get(c.id, c.status)))
        for c in sorted(stable.cases, key=lambda c: (-c.priority, c.id))]
    assert store.case_members() == memory.case_members()
    store.close()
