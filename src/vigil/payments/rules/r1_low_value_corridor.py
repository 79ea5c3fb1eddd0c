"""R1: low-value cross-border person-to-person payments into a high-risk corridor.

Source: AMLC 2020 study (up to US$200 per transfer), FATF 2025, AUSTRAC case study, ACAMS Today
vol. 20 no. 3 (individual to individual).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vigil.payments.incremental_base import FindingPayments, in_corridor
from vigil.payments.rule_base import IncrementalRule, PaymentRule, PositiveFloat, RuleParameters
from vigil.payments.sql_parts import FINDING_COLUMNS, corridor_cte, number
from vigil.records import Payment


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


def low_value_corridor_score_sql(params: LowValueCorridorParams) -> str:
    """R1's findings as the typology score reads them: ``senders`` and ``txn_count`` (all its
    strength reads), counted per sender before the one-sender array is built, so the engine
    builds no array over the payments (a third of the rule's CPU at 1M payments)."""
    cte = corridor_cte("low_value_corridor_payments", params.corridor,
                       f"amount_usd <= {number(params.max_amount_usd)}")
    return f"""WITH
{cte},
sender_counts AS (
    SELECT sender, COUNT(*) AS txn_count
    FROM low_value_corridor_payments
    GROUP BY sender
)
SELECT ARRAY_AGG(sender) AS senders, MAX(txn_count) AS txn_count
FROM sender_counts
GROUP BY sender
ORDER BY sender"""


class LowValueCorridorIncremental(IncrementalRule[LowValueCorridorParams]):
    """R1 one payment at a time: each sender's low-value corridor payments."""

    def __init__(self, params: LowValueCorridorParams) -> None:
        super().__init__(params)
        self._senders: dict[str, FindingPayments] = {}

    def add(self, payment: Payment) -> tuple[str, ...]:
        if (payment.amount_usd > self.params.max_amount_usd
                or not in_corridor(self.params.corridor, payment)):
            return ()
        self._senders.setdefault(payment.sender, FindingPayments()).add(payment)
        return (payment.sender,)

    def finding(self, key: str) -> dict[str, Any] | None:
        found = self._senders.get(key)
        return found.row() if found else None


class LowValueCorridor(PaymentRule[LowValueCorridorParams]):
    """R1: every low-value corridor sender; weak alone, its strength grows with the count."""

    name = "R1"
    description = "low-value cross-border P2P payments to a high-risk corridor"
    citation = "AMLC 2020 study, FATF 2025, AUSTRAC case study, ACAMS Today vol. 20 no. 3"
    parameters_type = LowValueCorridorParams
    corridor_only = True
    history_key = "sender"
    score_figures = ()
    incremental = LowValueCorridorIncremental

    def sql(self, params: LowValueCorridorParams) -> str:
        return low_value_corridor_sql(params)

    def score_sql(self, params: LowValueCorridorParams) -> str:
        return low_value_corridor_score_sql(params)

    def strength(self, params: LowValueCorridorParams, stats: Mapping[str, Any]) -> float:
        count = float(stats["txn_count"])
        return count / (count + params.half_score_count)

    def explain(self, params: LowValueCorridorParams, senders: list[str],
                beneficiaries: list[str], stats: Mapping[str, Any]) -> str:
        return (f"{', '.join(senders)} sent {stats['txn_count']} payment(s) of at most "
                f"US${params.max_amount_usd:,.0f} each (US${stats['total_usd']:,.2f} in all) "
                f"to {', '.join(beneficiaries)} in a high-risk corridor")
