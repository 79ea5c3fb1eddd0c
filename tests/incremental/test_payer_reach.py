"""Payer keys only through beneficiaries whose R15 profile changed: an incremental run still
leaves what a full run leaves when new payments flip a beneficiary into or out of
facilitator-like, raise its count of unrelated senders below and past R15's saturation, give it
an organisation's name, or change none of it (both detectors, both record stores); and the keys
it recomputes are those the profile names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.incremental.helpers import REGISTRY, Runner, add_batch, record_store_pair
from tests.payments.helpers import pay
from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.payments.detector import PaymentTypologyDetector
from vigil.payments.partition_keys import keys_of_payments
from vigil.payments.rules import load_rules
from vigil.payments.rules.r15_facilitator_profile import FacilitatorProfile
from vigil.payments.score_detector import TypologyScoreDetector
from vigil.payments.typology_score import TypologyConfig
from vigil.records import Payment
from vigil.settings import Settings
from vigil.store.memory import MemoryStore

SETTINGS = Settings(detectors="payments.typologies,payments.typology_score")
HUB, OTHER = "gcash:hub", "gcash:x"
SATURATION = 8  # the shipped pack's saturation_senders


def _to(txn: str, day: float, sender: str, surname: str, beneficiary: str = HUB,
        name: str = "Liza Ramos", usd: float = 30.0, country: str = "AU") -> Payment:
    return pay(txn, day, sender=sender, sender_name=f"Al {surname}", beneficiary=beneficiary,
               beneficiary_name=name, usd=usd, sender_country=country)


def _many(prefix: str, day: float, count: int, first: int = 0) -> list[Payment]:
    return [_to(f"{prefix}{i}", day + i * 0.01, f"bank:{prefix}{i}", f"Name{prefix}{i}")
            for i in range(first, first + count)]


# Each batch, and the stored payers its new payments must reach besides their own senders.
BATCHES: list[tuple[str, list[Payment], set[str]]] = [
    ("first", [_to("a0", 0, "bank:a", "Smith"), _to("a1", 3, "bank:a", "Smith"),
               _to("ax", 1, "bank:a", "Smith", OTHER), _to("cx", 2, "bank:c", "Brown", OTHER)],
     set()),
    ("flips in", [_to("b0", 10, "bank:b", "Jones")], {"bank:a"}),
    ("raises below the cap", [_to("d0", 11, "bank:d", "Lee")], {"bank:a", "bank:b"}),
    ("a related sender", [_to("r0", 12, "bank:r", "Ramos")], set()),
    ("a large and a domestic payment", [_to("l0", 13, "bank:l", "Wong", usd=900.0),
                                        _to("h0", 13.5, "bank:h", "Diaz", country="PH")], set()),
    ("raises to the cap", _many("m", 14, SATURATION - 3),
     {"bank:a", "bank:b", "bank:d", "bank:r", "bank:l", "bank:h"}),
    ("raises past the cap", _many("p", 15, 4), set()),
    ("an organisation's name", [_to("o0", 16, "bank:o", "King", name="Ramos Foundation")],
     {"bank:a", "bank:b", "bank:d", "bank:r", "bank:l", "bank:h"}
     | {f"bank:m{i}" for i in range(SATURATION - 3)} | {f"bank:p{i}" for i in range(4)}),
]
"""``bank:a`` pays the hub alone (not facilitator-like) and ``gcash:x`` with ``bank:c``; then
the hub gains unrelated senders, a related one (its surname), payments R15 does not read,
senders up to and past the saturation, and last an organisation's name (out for good). In
memory every stored sender of a changed beneficiary is reached, through any payment."""


def _stored_payers(batch: int) -> set[str]:
    return {p.sender for _, payments, _ in BATCHES[:batch] for p in payments}


@pytest.mark.parametrize("record_store", ["sql", "parquet"])
def test_incremental_equals_full_through_every_profile_change(record_store: str,
                                                              tmp_path: Path) -> None:
    incremental, full, records = record_store_pair(record_store, tmp_path / "records")
    incremental_store, full_store = incremental.store, full.store
    for _, batch, _ in BATCHES:
        add_batch(records, batch)
        add_batch(full_store, batch)
        assert incremental.run() == full.run()
        assert incremental.current() == full.current()
    modes = incremental_store.audit_events()[-1].details["detectors"]
    assert set(modes.values()) == {"incremental"}


@pytest.mark.parametrize("detector", [PaymentTypologyDetector(), TypologyScoreDetector()])
def test_payer_keys_are_the_senders_of_changed_beneficiaries(
        detector: PaymentTypologyDetector | TypologyScoreDetector) -> None:
    profiles = detector.beneficiary_profiles()
    assert profiles is not None
    stored: list[Payment] = []
    for step, (name, batch, reached) in enumerate(BATCHES):
        stored += batch
        keys = keys_of_payments(stored, batch, ("payer",), profiles)
        old = keys_of_payments(stored, batch, ("payer",))
        own = {p.sender for p in batch}
        assert set(keys["payer"]) == own | (reached & _stored_payers(step)), name
        assert set(keys["payer"]) <= set(old["payer"]), name


def test_a_scored_beneficiary_rule_or_a_rule_without_profile_keeps_every_sender(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert TypologyScoreDetector(config=TypologyConfig(
        buyer_rules=("R4", "R15"))).beneficiary_profiles() is None
    monkeypatch.setattr(FacilitatorProfile, "beneficiary_profile_sql", lambda self, p: None)
    assert PaymentTypologyDetector().beneficiary_profiles() is None
    assert TypologyScoreDetector().beneficiary_profiles() is None


def test_a_profile_that_never_changes_breaks_the_equality(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    """The tests above can fail: a profile that says no beneficiary changes (the same row for
    every one) leaves the stored payers of the hub stale."""
    monkeypatch.setattr(FacilitatorProfile, "beneficiary_profile_sql",
                        lambda self, p: "SELECT DISTINCT beneficiary, 1 AS profile FROM payments")
    incremental_store, full_store = MemoryStore(), MemoryStore()
    records = SplitRecordStore(incremental_store, ColumnarRecords(tmp_path / "records"))
    incremental = Runner(incremental_store, records, SETTINGS, REGISTRY, False, None)
    full = Runner(full_store, full_store, SETTINGS, REGISTRY, True, None)
    differ = []
    for _, batch, _ in BATCHES[:3]:
        add_batch(records, batch)
        add_batch(full_store, batch)
        incremental.run()
        full.run()
        differ.append(incremental.current() != full.current())
    assert differ == [False, True, True]


def test_the_shipped_pack_saturates_r15() -> None:
    params = next(r.parameters for r in load_rules().rules if r.id == "R15")
    assert getattr(params, "saturation_senders", None) == SATURATION
