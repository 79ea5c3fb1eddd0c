"""A new payment to a beneficiary changes the R15 finding and the typology score of its other
senders: an incremental run recomputes their ``payer`` partitions and leaves what a full run
leaves, on both record stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.incremental.helpers import add_batch, record_store_pair
from tests.payments.helpers import pay
from vigil.checkpoints import CurrentSignal
from vigil.incremental.detect import fingerprint
from vigil.payments.partition_keys import history_of, keys_of_payments
from vigil.payments.rules import load_rules
from vigil.payments.score_detector import TypologyScoreDetector
from vigil.payments.typology_score import TypologyConfig
from vigil.records import Payment, Record
from vigil.settings import Settings
from vigil.store.memory import MemoryStore

SETTINGS = Settings(detectors="payments.typologies,payments.typology_score")
HUB = "gcash:hub"


def _to(beneficiary: str, txn: str, day: float, sender: str, surname: str) -> Payment:
    return pay(txn, day, sender=sender, sender_name=f"Al {surname}", beneficiary=beneficiary,
               beneficiary_name="Liza Ramos")


def _batches() -> list[list[Record]]:
    """``bank:a`` pays the hub (alone there: not facilitator-like) and ``gcash:x`` (with
    ``bank:c``: facilitator-like, so R15 fires for ``bank:a``); then ``bank:b`` and ``bank:d``
    pay the hub (now facilitator-like with 3 unrelated senders: ``bank:a``'s R15 finding and
    score change though ``bank:a`` sent nothing new, and its recomputation needs ``bank:c``'s
    payment to ``gcash:x``); then 60 more senders pay the hub (over R15's ``max_senders``: it
    counts no more, and ``bank:a``'s finding is the first one again)."""
    first: list[Record] = [_to(HUB, f"a{i}", i * 3, "bank:a", "Smith") for i in range(4)]
    first += [_to("gcash:x", "ax", 1, "bank:a", "Smith"),
              _to("gcash:x", "cx", 2, "bank:c", "Brown")]
    first += [pay(f"o{i}", i * 5, sender="bank:o", beneficiary="gcash:other") for i in range(3)]
    second: list[Record] = [_to(HUB, "b0", 20, "bank:b", "Jones"),
                            _to(HUB, "d0", 21, "bank:d", "Lee")]
    third: list[Record] = [_to(HUB, f"m{i}", 30 + i * 0.1, f"bank:m{i}", f"Name{i}")
                           for i in range(60)]
    return [first, second, third]


def _about(current: list[CurrentSignal], account: str) -> dict[str, tuple[str, float, str]]:
    """``source/rule -> (scope, score, id)`` of the current signals about ``account``."""
    found = {}
    for entry in current:
        signal = entry.signal
        if any(ref.value == account for ref in signal.subjects):
            name = f"{signal.source}/{signal.evidence.get('rule', '')}"
            found[name] = (entry.scope, signal.score, signal.id)
    return found


@pytest.mark.parametrize("record_store", ["sql", "parquet"])
def test_a_new_payment_to_a_hub_rescores_its_other_senders(record_store: str,
                                                           tmp_path: Path) -> None:
    incremental, full, records = record_store_pair(record_store, tmp_path / "records")
    incremental_store, full_store = incremental.store, full.store
    seen = []
    for batch in _batches():
        add_batch(records, batch)
        add_batch(full_store, batch)
        assert incremental.run() == full.run()
        assert incremental.current() == full.current()
        modes = incremental_store.audit_events()[-1].details["detectors"]
        seen.append(_about(incremental_store.current_signals(), "bank:a"))
    assert set(modes.values()) == {"incremental"}
    r15, score = "payments.typologies/R15", "payments.typology_score/"
    assert {seen[1][r15][0], seen[1][score][0]} == {"payer:bank:a"}
    assert seen[1][r15][1] > seen[0][r15][1] and seen[1][score][1] > seen[0][score][1]
    assert seen[2][r15] == seen[0][r15] and seen[2][score] == seen[0][score]


def test_payer_keys_reach_every_sender_of_the_new_payments_beneficiaries() -> None:
    first, second, _ = _batches()
    stored = [r for r in [*first, *second] if isinstance(r, Payment)]
    arrived = [r for r in second if isinstance(r, Payment)]
    keys = keys_of_payments(stored, arrived, ("payer", "sender"))
    assert keys == {"payer": ["bank:a", "bank:b", "bank:d"], "sender": ["bank:b", "bank:d"]}
    assert {p.txn_id for p in history_of(stored, {"payer": ["bank:a"]})} == {
        "a0", "a1", "a2", "a3", "b0", "d0", "ax", "cx"}
    assert {p.txn_id for p in history_of(stored, {"sender": ["bank:b"]})} == {"b0"}


def test_the_score_detectors_fingerprint_follows_its_pack_and_configuration() -> None:
    """The score runs incrementally now, so a checkpoint taken under another pack or another
    configuration must not be continued."""
    banks = MemoryStore()
    default, small = load_rules(), load_rules(Path("payment_rules.yaml"))
    prints = {fingerprint(detector, "same settings", banks) for detector in (
        TypologyScoreDetector(rules=default), TypologyScoreDetector(rules=small),
        TypologyScoreDetector(rules=default, config=TypologyConfig(benign_weight=0.5)))}
    assert len(prints) == 3
