"""The inline scorer agrees with the batch path on the same payments, in any order of arrival:
the detector's signals for every rule of the R1-R16 pack, and the typology score's accounts,
scores, flags and benign figures; rules with no incremental form are listed as batch-only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.payments.helpers import T0, pay
from vigil.engines import DuckDBEngine
from vigil.payments.benign_sql import BenignShape
from vigil.payments.detector import PaymentTypologyDetector
from vigil.payments.inline import InlineScorer
from vigil.payments.payment_table import payment_columns
from vigil.payments.rules import PaymentRules, parse_rules
from vigil.payments.typology import TypologyConfig, load_typology_rules, score_accounts
from vigil.plugin import DetectionContext
from vigil.records import Payment
from vigil.store.memory import MemoryStore

PACK = load_typology_rules()
# Amounts on both sides of every threshold of the pack (US$200, under US$36, R16's first
# US$270), even and uneven sums, and a few that grow, so that R5's halves differ.
AMOUNTS = st.one_of(st.sampled_from([5.0, 20.0, 35.99, 36.0, 50.0, 120.5, 200.0, 200.01, 300.0,
                                     900.0]),
                    st.floats(1.0, 40.0).map(lambda v: round(v, 2)),
                    st.floats(1.0, 400.0).map(lambda v: round(v, 2)))
GAPS_S = st.one_of(st.sampled_from([0, 3600, 86400, 2 * 86400, 3 * 86400, 20 * 86400]),
                   st.integers(0, 5 * 86400), st.integers(0, 40 * 86400))
SENDER_NAMES = st.sampled_from([None, "  ", "Ana Cruz", "Ana Cruz", "Kim Tan", "Lee  Reyes "])
BENEFICIARY_NAMES = st.sampled_from([None, "", "Ben Cruz", "Reyes", "Maria Santos",
                                     "Maria Santos", "St Anne Parish"])
REFERENCES = st.sampled_from(["", "rent", "gift", "School Fees", "for @you", "birthday treat"])


@st.composite
def payment_sequences(draw: st.DrawFn) -> list[Payment]:
    """Payments of a few senders to a few beneficiaries across and outside the corridor."""
    count = draw(st.integers(1, 30))
    at, payments = T0, []
    for i in range(count):
        at += timedelta(seconds=draw(GAPS_S))
        payments.append(pay(
            f"t{i:03d}", sender=draw(st.sampled_from(["bank:a", "bank:a", "bank:b", "wise:c"])),
            beneficiary=draw(st.sampled_from(["gcash:x", "gcash:y", "gcash:z"])),
            usd=draw(AMOUNTS), sender_country=draw(st.sampled_from(["AU", "AU", "US", "PH"])),
            beneficiary_country=draw(st.sampled_from(["PH", "PH", "TH", "AU", "NG"])),
            sender_type=draw(st.sampled_from(["individual", "individual", "business"])),
            beneficiary_type=draw(st.sampled_from(["individual", "individual", "business"])),
            channel=draw(st.sampled_from(["p2p", "swift", "Remitly"])),
            reference=draw(REFERENCES),
            sender_phone=draw(st.sampled_from([None, "+61400000001"])),
            sender_name=draw(SENDER_NAMES), beneficiary_name=draw(BENEFICIARY_NAMES),
        ).model_copy(update={"sent_at": at}))
    return payments


LOW = {"R2": {"min_payments_exclusive": 3}, "R5": {"min_amount_ratio": 1.1, "min_gap_shrink": 1.1},
       "R3": {"min_beneficiaries": 2}, "R4": {"min_senders": 2},
       "R6": {"min_marked": 1}, "R14": {"listed_beneficiaries": ["gcash:y"]},
       "R15": {"max_senders": 2}}
"""Thresholds small sequences can reach (the shipped R2 needs 21 payments, R3 and R4 three
parties in 30 days), a listed facilitator for R14 and a low cap on R15's senders."""


def _low_thresholds(pack: PaymentRules) -> PaymentRules:
    data = pack.model_dump(mode="json")
    for rule in data["rules"]:
        rule["parameters"].update(LOW.get(rule["id"], {}))
    return parse_rules(data)


def _batch(payments: list[Payment], pack: PaymentRules, config: TypologyConfig,
           ) -> tuple[list[str], list[Any]]:
    """The detector's signal ids and the typology score, on DuckDB."""
    signals = PaymentTypologyDetector(pack).detect(payments, DetectionContext(banks=MemoryStore()))
    with DuckDBEngine() as engine:
        engine.register_table("payments", payment_columns(payments))
        return sorted(s.id for s in signals), score_accounts(engine, pack, config)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payments=payment_sequences(), order=st.randoms(use_true_random=False),
       low=st.booleans())
def test_inline_agrees_with_batch_in_any_order(payments: list[Payment], order: object,
                                               low: bool) -> None:
    pack = _low_thresholds(PACK) if low else PACK
    config = TypologyConfig(with_features=False,
                            shape=BenignShape(min_days=3) if low else BenignShape())
    scorer = InlineScorer(pack, config)
    arrival = list(payments)
    order.shuffle(arrival)  # type: ignore[attr-defined]
    for payment in arrival:
        scorer.score(payment)
    signal_ids, scores = _batch(payments, pack, config)
    for score in scores:
        event(f"{score.typology} flagged" if score.flagged else f"{score.typology} scored")
        event("benign > 0" if float(str(score.benign.get("benign", 0))) > 0 else "benign 0")
    for rule_id in sorted({str(s.evidence["rule"]) for s in scorer.signals()}):
        event(f"{rule_id} fired")
    assert scorer.batch_only == ()
    assert [s.id for s in scorer.signals()] == signal_ids
    assert scorer.accounts() == scores


def test_the_rules_without_an_incremental_form_are_listed_as_batch_only() -> None:
    scorer = InlineScorer(PACK)
    assert scorer.supported == tuple(r.id for r in PACK.enabled()) and scorer.batch_only == ()
    assert len(scorer.supported) == 13
    data = PACK.model_dump(mode="json")
    assert InlineScorer(_with_batch_only_rule(data)).batch_only == ("R1",)


def _with_batch_only_rule(data: dict[str, Any]) -> PaymentRules:
    """The pack with R1 looked up as a rule class that declares no incremental form."""
    from vigil.payments.rules import PAYMENT_RULES, LowValueCorridor

    class BatchOnlyR1(LowValueCorridor):
        incremental = None  # type: ignore[assignment]

    return parse_rules(data, {**PAYMENT_RULES, "R1": BatchOnlyR1})


def test_each_payment_answers_with_what_it_changed() -> None:
    scorer = InlineScorer(_low_thresholds(PACK))
    first = scorer.score(pay("p0", 0, usd=10.0, channel="swift"))
    assert [s.evidence["rule"] for s in first.signals] == ["R1"] and not first.alerts
    results = [scorer.score(pay(f"p{i}", i, usd=10.0, channel="swift")) for i in range(1, 8)]
    assert results[-1].alerts and results[-1].alerts[0].account == "bank:s1"
    assert {str(h["id"]) for h in results[-1].alerts[0].rules} == {"R1", "R2", "R8"}
    assert scorer.score(pay("p4", 4, usd=10.0)).signals == ()  # seen before
    outside = scorer.score(pay("q0", 9, usd=10.0, beneficiary_country="GB"))
    assert outside.signals == () and outside.accounts == ()


def test_a_sextortion_victim_is_scored_apart_from_buyers() -> None:
    scorer = InlineScorer(PACK)
    for i, usd in enumerate((100.0, 250.0, 400.0)):
        result = scorer.score(pay(f"v{i}", i / 24, usd=usd, beneficiary_country="NG"))
    assert [(a.typology, a.flagged) for a in result.alerts] == [("victim", True)]
    late = scorer.score(pay("v3", 5.0, usd=50.0, beneficiary_country="NG"))
    assert [s.evidence["rule"] for s in late.signals] == [] and not late.alerts


def test_a_prolific_escalating_buyer_scores_the_same_inline_and_in_batch() -> None:
    """The R1-R16 pack: 30 payments, growing from US$5 and closer together, in reverse order."""
    day, payments = 0.0, []
    for i in range(30):
        day += 10.0 if i < 15 else 2.0
        payments.append(pay(f"e{i:02d}", day, usd=5.0 + i))
    config = TypologyConfig(with_features=False)
    scorer = InlineScorer(PACK, config)
    for payment in reversed(payments):
        scorer.score(payment)
    signal_ids, scores = _batch(payments, PACK, config)
    assert {str(s.evidence["rule"]) for s in scorer.signals()} >= {"R1", "R2", "R5"}
    assert [s.id for s in scorer.signals()] == signal_ids
    assert scorer.accounts() == scores and scores[0].flagged
