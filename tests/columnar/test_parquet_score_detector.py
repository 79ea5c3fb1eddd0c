"""The typology score gives the same signals from Parquet parts as from Payment objects."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from vigil.columnar.store import ColumnarRecords
from vigil.demo.world import generate_world
from vigil.model import Signal
from vigil.payments.score_detector import TypologyScoreDetector
from vigil.plugin import DetectionContext
from vigil.records import Payment, RecordKind
from vigil.store.memory import MemoryStore
from vigil.testing.scale_payments import payment_batches, payments_of


def _by_object_path(payments: list[Payment]) -> list[Signal]:
    context = DetectionContext(banks=MemoryStore(), now=datetime(2030, 1, 1, tzinfo=UTC))
    return sorted(TypologyScoreDetector().detect(payments, context), key=lambda s: s.id)


def _by_parquet_path(payments: list[Payment], root: Path, chunk: int) -> list[Signal]:
    store = ColumnarRecords(root)
    for start in range(0, len(payments), chunk):
        store.add_records(payments[start:start + chunk])
    parts = store.parts(RecordKind.PAYMENT)
    return sorted(TypologyScoreDetector().detect_parquet(parts), key=lambda s: s.id)


def test_demo_world_payments_give_identical_scores(tmp_path: Path) -> None:
    payments = list(generate_world(seed=7, scale=0.5).payments)
    expected = _by_object_path(payments)
    assert any(s.evidence["flagged"] for s in expected), "the demo world has flagged buyers"
    assert _by_parquet_path(payments, tmp_path, chunk=700) == expected


def test_generated_payments_give_identical_scores(tmp_path: Path) -> None:
    payments = payments_of(next(payment_batches(6000, seed=5)))
    expected = _by_object_path(payments)
    assert len(expected) > 10
    assert _by_parquet_path(payments, tmp_path, chunk=2500) == expected


def test_no_parts_no_scores() -> None:
    assert TypologyScoreDetector().detect_parquet([]) == []
