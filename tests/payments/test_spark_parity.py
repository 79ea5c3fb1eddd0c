"""Spark local gives the same payment signals and cases as DuckDB (``VIGIL_ENGINE=spark``).

Whole runs (detect, link, triage) on the demo world and on a small generated payments world,
once per engine, compared signal for signal (ids hash the rule, the figures and the subjects)
and case for case. Kept small: each Spark query is a job, and CI runs these.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.engines import engine_named
from vigil.demo.files import write_world
from vigil.demo.run import load_world
from vigil.demo.world import generate_world
from vigil.registry import load_registry
from vigil.runs import run
from vigil.settings import Settings
from vigil.store.interfaces import Store
from vigil.store.memory import MemoryStore
from vigil.testing.scale_payments import payment_batch, payments_of

pytestmark = pytest.mark.spark

Outcome = tuple[list[str], list[tuple[tuple[str, ...], float, tuple[str, ...]]]]


@pytest.fixture(scope="module", autouse=True)
def _spark() -> None:
    engine_named("spark").close()  # skips (or fails under VIGIL_REQUIRE_SPARK=1) without Spark


def _outcome(store: Store) -> Outcome:
    signals = sorted(signal.id for signal in store.signals())
    cases = sorted((tuple(sorted(str(e) for e in case.entities)), round(case.priority, 9),
                    tuple(sorted(s.id for s in case.signals))) for case in store.cases())
    return signals, cases


def _payments_run(engine: str) -> Outcome:
    rng = np.random.default_rng(5)
    store = MemoryStore()
    store.add_records(payments_of(payment_batch(rng, 0, 1_500, 1_500)))
    run(store, Settings(engine=engine), load_registry())
    return _outcome(store)


def test_a_generated_payments_world_gives_the_same_signals_and_cases() -> None:
    duckdb, spark = _payments_run("duckdb"), _payments_run("spark")
    assert len(duckdb[0]) > 30 and len(duckdb[1]) > 5
    assert spark == duckdb


def test_the_demo_world_gives_the_same_signals_and_cases(tmp_path: Path) -> None:
    world = generate_world(7)
    files = write_world(world, tmp_path)
    outcomes = {}
    for engine in ("duckdb", "spark"):
        store = MemoryStore()
        load_world(store, files, load_registry())
        run(store, Settings(engine=engine), load_registry(), as_of=world.end)
        outcomes[engine] = _outcome(store)
    assert len(outcomes["duckdb"][1]) >= 5
    assert outcomes["spark"] == outcomes["duckdb"]
