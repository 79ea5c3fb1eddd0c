"""The payment typologies give the same signals from Parquet parts as from Payment objects."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from vigil.columnar.store import ColumnarRecords
from vigil.demo.world import generate_world
from vigil.model import Signal
from vigil.payments.detector import PaymentTypologyDetector
from vigil.plugin import DetectionContext
from vigil.records import Payment, RecordKind
from vigil.store.memory import MemoryStore
from vigil.testing.scale_payments import payment_batches, payments_of


def _by_object_path(payments: list[Payment]) -> list[Signal]:
    context = DetectionContext(banks=MemoryStore(), now=datetime(2030, 1, 1, tzinfo=UTC))
    return sorted(PaymentTypologyDetector().detect(payments, context), key=lambda s: s.id)


def _by_parquet_path(payments: list[Payment], root: Path, chunk: int) -> list[Signal]:
    store = ColumnarRecords(root)
    for start in range(0, len(payments), chunk):
        store.add_records(payments[start:start + chunk])
    parts = store.parts(RecordKind.PAYMENT)
    assert len(parts) == -(-len(payments) // chunk)
    return sorted(PaymentTypologyDetector().detect_parquet(parts), key=lambda s: s.id)


def test_demo_world_payments_give_identical_signals(tmp_path: Path) -> None:
    payments = list(generate_world(seed=7, scale=0.5).payments)
    expected = _by_object_path(payments)
    assert expected, "the demo world should fire payment rules"
    assert _by_parquet_path(payments, tmp_path, chunk=700) == expected


def test_generated_payments_give_identical_signals(tmp_path: Path) -> None:
    payments = payments_of(next(payment_batches(6000, seed=5)))
    expected = _by_object_path(payments)
    assert {s.evidence["rule"] for s in expected} >= {"R1", "R3", "R4", "R5"}
    assert any(ref.kind.value in {"phone", "email"} for s in expected for ref in s.subjects)
    assert _by_parquet_path(payments, tmp_path, chunk=2500) == expected


def test_no_parts_no_signals() -> None:
    assert PaymentTypologyDetector().detect_parquet([]) == []


def test_signals_come_a_batch_of_findings_at_a_time(tmp_path: Path) -> None:
    """Small batches give the same scoped signals as one, and no batch is larger than asked;
    keyed (incremental) runs too."""
    payments = payments_of(next(payment_batches(6000, seed=5)))
    store = ColumnarRecords(tmp_path)
    store.add_records(payments)
    parts = store.parts(RecordKind.PAYMENT)
    detector = PaymentTypologyDetector()
    whole = detector.detect_parquet_scoped(parts)
    batches = list(detector.detect_parquet_batches(parts, batch=37))
    assert len(batches) > len(whole) // 37
    assert max(len(b) for b in batches) <= 37
    assert sorted((s, x.id) for b in batches for s, x in b) == sorted((s, x.id) for s, x in whole)
    keys = {"beneficiary": sorted({p.beneficiary for p in payments[:40]}),
            "sender": sorted({p.sender for p in payments[:40]})}
    keyed = detector.detect_parquet_scoped(parts, None, keys)
    assert keyed
    small = [f for b in detector.detect_parquet_batches(parts, None, keys, batch=5) for f in b]
    assert sorted((s, x.id) for s, x in small) == sorted((s, x.id) for s, x in keyed)
