"""Incremental runs after each arrival batch leave what full runs leave: the same cases (ids,
members, signals, priorities, reasons, review state) and the same current signals.

The reference is a second store fed the same batches and run with ``full=True`` after each one
(today's behaviour), because stable ids depend on the history of runs (decision 0004): a case
that absorbed an earlier one keeps that one's id. A ``--full`` run on the incremental store at
the end changes nothing, and one full run over everything at once finds the same cases up to
those ids.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.incremental.helpers import (
    Runner,
    add_bank,
    add_batch,
    case_view,
    split_batches,
    without_history,
)
from vigil.demo.world import World, generate_world
from vigil.model import CaseStatus
from vigil.records import Record
from vigil.registry import load_registry
from vigil.settings import Settings
from vigil.store.memory import MemoryStore
from vigil.testing.scale_payments import payment_batches, payments_of

REGISTRY = load_registry()
SETTINGS = Settings()


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(seed=7, scale=0.5)


def _pair(world: World | None, as_of: datetime) -> tuple[Runner, Runner]:
    pair = []
    for full in (False, True):
        store = MemoryStore()
        if world is not None:
            add_bank(store, world)
        pair.append(Runner(store, store, SETTINGS, REGISTRY, full, as_of))
    return pair[0], pair[1]


def _review(incremental: Runner, full: Runner, step: int) -> None:
    """Set a review status on the same cases of both stores (they must have the same ids)."""
    cases = full.store.cases()
    statuses = (CaseStatus.IN_REVIEW, CaseStatus.CONFIRMED, CaseStatus.DISMISSED)
    for index, case in enumerate(cases[step % 2::3][:3]):
        for runner in (incremental, full):
            runner.store.set_status(case.id, statuses[index % 3])


def _check_batches(records: list[Record], world: World | None, batches: int, seed: int,
                   as_of: datetime, review: bool) -> None:
    incremental, full = _pair(world, as_of)
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
    assert without_history(Runner(once, once, SETTINGS, REGISTRY, True, as_of).run()) \
        == without_history(final)


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.integers(2, 4), seed=st.integers(0, 2**16), review=st.booleans())
def test_demo_world_in_batches(world: World, batches: int, seed: int, review: bool) -> None:
    _check_batches(world.records(), world, batches, seed, world.end, review)


@settings(max_examples=4, deadline=None, derandomize=True)
@given(batches=st.integers(2, 4), seed=st.integers(0, 2**16), review=st.booleans())
def test_generated_payments_in_batches(batches: int, seed: int, review: bool) -> None:
    payments: list[Record] = list(payments_of(next(payment_batches(4000, seed=3))))
    _check_batches(payments, None, batches, seed, datetime(2024, 7, 1, tzinfo=UTC), review)


def test_a_run_with_nothing_new_changes_nothing(world: World) -> None:
    incremental, _ = _pair(world, world.end)
    add_batch(incremental.store, world.records())
    first = incremental.run()
    result_ids = incremental.current()
    assert incremental.run() == first
    assert incremental.current() == result_ids
    assert case_view(incremental.store.cases()[0]) == first[0]
