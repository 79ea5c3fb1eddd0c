"""R3: one sender paying several unrelated beneficiaries inside a short window.

Source: AUSTRAC v Westpac statement of claim (small sums to multiple beneficiaries with no
apparent family ties, within short timeframes); AMLC 2020 study ("multiple non-familial
counterparties").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from vigil.payments.fan_sql import hub_window_sql
from vigil.payments.hub_window import HubWindowIncremental
from vigil.payments.rule_base import PaymentRule, PositiveFloat, RuleParameters, beyond


class FanOutParams(RuleParameters):
    """R3: one sender, several unrelated beneficiaries inside one window."""

    min_beneficiaries: int = Field(ge=2)
    window_days: int = Field(ge=1)
    max_amount_usd: PositiveFloat


def fan_out_sql(params: FanOutParams) -> str:
    """R3: per sender, the window with the most beneficiaries whose surname differs from its own."""
    return hub_window_sql("sender", "beneficiary", params.min_beneficiaries, params.window_days,
                          params.max_amount_usd, params.corridor, "distinct_beneficiaries")


class FanOutIncremental(HubWindowIncremental[FanOutParams]):
    """R3 one payment at a time: per sender, the busiest window of its beneficiaries."""

    key = "sender"
    spoke = "beneficiary"
    count_column = "distinct_beneficiaries"
    minimum_field = "min_beneficiaries"


class FanOut(PaymentRule[FanOutParams]):
    """R3: strength grows with the beneficiaries in the busiest window past the minimum."""

    name = "R3"
    description = "fan-out to unrelated beneficiaries within a window"
    citation = "AUSTRAC v Westpac statement of claim, AMLC 2020 study"
    parameters_type = FanOutParams
    corridor_only = True
    history_key = "sender"
    score_figures = ("distinct_beneficiaries",)
    incremental = FanOutIncremental

    def sql(self, params: FanOutParams) -> str:
        return fan_out_sql(params)

    def strength(self, params: FanOutParams, stats: Mapping[str, Any]) -> float:
        return beyond(stats["distinct_beneficiaries"], params.min_beneficiaries)

    def explain(self, params: FanOutParams, senders: list[str], beneficiaries: list[str],
                stats: Mapping[str, Any]) -> str:
        return (f"{', '.join(senders)} paid {stats['distinct_beneficiaries']} beneficiaries with "
                f"a different surname in high-risk corridors within {params.window_days} days")
