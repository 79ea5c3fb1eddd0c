"""The typology score: several indicators carry an alert, one weak one never does, benign
structure lowers a score, and victims are a typology of their own (DuckDB)."""

from __future__ import annotations

import gc

from tests.payments.helpers import pay
from vigil.engines import DuckDBEngine
from vigil.payments.payment_table import payment_columns
from vigil.payments.typology import (
    BUYER,
    VICTIM,
    TypologyConfig,
    TypologyScore,
    benign_profiles,
    load_typology_rules,
    pack_findings,
    score_accounts,
    sender_features,
)
from vigil.records import Payment


def _scores(payments: list[Payment], config: TypologyConfig | None = None,
            ) -> dict[tuple[str, str], TypologyScore]:
    with DuckDBEngine() as engine:
        engine.register_table("payments", payment_columns(payments))
        return {(s.account, s.typology): s for s in score_accounts(engine, config=config)}


def _buyers() -> list[Payment]:
    """Two unrelated night senders (04:00 in New York) paying one wallet: R7, R12, R15."""
    return [pay(f"{who}{i}", i * 9, sender=f"bank:{who}", sender_country="US",
                sender_name=f"Al {who.title()}", beneficiary="gcash:hub",
                beneficiary_name="Liza Ramos", usd=40.0 + i)
            for who in ("smith", "jones") for i in range(3)]


def test_several_indicators_flag_a_buyer_with_every_rule_and_its_source() -> None:
    score = _scores(_buyers())[("bank:smith", BUYER)]
    assert score.flagged and score.score >= 0.5
    fired = {rule["id"]: rule for rule in score.rules}
    assert {"R7", "R12", "R15"} <= set(fired)
    assert all(rule["source"] and rule["weight"] for rule in score.rules)
    assert fired["R15"]["contribution"] == max(float(str(r["contribution"]))
                                               for r in score.rules)


def test_one_weak_indicator_never_alerts_alone() -> None:
    lone = [pay("n1", 0, sender="bank:owl", sender_country="US", sender_name="Al Owl",
                beneficiary_name="Al Owl")]
    scores = _scores(lone, TypologyConfig(alert_threshold=0.01))
    owl = scores[("bank:owl", BUYER)]
    assert [rule["id"] for rule in owl.rules if float(str(rule["contribution"])) >= 0.05] \
        == ["R7"]
    assert not owl.flagged


def test_a_steady_rhythm_to_kin_lowers_the_score() -> None:
    kin = [pay(f"k{i}", i * 30, sender="bank:fam", sender_country="US", sender_name="Rosa Cruz",
               beneficiary="gcash:mama", beneficiary_name="Jose Cruz", usd=36.0)
           for i in range(24)]
    days = [0.0]
    for step in (4, 31, 9, 50, 17, 3, 44, 12, 26, 7, 60, 15, 5, 38, 21, 9, 33, 2, 48, 11, 19, 6,
                 40):
        days.append(days[-1] + step)
    stranger = [pay(f"s{i}", day, sender="bank:odd", sender_country="US", sender_name="Al Odd",
                    beneficiary="gcash:x", beneficiary_name="Ana Reyes", usd=36.0)
                for i, day in enumerate(days)]
    scores = _scores(kin + stranger)
    family, odd = scores[("bank:fam", BUYER)], scores[("bank:odd", BUYER)]
    assert family.benign["benign"] == 1.0 and odd.benign["benign"] == 0.0
    assert family.score < odd.score and not family.flagged


def test_a_sextortion_victim_is_its_own_typology() -> None:
    burst = [pay(f"v{i}", i * 0.1, sender="bank:teen", beneficiary="opay:x",
                 beneficiary_country="NG", usd=usd) for i, usd in enumerate((100, 150, 200))]
    scores = _scores(burst)
    assert scores[("bank:teen", VICTIM)].flagged
    assert ("bank:teen", BUYER) not in scores


def test_a_scored_account_carries_its_features_and_benign_figures_rounded() -> None:
    payments = _buyers()
    with DuckDBEngine() as engine:
        engine.register_table("payments", payment_columns(payments))
        rules = load_typology_rules()
        features = sender_features(engine, rules)
        profiles = benign_profiles(engine, rules, TypologyConfig())
        scores = score_accounts(engine, rules)
    assert scores
    for score in scores:
        assert dict(score.features) == features[score.account]
        assert score.features == features[score.account] and len(score.features) > 10
        assert "sender" not in score.features and score.benign == profiles[score.account]
        assert all(round(v, 4) == v for v in score.features.values() if isinstance(v, float))


def test_findings_of_other_columns_score_as_their_own_rows_would() -> None:
    """Rows of one rule share a contribution only where their figures are equal, whatever
    columns they carry: rows of other columns than the rule's first row are keyed afresh."""
    with DuckDBEngine() as engine:
        engine.register_table("payments", payment_columns(_buyers()))
        found = pack_findings(engine, load_typology_rules(), for_score=True)
    assert found
    reshaped = [(rule, {**row, "extra": n}) if n % 2 else (rule, dict(reversed(row.items())))
                for n, (rule, row) in enumerate(found)]
    with DuckDBEngine() as engine:
        engine.register_table("payments", payment_columns(_buyers()))
        plain = score_accounts(engine, found=found)
        other = score_accounts(engine, found=reshaped)
    assert [s.to_json() for s in other] == [s.to_json() for s in plain]


def test_scoring_leaves_the_cycle_collector_as_it_found_it() -> None:
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            assert _scores(_buyers())
            assert gc.isenabled() is enabled
        finally:
            gc.enable()
