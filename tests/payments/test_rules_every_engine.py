"""One small test per payment typology R1-R5, run on every SQL engine (tests/engines.py).

Each loads one tiny table holding a pattern that fires and one that does not, so the Spark run
stays at one query per rule; the boundary cases live in test_payment_sql.py (DuckDB).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.payments.helpers import pay, series
from vigil.payments.payment_table import payment_columns
from vigil.payments.rules import load_rules
from vigil.payments.sql import rule_sql
from vigil.records import Payment

RULES = load_rules()


def _rows(engine: Any, rule_id: str, payments: list[Payment]) -> list[dict[str, Any]]:
    engine.register_table("payments", payment_columns(payments))
    return engine.query(rule_sql(RULES.rule(rule_id)))


def test_r1_low_value_corridor(sql_engine: Any) -> None:
    payments = [pay("a1", 0, usd=50), pay("a2", 3, usd=70), pay("a3", 9, usd=500),
                pay("c1", 2, sender="bank:jp", sender_country="JP")]
    (row,) = _rows(sql_engine, "R1", payments)
    assert (row["txn_count"], row["total_usd"], sorted(row["txn_ids"])) == (2, 120.0, ["a1", "a2"])
    assert row["first_at"] == payments[0].sent_at and row["last_at"] == payments[1].sent_at


def test_r2_prolific_sender(sql_engine: Any) -> None:
    payments = series("p", 21, 10, usd=30.0) + series("q", 20, 10, usd=30.0, sender="bank:s2")
    (row,) = _rows(sql_engine, "R2", payments)
    assert row["txn_count"] == 21 and row["median_gap_days"] == pytest.approx(10)


def test_r3_fan_out_busiest_window(sql_engine: Any) -> None:
    early = [pay(f"f{i}", i, beneficiary=f"gcash:b{i}", sender_name="John Miller",
                 beneficiary_name=name) for i, name in enumerate(["A One", "B Two", "C Three"])]
    late = [pay(f"g{i}", 100 + i, beneficiary=f"gcash:c{i}", sender_name="John Miller")
            for i in range(4)]
    (row,) = _rows(sql_engine, "R3", early + late)
    assert row["distinct_beneficiaries"] == 4 and row["window_days"] == 30
    assert sorted(row["txn_ids"]) == ["g0", "g1", "g2", "g3"]


def test_r4_fan_in(sql_engine: Any) -> None:
    buyers = [pay(f"i{i}", i * 3, sender=f"bank:s{i}", sender_name=f"Buyer{i} Name{i}",
                  beneficiary_name="Rosa Dizon") for i in range(4)]
    pair = [pay(f"j{i}", i * 3, sender=f"bank:t{i}", beneficiary="gcash:b9") for i in range(2)]
    (row,) = _rows(sql_engine, "R4", buyers + pair)
    assert row["beneficiaries"] == ["gcash:b1"] and row["distinct_senders"] == 4
    assert sorted(row["senders"]) == ["bank:s0", "bank:s1", "bank:s2", "bank:s3"]


def test_r5_escalation(sql_engine: Any) -> None:
    rising = [pay(f"e{i}", day, usd=usd) for i, (day, usd)
              in enumerate(zip([0, 20, 40, 46, 50, 52], [10, 12, 14, 30, 40, 50], strict=True))]
    flat = [pay(f"k{i}", day, usd=20, sender="bank:flat") for i, day in enumerate([0, 30, 60, 90])]
    (row,) = _rows(sql_engine, "R5", rising + flat)
    assert (row["first_median_usd"], row["second_median_usd"]) == (12.0, 40.0)
    assert (row["first_median_gap_days"], row["second_median_gap_days"]) == (20.0, 3.0)
    assert row["txn_count"] == 6
