"""R1: low-value cross-border person-to-person payments into a high-risk corridor.

Source: AMLC 2020 study (up to US$200 per transfer), FATF 2025, AUSTRAC case study, ACAMS Today
vol. 20 no. 3 (individual to individual).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vigil.payments.rule_base import PaymentRule, PositiveFloat, RuleParameters
from vigil.payments.sql_parts import FINDING_COLUMNS, corridor_cte, number


class LowValueCorridorParams(RuleParameters):
    """R1: per sender, payments at or under ``max_amount_usd``."""

    max_amount_usd: PositiveFloat
    half_score_count: PositiveFloat


def low_value_corridor_sql(params: LowValueCorridorParams) -> str:
    """R1: one row per sender with its low-value corridor payments (to every beneficiary), so
    the findings grow with the senders, not with the pairs."""
    cte = corridor_cte("low_value_corridor_payments", params.corridor,
                       f"amount_usd <= {number(params.max_amount_usd)}")
    return f"""WITH
{cte}
SELECT
    {FINDING_COLUMNS}
FROM low_value_corridor_payments p
GROUP BY p.sender
ORDER BY p.sender"""


class LowValueCorridor(PaymentRule[LowValueCorridorParams]):
    """R1: every low-value corridor sender; weak alone, its strength grows with the count."""

    name = "R1"
    description = "low-value cross-border P2P payments to a high-risk corridor"
    citation = "AMLC 2020 study, FATF 2025, AUSTRAC case study, ACAMS Today vol. 20 no. 3"
    parameters_type = LowValueCorridorParams
    history_key = "sender"

    def sql(self, params: LowValueCorridorParams) -> str:
        return low_value_corridor_sql(params)

    def strength(self, params: LowValueCorridorParams, stats: Mapping[str, Any]) -> float:
        count = float(stats["txn_count"])
        return count / (count + params.half_score_count)

    def explain(self, params: LowValueCorridorParams, senders: list[str],
                beneficiaries: list[str], stats: Mapping[str, Any]) -> str:
        return (f"{', '.join(senders)} sent {stats['txn_count']} payment(s) of at most "
                f"US${params.max_amount_usd:,.0f} each (US${stats['total_usd']:,.2f} in all) "
                f"to {', '.join(beneficiaries)} in a high-risk corridor")
