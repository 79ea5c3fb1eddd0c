"""R3/R4 as sums over each hub's payments give exactly the old self-join's rows, on any payments."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.payments.helpers import T0, pay
from vigil.engines import DuckDBEngine
from vigil.payments.payment_table import payment_columns
from vigil.payments.reference import self_join_fan_sql
from vigil.payments.rules import Corridor, FanInParams, FanOutParams, load_rules
from vigil.payments.sql import fan_in_sql, fan_out_sql
from vigil.records import Payment

CORRIDOR: Corridor = load_rules().corridor
# Names that collide on surname after trimming and lower-casing, one-word names, blanks and None.
NAMES = [None, "", "  ", "Ana Cruz", "ben CRUZ", " Liza  Cruz ", "Reyes", "Tom Walker",
         "Rosa Dizon"]
COUNTRIES = [("AU", "PH"), ("AU", "PH"), ("AU", "PH"), ("GB", "RO"), ("JP", "PH"), ("RO", "RO")]


def _normalised(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with arrays sorted (NULL last) and sums rounded: the rule leaves both unspecified."""
    out = []
    for row in rows:
        fixed = dict(row)
        for key in ("senders", "beneficiaries", "txn_ids"):
            fixed[key] = sorted(row[key], key=lambda v: (v is None, v or ""))
        fixed["total_usd"] = round(row["total_usd"], 6)
        out.append(fixed)
    return out


def _both(params: FanOutParams | FanInParams, payments: list[Payment]) -> tuple[Any, Any]:
    fast = fan_out_sql(params) if isinstance(params, FanOutParams) else fan_in_sql(params)
    with DuckDBEngine() as engine:
        engine.register_table("payments", payment_columns(payments))
        return (_normalised(engine.query(fast)),
                _normalised(engine.query(self_join_fan_sql(params))))


def _params(rule: str, minimum: int, window_days: int) -> FanOutParams | FanInParams:
    if rule == "R3":
        return FanOutParams(corridor=CORRIDOR, min_beneficiaries=minimum,
                            window_days=window_days, max_amount_usd=200.0)
    return FanInParams(corridor=CORRIDOR, min_senders=minimum, window_days=window_days,
                       max_amount_usd=200.0)


@st.composite
def _payment(draw: st.DrawFn, index: int) -> Payment:
    """Few accounts and times on whole days +- 1 s, so windows meet at their very edges."""
    day = draw(st.integers(0, 12))
    second = draw(st.sampled_from([-1, 0, 0, 1, 3600]))
    sender_country, beneficiary_country = draw(st.sampled_from(COUNTRIES))
    payment = pay(
        f"t{draw(st.integers(0, index))}",  # a repeated txn_id now and then
        day, sender=f"bank:s{draw(st.integers(0, 4))}",
        beneficiary=f"gcash:b{draw(st.integers(0, 4))}",
        usd=draw(st.sampled_from([30.0, 200.0, 200.01, 12.5])),
        sender_country=sender_country, beneficiary_country=beneficiary_country,
        sender_name=draw(st.sampled_from(NAMES)), beneficiary_name=draw(st.sampled_from(NAMES)),
        sender_type=draw(st.sampled_from(["individual"] * 5 + ["business"])))
    return payment.model_copy(update={"sent_at": payment.sent_at + timedelta(seconds=second)})


@st.composite
def _payments(draw: st.DrawFn) -> list[Payment]:
    count = draw(st.integers(1, 24))  # the detector never loads an empty table
    return [draw(_payment(i)) for i in range(count)]


@pytest.mark.parametrize("rule", ["R3", "R4"])
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payments=_payments(), minimum=st.integers(2, 4), window_days=st.integers(1, 3))
def test_running_sum_equals_the_self_join(rule: str, payments: list[Payment], minimum: int,
                                          window_days: int) -> None:
    fast, reference = _both(_params(rule, minimum, window_days), payments)
    assert fast == reference


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("rule", ["R3", "R4"])
def test_busy_random_worlds_agree_and_fire(rule: str, seed: int) -> None:
    # Hundreds of payments over few hubs: many overlapping windows per hub, and findings to compare.
    rng = random.Random(seed)
    payments = [pay(f"t{i}", rng.randint(0, 120) + rng.choice([-1, 0, 1]) / 86400,
                    sender=f"bank:s{rng.randint(0, 40 if rule == 'R4' else 3)}",
                    beneficiary=f"gcash:b{rng.randint(0, 3 if rule == 'R4' else 40)}",
                    sender_name=rng.choice(NAMES), beneficiary_name=rng.choice(NAMES),
                    usd=rng.choice([30.0, 150.0, 250.0]))
                for i in range(400)]
    fast, reference = _both(_params(rule, 3, rng.randint(1, 30)), payments)
    assert reference and fast == reference


def test_one_hub_many_spokes_counts_each_spoke_once_per_window() -> None:
    # A sender who pays the hub again inside the window is one spoke, not two.
    payments = [pay(f"a{i}", i * 10, sender="bank:same", sender_name="Al Ng") for i in range(4)]
    payments += [pay(f"b{i}", 3 + i, sender=f"bank:o{i}", sender_name="Bo Lee") for i in range(2)]
    fast, reference = _both(_params("R4", 3, 30), payments)
    assert fast == reference
    assert [row["distinct_senders"] for row in fast] == [3]
    assert sorted(fast[0]["txn_ids"]) == ["a0", "a1", "a2", "a3", "b0", "b1"]
    assert T0 < fast[0]["last_at"]
