"""Each rule's SQL on tiny hand-built payment lists: fires / does not fire at the boundary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.payments.helpers import pay, run_sql, series
from vigil.payments.rules import load_rules
from vigil.payments.sql import (
    escalation_sql,
    fan_in_sql,
    fan_out_sql,
    low_value_corridor_sql,
    prolific_sender_sql,
    rule_sql,
)
from vigil.records import Payment

RULES = load_rules()


def _rows(rule_id: str, payments: list[Payment]) -> list[dict[str, Any]]:
    return run_sql(rule_sql(RULES.rule(rule_id)), payments)


SQL_FUNCTIONS: list[tuple[str, Callable[[Any], str]]] = [
    ("R1", low_value_corridor_sql), ("R2", prolific_sender_sql), ("R3", fan_out_sql),
    ("R4", fan_in_sql), ("R5", escalation_sql),
]


@pytest.mark.parametrize("rule_id, function", SQL_FUNCTIONS)
def test_sql_functions_are_pure(rule_id: str, function: Callable[[Any], str]) -> None:
    params = RULES.rule(rule_id).parameters
    before = params.model_dump()
    first, second = function(params), function(params.model_copy())
    assert first == second == rule_sql(RULES.rule(rule_id))
    assert params.model_dump() == before
    assert "FROM payments" in first


@pytest.mark.parametrize("rule_id, function", SQL_FUNCTIONS)
def test_sql_follows_its_parameters(rule_id: str, function: Callable[[Any], str]) -> None:
    params = RULES.rule(rule_id).parameters
    narrower = params.corridor.model_copy(update={"high_risk_countries": ("PH",)})
    assert function(params.model_copy(update={"corridor": narrower})) != function(params)


# --- R1 low-value corridor -------------------------------------------------------------------

@pytest.mark.parametrize("payment, fires", [
    (pay("t", usd=200.0), True),
    (pay("t", usd=200.01), False),
    (pay("t", sender_country="GB", beneficiary_country="RO"), True),
    (pay("t", sender_country="NO", beneficiary_country="VN"), True),
    (pay("t", sender_country="RO", beneficiary_country="RO"), False),
    (pay("t", sender_country="JP", beneficiary_country="PH"), False),
    (pay("t", sender_country="AU", beneficiary_country="GB"), False),
    (pay("t", beneficiary_type="business"), False),
    (pay("t", sender_type="business"), False),
])
def test_r1_corridor_amount_and_party_boundaries(payment: Payment, fires: bool) -> None:
    assert bool(_rows("R1", [payment])) is fires


def test_r1_aggregates_one_row_per_sender() -> None:
    payments = [pay("a1", 0, usd=50), pay("a2", 3, usd=70), pay("a3", 9, usd=500),
                pay("b1", 1, beneficiary="gcash:b2", usd=20),
                pay("c1", 2, sender="bank:other", usd=10)]
    rows = {tuple(r["senders"]): r for r in _rows("R1", payments)}
    assert set(rows) == {("bank:other",), (payments[0].sender,)}
    row = rows[(payments[0].sender,)]
    assert sorted(row["beneficiaries"]) == ["gcash:b1", "gcash:b2"]
    assert (row["txn_count"], row["total_usd"], sorted(row["txn_ids"])) == (3, 140.0,
                                                                            ["a1", "a2", "b1"])
    assert row["first_at"] == payments[0].sent_at and row["last_at"] == payments[1].sent_at


# --- R2 prolific -----------------------------------------------------------------------------

@pytest.mark.parametrize("count, every_days, usd, fires", [
    (21, 10, 30.0, True),
    (20, 10, 30.0, False),   # source: more than 20
    (21, 19.9, 30.0, True),
    (21, 20, 30.0, False),   # source: gap of less than 20 days
    (21, 10, 35.99, True),
    (21, 10, 36.0, False),   # source: under A$55, about US$36
])
def test_r2_count_gap_and_amount_boundaries(count: int, every_days: float, usd: float,
                                            fires: bool) -> None:
    rows = _rows("R2", series("p", count, every_days, usd=usd))
    assert bool(rows) is fires
    if fires:
        assert rows[0]["txn_count"] == count
        assert rows[0]["median_gap_days"] == pytest.approx(every_days)


def test_r2_counts_payments_to_every_corridor_beneficiary() -> None:
    payments = [pay(f"p{i}", i * 5, beneficiary=f"gcash:b{i % 3}") for i in range(21)]
    (row,) = _rows("R2", payments)
    assert sorted(row["beneficiaries"]) == ["gcash:b0", "gcash:b1", "gcash:b2"]


def test_r2_median_ignores_one_long_pause() -> None:
    days = [i * 5 for i in range(20)] + [400.0]
    (row,) = _rows("R2", [pay(f"p{i}", day) for i, day in enumerate(days)])
    assert row["median_gap_days"] == pytest.approx(5)


# --- R3 fan-out ------------------------------------------------------------------------------

def _fan_out(days: list[float], names: list[str | None],
             sender_name: str | None = "John Miller") -> list[Payment]:
    pairs = enumerate(zip(days, names, strict=True))
    return [pay(f"f{i}", day, beneficiary=f"gcash:b{i}", sender_name=sender_name,
                beneficiary_name=name) for i, (day, name) in pairs]


@pytest.mark.parametrize("days, names, sender_name, fires", [
    ([0, 5, 10], ["Ana Cruz", "Bea Lim", "Cora Tan"], "John Miller", True),
    ([0, 5], ["Ana Cruz", "Bea Lim"], "John Miller", False),
    ([0, 15, 30], ["Ana Cruz", "Bea Lim", "Cora Tan"], "John Miller", True),
    ([0, 15, 31], ["Ana Cruz", "Bea Lim", "Cora Tan"], "John Miller", False),
    ([0, 5, 10], ["Ana Cruz", "Bea Lim", "Cora Miller"], "John Miller", False),
    ([0, 5, 10], ["Ana Cruz", "Bea Lim", "cora  MILLER"], "John Miller", False),
    ([0, 5, 10], [None, None, None], "John Miller", True),
    ([0, 5, 10], ["Ana Miller", "Bea Miller", "Cora Miller"], None, True),
])
def test_r3_beneficiary_window_and_family_boundaries(days: list[float], names: list[str | None],
                                                     sender_name: str | None,
                                                     fires: bool) -> None:
    assert bool(_rows("R3", _fan_out(days, names, sender_name))) is fires


def test_r3_reports_the_busiest_window_once_per_sender() -> None:
    early = _fan_out([0, 1, 2], ["A One", "B Two", "C Three"])
    late = [pay(f"g{i}", 100 + i, beneficiary=f"gcash:c{i}", sender_name="John Miller")
            for i in range(4)]
    (row,) = _rows("R3", early + late)
    assert row["distinct_beneficiaries"] == 4
    assert sorted(row["txn_ids"]) == ["g0", "g1", "g2", "g3"]
    assert row["senders"] == ["bank:s1"] and row["window_days"] == 30


# --- R4 fan-in -------------------------------------------------------------------------------

def _fan_in(count: int, **kwargs: Any) -> list[Payment]:
    return [pay(f"i{i}", i * 3, sender=f"bank:s{i}", sender_name=f"Buyer{i} Name{i}",
                beneficiary_name="Rosa Dizon", **kwargs) for i in range(count)]


@pytest.mark.parametrize("payments, fires", [
    (_fan_in(3), True),
    (_fan_in(2), False),
    (_fan_in(2) + [pay("x", 4, sender="bank:kin", sender_name="Ben Dizon",
                       beneficiary_name="Rosa Dizon")], False),
    (_fan_in(2) + [pay("x", 4, sender="bank:jp", sender_country="JP")], False),
    (_fan_in(2) + [pay("x", 4, sender="bank:big", usd=250.0)], False),
    (_fan_in(2) + [pay("x", 40, sender="bank:late")], False),
    (_fan_in(3, usd=150.0), True),
])
def test_r4_sender_count_family_corridor_and_window(payments: list[Payment], fires: bool) -> None:
    assert bool(_rows("R4", payments)) is fires


def test_r4_row_names_all_senders_and_the_one_beneficiary() -> None:
    (row,) = _rows("R4", _fan_in(4))
    assert row["beneficiaries"] == ["gcash:b1"] and row["distinct_senders"] == 4
    assert sorted(row["senders"]) == ["bank:s0", "bank:s1", "bank:s2", "bank:s3"]


# --- R5 escalation ---------------------------------------------------------------------------

def _history(days: list[float], amounts: list[float]) -> list[Payment]:
    pairs = enumerate(zip(days, amounts, strict=True))
    return [pay(f"e{i}", day, usd=usd) for i, (day, usd) in pairs]


@pytest.mark.parametrize("days, amounts, fires", [
    ([0, 30, 50, 55], [20, 20, 60, 60], True),
    ([0, 30, 50, 55], [20, 20, 30, 30], True),      # amount ratio exactly 1.5
    ([0, 30, 50, 55], [20, 20, 29.8, 29.8], False),  # amount ratio just under 1.5
    ([0, 30, 50, 70], [20, 20, 60, 60], True),       # gap 30 -> 20 is exactly 1.5
    ([0, 30, 50, 71], [20, 20, 60, 60], False),
    ([0, 30, 60, 90], [20, 20, 60, 60], False),      # amounts rise, gaps flat
    ([0, 30, 50, 55], [20, 20, 20, 20], False),      # gaps shrink, amounts flat
    ([0, 30, 35], [20, 60, 60], False),              # fewer than 4 payments
    ([0, 30, 40, 50, 52], [10, 20, 90, 40, 40], True),  # odd count: middle payment in neither
])
def test_r5_half_medians_at_the_boundary(days: list[float], amounts: list[float],
                                         fires: bool) -> None:
    assert bool(_rows("R5", _history(days, amounts))) is fires


def test_r5_reports_both_halves() -> None:
    (row,) = _rows("R5", _history([0, 20, 40, 46, 50, 52], [10, 12, 14, 30, 40, 50]))
    assert (row["first_median_usd"], row["second_median_usd"]) == (12.0, 40.0)
    assert (row["first_median_gap_days"], row["second_median_gap_days"]) == (20.0, 3.0)
    assert row["txn_count"] == 6
