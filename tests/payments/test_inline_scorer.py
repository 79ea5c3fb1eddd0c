"""The inline scorer agrees with the batch detector on the same payments, in any order of arrival,
for every rule it supports; the rules it does not support are listed as batch-only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.payments.helpers import T0, pay
from vigil.payments.account_score import score_accounts
from vigil.payments.detector import PaymentTypologyDetector
from vigil.payments.inline import InlineScorer
from vigil.payments.rules import R1_R5_PACK, PaymentRules, load_rules
from vigil.plugin import DetectionContext
from vigil.records import Payment
from vigil.store.memory import MemoryStore

PACK = load_rules()
# Amounts on both sides of every threshold of the shipped pack (R1 US$200, R2 under US$36) and a
# few that grow, so that R5's halves differ.
AMOUNTS = st.one_of(st.sampled_from([5.0, 20.0, 35.99, 36.0, 50.0, 120.5, 200.0, 200.01, 900.0]),
                    st.floats(1.0, 40.0).map(lambda v: round(v, 2)),
                    st.floats(1.0, 400.0).map(lambda v: round(v, 2)))
GAPS_S = st.one_of(st.sampled_from([0, 3600, 86400, 3 * 86400, 20 * 86400]),
                   st.integers(0, 5 * 86400), st.integers(0, 40 * 86400))


NAMES = st.sampled_from([None, "", "  ", "Ana Cruz", "Ben Cruz", "Lee  Reyes ", "Reyes", "Kim Tan"])


@st.composite
def payment_sequences(draw: st.DrawFn) -> list[Payment]:
    """Payments of a few senders to a few beneficiaries across and outside the corridor."""
    count = draw(st.integers(1, 60))
    at, payments = T0, []
    for i in range(count):
        at += timedelta(seconds=draw(GAPS_S))
        payments.append(pay(
            f"t{i:03d}", sender=draw(st.sampled_from(["bank:a", "bank:a", "bank:b", "bank:c"])),
            beneficiary=draw(st.sampled_from(["gcash:x", "gcash:y", "gcash:z"])),
            usd=draw(AMOUNTS), sender_country=draw(st.sampled_from(["AU", "AU", "US", "PH"])),
            beneficiary_country=draw(st.sampled_from(["PH", "PH", "TH", "AU"])),
            sender_type=draw(st.sampled_from(["individual", "individual", "business"])),
            sender_phone=draw(st.sampled_from([None, "+61400000001"])),
            sender_name=draw(NAMES), beneficiary_name=draw(NAMES),
        ).model_copy(update={"sent_at": at}))
    return payments


def _supported_pack(pack: PaymentRules, ids: tuple[str, ...]) -> PaymentRules:
    return pack.model_copy(update={"rules": tuple(r for r in pack.rules if r.id in ids)})


def _low_thresholds(pack: PaymentRules) -> PaymentRules:
    """Thresholds small sequences can reach (the shipped R2 needs 21 payments, R3 and R4 three
    parties in 30 days)."""
    data = pack.model_dump(mode="json")
    for rule in data["rules"]:
        if rule["id"] == "R2":
            rule["parameters"]["min_payments_exclusive"] = 3
        if rule["id"] == "R5":
            rule["parameters"]["min_amount_ratio"] = 1.1
            rule["parameters"]["min_gap_shrink"] = 1.1
        if rule["id"] == "R3":
            rule["parameters"]["min_beneficiaries"] = 2
        if rule["id"] == "R4":
            rule["parameters"]["min_senders"] = 2
    from vigil.payments.rules import parse_rules
    return parse_rules(data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payments=payment_sequences(), order=st.randoms(use_true_random=False),
       low=st.booleans())
def test_inline_agrees_with_batch_in_any_order(payments: list[Payment], order: object,
                                               low: bool) -> None:
    pack = _low_thresholds(PACK) if low else PACK
    scorer = InlineScorer(pack)
    arrival = list(payments)
    order.shuffle(arrival)  # type: ignore[attr-defined]
    for payment in arrival:
        scorer.score(payment)
    supported = _supported_pack(pack, scorer.supported)
    batch = list(PaymentTypologyDetector(supported).detect(
        payments, DetectionContext(banks=MemoryStore())))
    for rule_id in sorted({str(s.evidence["rule"]) for s in batch}):
        event(f"{rule_id} fired")
    assert [s.id for s in scorer.signals()] == sorted(s.id for s in batch)
    assert scorer.accounts() == score_accounts(batch, supported)


def test_the_rules_without_an_incremental_form_are_listed_as_batch_only() -> None:
    scorer = InlineScorer()  # the default pack, R1-R16: R6-R16 have no incremental form yet
    assert scorer.supported == ("R1", "R2", "R3", "R4", "R5")
    assert scorer.batch_only == ("R6", "R7", "R8", "R11", "R12", "R14", "R15", "R16")
    assert InlineScorer(load_rules(R1_R5_PACK)).batch_only == ()
    data = load_rules(R1_R5_PACK).model_dump(mode="json")
    assert InlineScorer(_with_batch_only_rule(data)).batch_only == ("R1",)


def _with_batch_only_rule(data: dict[str, Any]) -> PaymentRules:
    """The shipped pack with R1 looked up as a rule class that declares no incremental form."""
    from vigil.payments.rules import PAYMENT_RULES, LowValueCorridor, parse_rules

    class BatchOnlyR1(LowValueCorridor):
        incremental = None  # type: ignore[assignment]

    return parse_rules(data, {**PAYMENT_RULES, "R1": BatchOnlyR1})


def test_each_payment_answers_with_what_it_changed() -> None:
    scorer = InlineScorer(_low_thresholds(PACK))
    first = scorer.score(pay("p0", 0, usd=10.0))
    assert [s.evidence["rule"] for s in first.signals] == ["R1"] and not first.alerts
    results = [scorer.score(pay(f"p{i}", i, usd=10.0)) for i in range(1, 8)]
    assert results[-1].alerts and results[-1].alerts[0].account == "payment_account:bank:s1"
    assert {h.id for h in results[-1].alerts[0].rules} == {"R1", "R2"}
    assert scorer.score(pay("p4", 4, usd=10.0)).signals == ()  # seen before
    outside = scorer.score(pay("q0", 9, usd=10.0, beneficiary_country="GB"))
    assert outside.signals == () and outside.accounts == ()


def test_a_prolific_escalating_buyer_scores_the_same_inline_and_in_batch() -> None:
    """The shipped pack: 30 payments, growing from US$5 and closer together, in reverse order."""
    day, payments = 0.0, []
    for i in range(30):
        day += 10.0 if i < 15 else 2.0
        payments.append(pay(f"e{i:02d}", day, usd=5.0 + i))
    scorer = InlineScorer()
    for payment in reversed(payments):
        scorer.score(payment)
    batch = list(PaymentTypologyDetector(_supported_pack(PACK, scorer.supported)).detect(
        payments, DetectionContext(banks=MemoryStore())))
    assert sorted(str(s.evidence["rule"]) for s in batch) == ["R1", "R2", "R5"]
    assert [s.id for s in scorer.signals()] == sorted(s.id for s in batch)
    assert scorer.accounts()[0].flagged
