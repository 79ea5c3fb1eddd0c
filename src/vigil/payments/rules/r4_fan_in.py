"""R4: one beneficiary receiving low-value payments from several unrelated senders.

Source: AUSTRAC case study (frequent, low-value remittances to a common beneficiary in South-East
Asia from multiple Australia-based customers); DHS ("thousands of buyers").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from vigil.payments.fan_sql import hub_window_sql
from vigil.payments.hub_window import HubWindowIncremental
from vigil.payments.rule_base import PaymentRule, PositiveFloat, RuleParameters, beyond


class FanInParams(RuleParameters):
    """R4: one beneficiary, several unrelated senders inside one window."""

    min_senders: int = Field(ge=2)
    window_days: int = Field(ge=1)
    max_amount_usd: PositiveFloat


def fan_in_sql(params: FanInParams) -> str:
    """R4: per beneficiary, the window with the most senders whose surname differs from its own."""
    return hub_window_sql("beneficiary", "sender", params.min_senders, params.window_days,
                          params.max_amount_usd, params.corridor, "distinct_senders")


class FanInIncremental(HubWindowIncremental[FanInParams]):
    """R4 one payment at a time: per beneficiary, the busiest window of its senders."""

    key = "beneficiary"
    spoke = "sender"
    count_column = "distinct_senders"
    minimum_field = "min_senders"


class FanIn(PaymentRule[FanInParams]):
    """R4: strength grows with the senders in the busiest window past the minimum."""

    name = "R4"
    description = "fan-in from unrelated senders to a common beneficiary within a window"
    citation = "AUSTRAC case study, DHS"
    parameters_type = FanInParams
    corridor_only = True
    history_key = "beneficiary"
    score_figures = ("distinct_senders",)
    incremental = FanInIncremental

    def sql(self, params: FanInParams) -> str:
        return fan_in_sql(params)

    def strength(self, params: FanInParams, stats: Mapping[str, Any]) -> float:
        return beyond(stats["distinct_senders"], params.min_senders)

    def explain(self, params: FanInParams, senders: list[str], beneficiaries: list[str],
                stats: Mapping[str, Any]) -> str:
        return (f"{', '.join(beneficiaries)} received low-value payments from "
                f"{stats['distinct_senders']} senders with a different surname in consumer "
                f"countries within {params.window_days} days")
