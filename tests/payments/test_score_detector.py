"""The typology score as signals, and how triage ranks payment cases by it."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.payments.helpers import pay
from vigil.engines import DuckDBEngine
from vigil.identifiers import EntityKind
from vigil.linking import LinkedGroup
from vigil.model import EntityRef, JSONValue, Signal, SignalKind
from vigil.payments.payment_table import payment_columns
from vigil.payments.score_detector import SCORE_SOURCE, TypologyScoreDetector
from vigil.payments.typology import TypologyConfig, score_accounts
from vigil.plugin import DetectionContext
from vigil.records import Payment
from vigil.registry import load_registry
from vigil.runs import run
from vigil.settings import Settings
from vigil.store.memory import MemoryStore
from vigil.triage import indicators, load_triage_config, score_strongest

BUYER = EntityRef(EntityKind.PAYMENT_ACCOUNT, "bank:buyer")
FAMILY = EntityRef(EntityKind.PAYMENT_ACCOUNT, "bank:family")
AT = datetime(2024, 6, 1, tzinfo=UTC)


def _buyer() -> list[Payment]:
    """Small growing payments at irregular gaps to four payees of other surnames, at night."""
    return [pay(f"b{i:03d}", i * 3 + (i * i % 5) * 0.5 + 0.6, sender="bank:buyer",
                usd=15.0 + i, beneficiary=f"gcash:f{i % 4}", sender_name="Sam Smith",
                beneficiary_name=f"Ana Cruz{i % 4}", reference="gift") for i in range(30)]


def _family() -> list[Payment]:
    """A monthly allowance to one relative of the same surname, growing."""
    return [pay(f"k{i:03d}", i * 30, sender="bank:family", usd=100.0 + 5 * i,
                beneficiary="gcash:mum", sender_name="Jo Reyes", beneficiary_name="Maria Reyes",
                reference="family support") for i in range(12)]


def test_one_signal_per_scored_account_carries_its_typology_score() -> None:
    payments = _buyer() + _family()
    signals = list(TypologyScoreDetector().detect(payments, DetectionContext(MemoryStore())))
    with DuckDBEngine() as engine:
        engine.register_table("payments", payment_columns(payments))
        expected = {s.account: s for s in score_accounts(
            engine, config=TypologyConfig(with_features=False))}
    by_account = {s.subjects[0].value: s for s in signals}
    assert set(by_account) == set(expected) == {"bank:buyer", "bank:family"}
    for account, signal in by_account.items():
        assert signal.source == SCORE_SOURCE and signal.kind is SignalKind.PAYMENT
        assert len(signal.subjects) == 1 and signal.score == round(expected[account].score, 6)
        assert signal.evidence["flagged"] is expected[account].flagged
    assert by_account["bank:buyer"].evidence["flagged"] is True
    assert by_account["bank:family"].score < 0.1  # its kin discount
    assert by_account["bank:family"].observed_at == max(p.sent_at for p in _family())


def _rule(payer: EntityRef, rule: str, score: float) -> Signal:
    roles: dict[str, JSONValue] = {str(payer): "payer"}
    return Signal("payments.typologies", SignalKind.PAYMENT, (payer,), score, AT,
                  {"rule": rule, "roles": roles}, f"{rule} fired", "1")


def _score(payer: EntityRef, score: float, flagged: bool, rules: list[str]) -> Signal:
    evidence: dict[str, JSONValue] = {
        "typology": "buyer", "score": score, "flagged": flagged,
        "rules": [{"id": rule} for rule in rules], "roles": {str(payer): "payer"}}
    return Signal(SCORE_SOURCE, SignalKind.PAYMENT, (payer,), score, AT, evidence, "score", "1")


def test_triage_reads_escalation_and_strength_through_the_score() -> None:
    config = load_triage_config()
    escalation = _rule(FAMILY, "R5", 0.6)
    alone = LinkedGroup((escalation,), (FAMILY,), ())
    assert "escalation" in indicators(alone.signals, config)
    assert score_strongest(alone, config, AT).value == 0.6
    benign = LinkedGroup((escalation, _score(FAMILY, 0.05, False, ["R5"])), (FAMILY,), ())
    assert indicators(benign.signals, config) == {}
    assert score_strongest(benign, config, AT).value == 0.05
    flagged = LinkedGroup((_rule(BUYER, "R5", 0.6), _score(BUYER, 0.7, True, ["R5", "R3"])),
                          (BUYER,), ())
    found = indicators(flagged.signals, config)
    assert set(found) == {"buyer_typology"} and "escalated" in found["buyer_typology"]
    assert score_strongest(flagged, config, AT).value == 0.7


def test_the_buyer_case_ranks_above_the_family_case() -> None:
    store = MemoryStore()
    store.add_records([*_buyer(), *_family()])
    run(store, Settings(), load_registry())
    cases = {a.value: c for c in store.cases()
             for a in c.entities_of(EntityKind.PAYMENT_ACCOUNT)}
    assert cases["bank:buyer"].priority > cases["bank:family"].priority
    reasons = {r.component: r.text for r in cases["bank:buyer"].reasons}
    assert "buyer typology" in reasons["indicators"]
