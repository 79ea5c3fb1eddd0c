"""One small test per typology rule R6-R16 and the benign shapes, on every SQL engine.

Each loads a tiny table with a pattern that fires and one that does not (one query per rule,
so the Spark run stays short); the combination is tested in test_typology_score.py (DuckDB).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.payments.helpers import pay, series
from vigil.payments.benign_sql import BenignShape, benign_profile_sql
from vigil.payments.features_sql import sender_features_sql
from vigil.payments.payment_table import payment_columns
from vigil.payments.share_sql import DEFAULT_UTC_OFFSETS
from vigil.payments.sql import rule_sql
from vigil.payments.typology import load_typology_rules
from vigil.records import Payment

pytestmark = pytest.mark.heavy(seconds=50)

RULES = load_typology_rules()


def _rows(engine: Any, rule_id: str, payments: list[Payment]) -> list[dict[str, Any]]:
    engine.register_table("payments", payment_columns(payments))
    return engine.query(rule_sql(RULES.rule(rule_id)))


def test_r6_cover_words_and_handles(sql_engine: Any) -> None:
    payments = [pay("a1", 0, reference="School Fees"), pay("a2", 5, reference="@cam_girl"),
                pay("a3", 9, reference=""),
                pay("b1", 0, sender="bank:s2", reference="rent"),
                pay("b2", 3, sender="bank:s2", reference="gift")]
    (row,) = _rows(sql_engine, "R6", payments)
    assert row["senders"] == ["bank:s1"] and sorted(row["txn_ids"]) == ["a1", "a2"]
    assert (row["marked_payments"], row["corridor_payments"]) == (2, 3)


def test_r7_night_in_the_senders_own_zone(sql_engine: Any) -> None:
    # T0 is 09:00 UTC: 19:00 in Australia (UTC+10), 04:00 in New York (UTC-5).
    payments = (series("n", 3, 7, sender="bank:us", sender_country="US")
                + series("d", 3, 7, sender="bank:au", sender_country="AU"))
    (row,) = _rows(sql_engine, "R7", payments)
    assert row["senders"] == ["bank:us"] and row["marked_share"] == pytest.approx(1.0)


def test_r8_even_amounts_in_the_senders_currency(sql_engine: Any) -> None:
    payments = [pay("e1", 0, usd=50.0), pay("e2", 3, usd=80.0), pay("e3", 5, usd=33.3),
                pay("o1", 0, sender="bank:s2", usd=47.12), pay("o2", 2, sender="bank:s2", usd=50)]
    (row,) = _rows(sql_engine, "R8", payments)
    assert row["senders"] == ["bank:s1"] and row["marked_payments"] == 2


def test_r11_channel_risk(sql_engine: Any) -> None:
    payments = (series("w", 2, 3, sender="wise:s1", channel="wise")
                + series("b", 2, 3, sender="bank:s2", channel="bank"))
    (row,) = _rows(sql_engine, "R11", payments)
    assert row["senders"] == ["wise:s1"]


def test_r12_no_shared_surname(sql_engine: Any) -> None:
    payments = [pay("u1", 0, sender_name="John Miller", beneficiary_name="Ana Reyes"),
                pay("k1", 0, sender="bank:s2", sender_name="Rosa Cruz",
                    beneficiary_name="Jose Cruz")]
    (row,) = _rows(sql_engine, "R12", payments)
    assert row["senders"] == ["bank:s1"]


def test_r14_list_hit_and_an_empty_list(sql_engine: Any) -> None:
    payments = [pay("l1", 0, beneficiary="gcash:known", usd=900.0), pay("l2", 1)]
    assert _rows(sql_engine, "R14", payments) == []
    listed = RULES.rule("R14").model_copy(update={"parameters": RULES.rule("R14").parameters
                                                  .model_copy(update={"listed_beneficiaries":
                                                                      ("gcash:known",)})})
    sql_engine.register_table("payments", payment_columns(payments))
    (row,) = sql_engine.query(rule_sql(listed))
    assert row["txn_ids"] == ["l1"] and row["senders"] == ["bank:s1"]


def test_r15_facilitator_like_beneficiary_but_not_an_organisation(sql_engine: Any) -> None:
    hub = [pay(f"h{i}", i, sender=f"bank:b{i}", sender_name=f"Al {name}",
               beneficiary="gcash:hub", beneficiary_name="Liza Ramos")
           for i, name in enumerate(("Smith", "Jones"))]
    charity = [pay(f"c{i}", i, sender=f"bank:d{i}", sender_name=f"Al {name}",
                   beneficiary="gcash:org", beneficiary_name="Hope Children Foundation")
               for i, name in enumerate(("Smith", "Jones", "Brown"))]
    siblings = [pay(f"s{i}", i, sender=f"bank:k{i}", sender_name="Ana Santos",
                    beneficiary="gcash:mama", beneficiary_name="Rosa Santos") for i in range(3)]
    rows = _rows(sql_engine, "R15", hub + charity + siblings)
    assert sorted(r["senders"][0] for r in rows) == ["bank:b0", "bank:b1"]
    assert {r["most_unrelated_senders"] for r in rows} == {2}


def test_r16_a_burst_then_a_stop(sql_engine: Any) -> None:
    burst = [pay(f"v{i}", i * 0.2, sender="bank:teen", beneficiary="opay:x",
                 beneficiary_country="NG", usd=usd) for i, usd in enumerate((100, 150, 200))]
    steady = [pay(f"f{i}", i * 30, sender="bank:mum", beneficiary="gcash:kid", usd=100)
              for i in range(3)]
    (row,) = _rows(sql_engine, "R16", burst + steady)
    assert row["senders"] == ["bank:teen"] and row["burst_payments"] == 3
    assert row["first_usd"] == pytest.approx(100.0)
    assert isinstance(row["burst_hours"], float) and row["burst_hours"] == pytest.approx(9.6)


def test_benign_shapes(sql_engine: Any) -> None:
    monthly = [pay(f"m{i}", i * 30 + (i % 2), sender="bank:fam", sender_name="Rosa Cruz",
                   beneficiary_name="Jose Cruz") for i in range(8)]
    erratic = [pay(f"x{i}", day, sender="bank:odd", sender_name="John Miller",
                   beneficiary_name="Ana Reyes")
               for i, day in enumerate((0, 3, 20, 24, 60, 61.5, 90, 130))]
    sql_engine.register_table("payments", payment_columns(monthly + erratic))
    rows = {r["sender"]: r for r in sql_engine.query(
        benign_profile_sql(RULES.corridor, BenignShape()))}
    assert rows["bank:fam"]["kin_share"] == pytest.approx(1.0)
    assert rows["bank:fam"]["cadence"] == pytest.approx(1.0)
    assert rows["bank:odd"]["kin_share"] == 0 and rows["bank:odd"]["cadence"] == 0


def test_sender_features_windows_trends_and_classes(sql_engine: Any) -> None:
    payments = [pay(f"a{i}", i * 10.0, usd=20.0 + 5 * i, reference="gift" if i % 2 else "")
                for i in range(10)]
    sql_engine.register_table("payments", payment_columns(payments))
    (row,) = sql_engine.query(sender_features_sql(RULES.corridor, DEFAULT_UTC_OFFSETS,
                                                  ["gift"]))
    assert (row["count_7d"], row["count_30d"], row["count_90d"], row["count_365d"]) == (
        1, 3, 9, 10)
    assert row["usd_30d"] == pytest.approx(65 + 60 + 55)
    assert row["amount_trend_usd"] == pytest.approx(5.0)
    assert row["gap_trend_days"] == pytest.approx(0.0, abs=1e-9)
    assert row["median_gap_days"] == pytest.approx(10.0)
    assert isinstance(row["cover_word_share"], float) and row["cover_word_share"] == 0.5
    assert row["round_share"] == pytest.approx(0.5)
