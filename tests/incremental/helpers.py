"""Stores fed in arrival batches, run incrementally or in full, and what their runs leave."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.demo.world import World
from vigil.media.banks.records import BankInfo
from vigil.model import Case, CaseStatus
from vigil.records import Record, RecordKind
from vigil.registry import Registry, load_registry
from vigil.runs import run
from vigil.settings import Settings
from vigil.store.interfaces import RecordStore, Store
from vigil.store.memory import MemoryStore

REGISTRY = load_registry()
SETTINGS = Settings()

CaseView = tuple[str, tuple[str, ...], tuple[str, ...], float, tuple[str, ...], str]


def case_view(case: Case) -> CaseView:
    """Everything a case is: id, members, signals, priority, reasons (in words), status."""
    return (case.id, tuple(sorted(str(e) for e in case.entities)),
            tuple(sorted(s.id for s in case.signals)), round(case.priority, 9),
            tuple(str(r) for r in case.reasons), case.status.value)


def without_history(views: Sequence[CaseView]) -> list[tuple[object, ...]]:
    """Members, signals, priority and reasons: what does not depend on earlier runs (the id
    and the review status do)."""
    return sorted(view[1:5] for view in views)


def split_batches(records: Sequence[Record], batches: int, seed: int) -> list[list[Record]]:
    """``records`` shuffled and cut into ``batches`` non-empty arrival batches."""
    rng = random.Random(seed)
    shuffled = list(records)
    rng.shuffle(shuffled)
    cuts = sorted(rng.sample(range(1, len(shuffled)), batches - 1))
    bounds = [0, *cuts, len(shuffled)]
    return [shuffled[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def add_batch(target: RecordStore, batch: Sequence[Record]) -> None:
    """Store one batch, a kind at a time (the columnar store takes one kind per call)."""
    for kind in RecordKind:
        chunk = [r for r in batch if r.kind is kind]
        if chunk:
            result = target.add_records(chunk)
            assert not result.conflicts


def add_bank(store: Store, world: World) -> None:
    """The world's known bank, as ``vigil demo`` loads it."""
    if world.bank:
        store.add_bank(BankInfo(name=world.bank[0].bank, source="vigil demo"))
        store.add_bank_entries(list(world.bank))


@dataclass
class Runner:
    """One store and how it is run: ``full`` every time, or incremental."""

    store: Store
    records: RecordStore
    settings: Settings
    registry: Registry
    full: bool
    as_of: datetime | None
    """``None``: each run's moment is its newest signal's time (it moves as records arrive)."""

    def run(self) -> list[CaseView]:
        result = run(self.store, self.settings, self.registry, as_of=self.as_of,
                     records_from=self.records, full=self.full)
        return [case_view(case) for case in result.cases]

    def current(self) -> list[str]:
        return sorted(c.signal.id for c in self.store.current_signals())


def pair(world: World | None, as_of: datetime | None,
         settings: Settings | None = None) -> tuple[Runner, Runner]:
    """An incremental and a full runner, each on its own store (the world's bank loaded)."""
    runners = []
    for full in (False, True):
        store = MemoryStore()
        if world is not None:
            add_bank(store, world)
        runners.append(Runner(store, store, settings or SETTINGS, REGISTRY, full, as_of))
    return runners[0], runners[1]


def record_store_pair(record_store: str, folder: Path) -> tuple[Runner, Runner, RecordStore]:
    """An incremental runner whose records are in its SQL store (``"sql"``) or in Parquet parts
    under ``folder`` (``"parquet"``), a full runner on a store of its own, and where the
    incremental runner's records go."""
    incremental_store, full_store = MemoryStore(), MemoryStore()
    records: RecordStore = (incremental_store if record_store == "sql" else
                            SplitRecordStore(incremental_store, ColumnarRecords(folder)))
    return (Runner(incremental_store, records, SETTINGS, REGISTRY, False, None),
            Runner(full_store, full_store, SETTINGS, REGISTRY, True, None), records)


def _review(incremental: Runner, full: Runner, step: int) -> None:
    """Set a review status on the same cases of both stores (they must have the same ids)."""
    cases = full.store.cases()
    statuses = (CaseStatus.IN_REVIEW, CaseStatus.CONFIRMED, CaseStatus.DISMISSED)
    for index, case in enumerate(cases[step % 2::3][:3]):
        for runner in (incremental, full):
            runner.store.set_status(case.id, statuses[index % 3])


def check_batches(records: list[Record], world: World | None, batches: int, seed: int,
                  as_of: datetime | None, review: bool, settings: Settings | None = None) -> None:
    """Feed ``records`` in batches to an incremental and a full store (reviewing some cases
    between batches when ``review``): the same cases after each batch, the same after a last
    ``--full`` run, and the same up to ids as one full run over everything."""
    incremental, full = pair(world, as_of, settings)
    for step, batch in enumerate(split_batches(records, batches, seed)):
        for runner in (incremental, full):
            add_batch(runner.records, batch)
        assert incremental.run() == full.run(), f"cases differ after batch {step + 1}"
        assert incremental.current() == full.current()
        if review:
            _review(incremental, full, step)
    final = incremental.run()
    assert Runner(**{**vars(incremental), "full": True}).run() == final
    once = MemoryStore()
    if world is not None:
        add_bank(once, world)
    add_batch(once, records)
    reference = Runner(once, once, settings or SETTINGS, REGISTRY, True, as_of).run()
    assert without_history(reference) == without_history(final)
