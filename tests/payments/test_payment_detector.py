from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.payments.helpers import pay, series
from vigil.engines import DuckDBEngine, EngineError
from vigil.identifiers import EntityKind
from vigil.model import EntityRef, Signal, SignalKind
from vigil.payments import PaymentTypologyDetector, load_rules
from vigil.payments.rules import R1_R5_PACK, PaymentRules
from vigil.plugin import DetectionContext
from vigil.records import Payment, RecordKind
from vigil.store.memory import MemoryStore

CONTEXT = DetectionContext(banks=MemoryStore(), now=datetime(2025, 1, 1, tzinfo=UTC))


def _detect(payments: list[Payment], **kwargs: Any) -> list[Signal]:
    return list(PaymentTypologyDetector(**kwargs).detect(payments, CONTEXT))


def _by_rule(signals: list[Signal]) -> dict[str, list[Signal]]:
    found: dict[str, list[Signal]] = {}
    for signal in signals:
        found.setdefault(signal.evidence["rule"], []).append(signal)
    return found


def _buyer() -> list[Payment]:
    """A prolific buyer: small, frequent, escalating payments to several unrelated receivers."""
    payments = []
    for i in range(24):
        day = i * 6 if i < 12 else 66 + (i - 12) * 2
        payments.append(pay(
            f"buy{i:02d}", day, sender="bank:buyer", sender_name="Tom Walker",
            sender_phone="+61 412 345 678", sender_email="Tom@Example.org",
            beneficiary=f"gcash:r{i % 4}", beneficiary_name=f"Girlie {'ABCD'[i % 4]}ngo",
            beneficiary_phone="+63 917 123 4567" if i % 4 == 0 else None,
            usd=12.0 if i < 12 else 30.0))
    return payments


def test_detector_declares_its_plugin_identity() -> None:
    assert PaymentTypologyDetector.name == "payments.typologies"
    assert PaymentTypologyDetector.consumes is RecordKind.PAYMENT


def test_a_prolific_escalating_buyer_fires_r1_to_r3_and_r5() -> None:
    assert set(_by_rule(_detect(_buyer(), rules=load_rules(R1_R5_PACK)))) == {
        "R1", "R2", "R3", "R5"}
    rules = _by_rule(_detect(_buyer()))
    # The default pack adds: round sums (R8), P2P wallets (R11), no beneficiary of his surname
    # (R12); no night payment (R7), no cover word (R6), no facilitator shape (R15).
    assert set(rules) == {"R1", "R2", "R3", "R5", "R8", "R11", "R12"}
    assert len(rules["R1"]) == 1  # one per sender, naming its four beneficiaries
    for signal in (s for group in rules.values() for s in group):
        assert signal.source == "payments.typologies" and signal.kind is SignalKind.PAYMENT
        assert 0 < signal.score <= load_rules().rule(signal.evidence["rule"]).weight


def test_signal_subjects_roles_and_evidence() -> None:
    (signal,) = _by_rule(_detect(_buyer()))["R2"]
    payer = EntityRef(EntityKind.PAYMENT_ACCOUNT, "bank:buyer")
    payees = {EntityRef(EntityKind.PAYMENT_ACCOUNT, f"gcash:r{i}") for i in range(4)}
    kyc = {EntityRef.of("phone", "+61412345678"), EntityRef.of("email", "tom@example.org"),
           EntityRef.of("phone", "+639171234567")}
    assert set(signal.subjects) == {payer} | payees | kyc
    assert signal.evidence["roles"] == {str(payer): "payer",
                                        **{str(p): "payee" for p in payees}}
    evidence = signal.evidence
    assert evidence["rule_name"] == load_rules().rule("R2").name
    assert "AIC T&I 634" in evidence["source"] and "AIC T&I 634" in signal.explanation
    assert evidence["txn_count"] == 24 and len(evidence["txn_ids"]) == 24
    assert evidence["stats"]["median_gap_days"] == 2.0
    assert signal.observed_at == max(p.sent_at for p in _buyer())
    assert "R2" in signal.explanation and "bank:buyer" in signal.explanation


def test_fan_in_roles_make_every_sender_a_payer() -> None:
    payments = [pay(f"i{i}", i, sender=f"bank:s{i}", sender_name=f"Buyer{i} N{i}",
                    beneficiary="gcash:hub", beneficiary_name="Rosa Dizon") for i in range(3)]
    (signal,) = _by_rule(_detect(payments))["R4"]
    roles = signal.evidence["roles"]
    assert roles == {"payment_account:gcash:hub": "payee",
                     **{f"payment_account:bank:s{i}": "payer" for i in range(3)}}
    assert "gcash:hub" in signal.explanation and "AUSTRAC case study" in signal.explanation


@pytest.mark.parametrize("pack, usd, expected_rules", [
    (R1_R5_PACK, 150.0, {"R1"}), (R1_R5_PACK, 300.0, set()),
    # The default pack adds its context rules: a round sum (R8) through a wallet (R11).
    (None, 150.0, {"R1", "R8", "R11"}), (None, 300.0, set())])
def test_family_remittance_fires_only_weak_rules(pack: str | None, usd: float,
                                                 expected_rules: set[str]) -> None:
    # Same surname, one beneficiary, monthly for two years: the benign traffic that is hard.
    family = series("fam", 24, 30.4, usd=usd, sender="bank:dad", sender_name="Mark Reyes",
                    beneficiary="gcash:mum", beneficiary_name="Liza Reyes")
    signals = _detect(family, rules=load_rules(pack))
    assert set(_by_rule(signals)) == expected_rules
    assert all(signal.score < 0.25 for signal in signals)


def test_r1_score_grows_with_count_and_saturates_below_its_weight() -> None:
    weight = load_rules().rule("R1").weight
    scores = [_detect(series("p", n, 40, usd=150.0))[0].score for n in (1, 5, 40)]
    assert scores == sorted(scores) and len(set(scores)) == 3
    assert scores[0] < 0.1 * weight and scores[-1] < weight


def test_signals_are_deterministic_across_runs_and_input_order() -> None:
    payments = _buyer() + series("fam", 12, 30, usd=150.0, sender="bank:dad")
    shuffled = payments[:]
    random.Random(7).shuffle(shuffled)
    first, second, third = (_detect(payments), _detect(payments), _detect(shuffled))
    assert [s.id for s in first] == [s.id for s in second]
    assert sorted(s.id for s in first) == sorted(s.id for s in third)


def test_txn_ids_are_capped_but_counted() -> None:
    (signal,) = _by_rule(_detect(series("p", 21, 3), max_txn_ids=5))["R2"]
    assert signal.evidence["txn_ids"] == [f"p{i:03d}" for i in range(5)]
    assert signal.evidence["txn_count"] == 21


def test_disabled_rules_do_not_run() -> None:
    data = load_rules().model_dump()
    for rule in data["rules"]:
        rule["enabled"] = rule["id"] == "R2"
    only_r2 = PaymentRules.model_validate(data)
    assert set(_by_rule(_detect(_buyer(), rules=only_r2))) == {"R2"}


class _RecordingEngine(DuckDBEngine):
    made: list[_RecordingEngine] = []

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[str] = []
        self.closed = False
        _RecordingEngine.made.append(self)

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        self.queries.append(sql)
        return super().query(sql, params)

    def close(self) -> None:
        self.closed = True
        super().close()


class _FailingEngine(_RecordingEngine):
    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        raise EngineError("failing", sql, RuntimeError("backend down"))


def test_engine_comes_from_the_factory_runs_each_rule_and_is_closed() -> None:
    _RecordingEngine.made.clear()
    _detect(_buyer(), engine_factory=_RecordingEngine)
    (engine,) = _RecordingEngine.made
    assert len(engine.queries) == len(load_rules().enabled()) == 13 and engine.closed


def test_no_payments_means_no_engine() -> None:
    _RecordingEngine.made.clear()
    assert _detect([], engine_factory=_RecordingEngine) == []
    assert _RecordingEngine.made == []


def test_engine_errors_surface_with_their_sql_and_the_engine_is_closed() -> None:
    _RecordingEngine.made.clear()
    with pytest.raises(EngineError) as caught:
        _detect(_buyer(), engine_factory=_FailingEngine)
    assert "FROM payments" in caught.value.sql
    assert _RecordingEngine.made[0].closed


def test_each_rule_reports_once_per_finding() -> None:
    counts = Counter(s.evidence["rule"] for s in _detect(_buyer()))
    assert counts == Counter({"R1": 1, "R2": 1, "R3": 1, "R5": 1, "R8": 1, "R11": 1, "R12": 1})
