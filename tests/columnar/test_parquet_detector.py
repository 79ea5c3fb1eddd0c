"""The payment typologies and the typology score give the same signals from Parquet parts as from
Payment objects."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from vigil.columnar.store import ColumnarRecords
from vigil.demo.world import generate_world
from vigil.model import Signal
from vigil.payments.detector import PaymentTypologyDetector
from vigil.payments.score_detector import TypologyScoreDetector
from vigil.plugin import DetectionContext
from vigil.records import Payment, RecordKind
from vigil.store.memory import MemoryStore
from vigil.testing.scale_payments import payment_batches, payments_of

Detectors = type[PaymentTypologyDetector] | type[TypologyScoreDetector]


def _by_object_path(payments: list[Payment],
                    detector: Detectors = PaymentTypologyDetector) -> list[Signal]:
    context = DetectionContext(banks=MemoryStore(), now=datetime(2030, 1, 1, tzinfo=UTC))
    return sorted(detector().detect(payments, context), key=lambda s: s.id)


def _by_parquet_path(payments: list[Payment], root: Path, chunk: int,
                     detector: Detectors = PaymentTypologyDetector) -> list[Signal]:
    store = ColumnarRecords(root)
    for start in range(0, len(payments), chunk):
        store.add_records(payments[start:start + chunk])
    parts = store.parts(RecordKind.PAYMENT)
    assert len(parts) == -(-len(payments) // chunk)
    return sorted(detector().detect_parquet(parts), key=lambda s: s.id)


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


def test_demo_world_payments_give_identical_scores(tmp_path: Path) -> None:
    payments = list(generate_world(seed=7, scale=0.5).payments)
    expected = _by_object_path(payments, TypologyScoreDetector)
    assert any(s.evidence["flagged"] for s in expected), "the demo world has flagged buyers"
    assert _by_parquet_path(payments, tmp_path, 700, TypologyScoreDetector) == expected


def test_generated_payments_give_identical_scores(tmp_path: Path) -> None:
    payments = payments_of(next(payment_batches(6000, seed=5)))
    expected = _by_object_path(payments, TypologyScoreDetector)
    assert len(expected) > 10
    assert _by_parquet_path(payments, tmp_path, 2500, TypologyScoreDetector) == expected


def test_no_parts_no_signals() -> None:
    assert PaymentTypologyDetector().detect_parquet([]) == []
    assert TypologyScoreDetector().detect_parquet([]) == []


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


@pytest.mark.parametrize("detector", [PaymentTypologyDetector, TypologyScoreDetector])
def test_keyed_detection_is_the_full_detection_in_the_keys_scopes(
        tmp_path: Path, detector: Detectors) -> None:
    """Keys of every kind give exactly the full run's signals whose scopes the keys name: none
    of another account's findings the keys' history holds (dropped in SQL before they come
    back) and none of the keys' own missing."""
    from vigil.payments.partition_keys import scopes_of

    payments = payments_of(next(payment_batches(6000, seed=5)))
    store = ColumnarRecords(tmp_path)
    store.add_records(payments)
    parts = store.parts(RecordKind.PAYMENT)
    few = payments[:60]
    keys = {"beneficiary": sorted({p.beneficiary for p in few}),
            "sender": sorted({p.sender for p in few}),
            "payer": sorted({p.sender for p in payments[60:200]})}
    whole = detector().detect_parquet_scoped(parts)
    keyed = detector().detect_parquet_scoped(parts, None, keys)
    wanted = scopes_of(keys)
    expected = sorted((scope, s.id) for scope, s in whole if scope in wanted)
    assert expected and len(expected) < len(whole)
    assert sorted((scope, s.id) for scope, s in keyed) == expected


def test_the_typology_pack_reads_what_each_rule_reads_from_parts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """R16's payee abroad outside the corridor and R14's listed account are in the one shared
    scan of the parts (it kept only the corridor's payments when every rule named it), and a
    rule that does not say what it reads gets every payment."""
    from tests.payments.helpers import pay
    from vigil.payments.pack_table import pack_rows_where
    from vigil.payments.rules import LowValueCorridor
    from vigil.payments.typology import load_typology_rules

    pack = load_typology_rules()
    listed = pack.rule("R14").model_copy(update={"parameters": pack.rule("R14").parameters
                                                 .model_copy(update={"listed_beneficiaries":
                                                                     ("bank:listed",)})})
    rules = pack.model_copy(update={"rules": tuple(listed if r.id == "R14" else r
                                                   for r in pack.rules)})
    payments = [pay(f"v{i}", i * 0.2, sender="bank:teen", beneficiary="opay:x",
                    beneficiary_country="NG", usd=usd) for i, usd in enumerate((100, 150, 200))]
    payments += [pay("l1", 1, sender="bank:u", beneficiary="bank:listed", sender_country="FR",
                     beneficiary_country="FR", usd=900)]
    payments += payments_of(next(payment_batches(1000, seed=5)))
    store = ColumnarRecords(tmp_path)
    store.add_records(payments)
    detector = PaymentTypologyDetector(rules=rules)
    context = DetectionContext(banks=MemoryStore())
    expected = sorted(detector.detect(payments, context), key=lambda s: s.id)
    assert {"R14", "R16"} <= {s.evidence["rule"] for s in expected}
    found = detector.detect_parquet(store.parts(RecordKind.PAYMENT))
    assert sorted(found, key=lambda s: s.id) == expected
    assert pack_rows_where(rules) is not None
    monkeypatch.setattr(LowValueCorridor, "corridor_only", False)  # says nothing of its rows
    assert pack_rows_where(rules) is None
