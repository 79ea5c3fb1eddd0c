"""Incremental runs on every operational store, both record stores and both SQL engines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.engines import engine_named
from tests.incremental.helpers import Runner, add_bank, add_batch, split_batches
from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.demo.world import World, generate_world
from vigil.records import Record
from vigil.registry import load_registry
from vigil.settings import Settings
from vigil.store.interfaces import RecordStore, Store
from vigil.store.memory import MemoryStore
from vigil.store.open import open_store
from vigil.testing.scale_payments import payment_batches, payments_of

pytestmark = pytest.mark.heavy(seconds=115)

REGISTRY = load_registry()
R1_R5 = Path("payment_rules.yaml")
DEFAULT_PACK = Settings()
"""The default R1-R16 pack: every rule keyed (sender, beneficiary, or payer: R15), so both
payment detectors run incrementally."""


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(seed=11, scale=0.25)


@pytest.fixture
def opened(store_url: str) -> Iterator[Store]:
    store = open_store(store_url)
    yield store
    store.close()


def _records_of(store: Store, record_store: str, root: Path) -> RecordStore:
    return store if record_store == "sql" else SplitRecordStore(store, ColumnarRecords(root))


def _compare(incremental: Runner, records: list[Record], world: World | None,
             batches: int, reference_settings: Settings | None = None) -> list[dict[str, str]]:
    """Feed ``incremental`` and a memory store run in full (on DuckDB, with
    ``reference_settings``) the same batches; the cases and current signals agree after each.
    Returns how each incremental run's detectors ran."""
    reference = MemoryStore()
    if world is not None:
        add_bank(incremental.store, world)
        add_bank(reference, world)
    full = Runner(reference, reference, reference_settings or incremental.settings, REGISTRY,
                  True, incremental.as_of)
    modes = []
    for step, batch in enumerate(split_batches(records, batches, seed=5)):
        add_batch(incremental.records, batch)
        add_batch(reference, batch)
        assert incremental.run() == full.run(), f"cases differ after batch {step + 1}"
        assert incremental.current() == full.current()
        modes.append(incremental.store.audit_events()[-1].details["detectors"])
    return modes


@pytest.mark.parametrize("record_store", ["sql", "parquet"])
def test_every_store(opened: Store, record_store: str, world: World, tmp_path: Path) -> None:
    runner = Runner(opened, _records_of(opened, record_store, tmp_path / "records"),
                    DEFAULT_PACK, REGISTRY, False, world.end)
    modes = _compare(runner, world.records(), world, batches=3)
    assert set(modes[0].values()) == {"full"}
    assert all(set(mode.values()) == {"incremental"} for mode in modes[1:])


def test_parquet_payments_stay_in_parquet(tmp_path: Path) -> None:
    """Payments in Parquet parts are detected by SQL over the parts (never as objects)."""
    store = open_store(f"sqlite:///{tmp_path / 'vigil.db'}")
    records = _records_of(store, "parquet", tmp_path / "records")
    payments: list[Record] = list(payments_of(next(payment_batches(3000, seed=9))))
    settings = DEFAULT_PACK.model_copy(
        update={"detectors": "payments.typologies,payments.typology_score"})
    runner = Runner(store, records, settings, REGISTRY, False, datetime(2024, 7, 1, tzinfo=UTC))
    modes = _compare(runner, payments, None, batches=4)
    for name in ("payments.typologies", "payments.typology_score"):
        assert [m[name] for m in modes] == ["full"] + ["incremental"] * 3
    store.close()


@pytest.mark.spark
def test_spark_engine(tmp_path: Path) -> None:
    """Incremental on Spark (local) gives what full runs on DuckDB give."""
    engine_named("spark").close()  # skips (or fails under VIGIL_REQUIRE_SPARK=1) without Spark
    store = open_store(f"sqlite:///{tmp_path / 'vigil.db'}")
    payments: list[Record] = list(payments_of(next(payment_batches(600, seed=4))))
    settings = Settings(payment_rules=R1_R5, engine="spark", detectors="payments.typologies")
    runner = Runner(store, store, settings, REGISTRY, False, datetime(2024, 7, 1, tzinfo=UTC))
    modes = _compare(runner, payments, None, batches=2,
                     reference_settings=Settings(payment_rules=R1_R5,
                                                 detectors="payments.typologies"))
    assert modes[1] == {"payments.typologies": "incremental"}
    store.close()
