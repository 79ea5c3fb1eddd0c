"""Spark local gives the same payment signals and cases as DuckDB (``VIGIL_ENGINE=spark``).

One whole run (detect, link, triage) on the demo world at half scale, once per engine, compared
signal for signal (ids hash the rule, the figures and the subjects) and case for case. Half
scale is the smallest demo world where every payment rule (R1-R5) fires and payment signals
link with media, chat and report signals into cases; the run's five rule queries are each a
Spark job of seconds, so the world is generated, written and loaded once and the run is made
once per engine. (A payments-only world of 1,500 rows ran here too until 2026-11-30: the same
five queries on other rows; test_typology_spark_parity.py compares every rule's findings, the
benign shapes and the features account by account on a generated payment world.)
"""

from __future__ import annotations

from pathlib import Path

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

pytestmark = [pytest.mark.spark, pytest.mark.heavy(seconds=60)]

Outcome = tuple[list[str], list[tuple[tuple[str, ...], float, tuple[str, ...]]]]
PAYMENT_RULES = {"R1", "R2", "R3", "R4", "R5"}


def _outcome(store: Store) -> Outcome:
    signals = sorted(signal.id for signal in store.signals())
    cases = sorted((tuple(sorted(str(e) for e in case.entities)), round(case.priority, 9),
                    tuple(sorted(s.id for s in case.signals))) for case in store.cases())
    return signals, cases


def test_the_demo_world_gives_the_same_signals_and_cases(tmp_path: Path) -> None:
    engine_named("spark").close()  # skips (or fails under VIGIL_REQUIRE_SPARK=1) without Spark
    world = generate_world(7, scale=0.5)
    files = write_world(world, tmp_path)
    outcomes, rules_fired = {}, set()
    for engine in ("duckdb", "spark"):
        store = MemoryStore()
        load_world(store, files, load_registry())
        run(store, Settings(engine=engine), load_registry(), as_of=world.end)
        outcomes[engine] = _outcome(store)
        if engine == "duckdb":
            rules_fired = {s.evidence.get("rule") for s in store.signals()
                           if s.source == "payments.typologies"}
            mixed = [c for c in store.cases() if len({s.source for s in c.signals}) > 1]
            assert mixed, "no case links payment signals with other detectors' signals"
    assert PAYMENT_RULES <= rules_fired  # the default pack is R1-R16: R1-R5 fire among others
    assert len(outcomes["duckdb"][1]) >= 5
    assert outcomes["spark"] == outcomes["duckdb"]
