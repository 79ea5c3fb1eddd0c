"""R2: a prolific low-value sender, many small corridor payments at a short median gap.

Source: AIC T&I 634 (Cubitt, Napier & Brown 2021): high-volume live streamers spent under AUD 55
at intervals of less than 20 days; AIC (Wolbers): a high-volume purchaser has more than 20.
"""

from __future__ import annotations

import itertools
from bisect import insort
from collections.abc import Mapping
from typing import Any

from pydantic import Field

from vigil.payments.incremental_base import FindingPayments, in_corridor, median
from vigil.payments.rule_base import (
    IncrementalRule,
    PaymentRule,
    PositiveFloat,
    RuleParameters,
    beyond,
)
from vigil.payments.sql_parts import FINDING_COLUMNS, SECONDS_PER_DAY, corridor_cte, number
from vigil.records import Payment


class ProlificSenderParams(RuleParameters):
    """R2: more than ``min_payments_exclusive`` small payments at a short median gap."""

    min_payments_exclusive: int = Field(ge=1)
    max_amount_usd: PositiveFloat
    max_median_gap_days: PositiveFloat


def prolific_sender_sql(params: ProlificSenderParams) -> str:
    """R2: senders with many small corridor payments at a short median inter-payment gap."""
    cte = corridor_cte("small_corridor_payments", params.corridor,
                       f"amount_usd < {number(params.max_amount_usd)}")
    return f"""WITH
{cte},
payment_gaps AS (
    SELECT
        p.sender,
        (p.sent_s - LAG(p.sent_s) OVER (PARTITION BY p.sender ORDER BY p.sent_at, p.txn_id))
            / {number(SECONDS_PER_DAY)} AS gap_days
    FROM small_corridor_payments p
),
sender_gap_stats AS (
    SELECT
        sender,
        COUNT(*) AS small_payments,
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY gap_days) AS median_gap_days
    FROM payment_gaps
    GROUP BY sender
),
prolific_senders AS (
    SELECT sender, median_gap_days
    FROM sender_gap_stats
    WHERE small_payments > {int(params.min_payments_exclusive)}
      AND median_gap_days < {number(params.max_median_gap_days)}
)
SELECT
    {FINDING_COLUMNS},
    s.median_gap_days
FROM prolific_senders s
JOIN small_corridor_payments p ON p.sender = s.sender
GROUP BY s.sender, s.median_gap_days
ORDER BY s.sender"""


class ProlificSenderIncremental(IncrementalRule[ProlificSenderParams]):
    """R2 one payment at a time: each sender's small corridor payments and their sorted gaps.

    A payment arriving between two others replaces their gap by its two, so any order of
    arrival gives the gaps of the time order.
    """

    def __init__(self, params: ProlificSenderParams) -> None:
        super().__init__(params)
        self._senders: dict[str, FindingPayments] = {}
        self._gaps: dict[str, list[int]] = {}

    def add(self, payment: Payment) -> tuple[str, ...]:
        if (payment.amount_usd >= self.params.max_amount_usd
                or not in_corridor(self.params.corridor, payment)):
            return ()
        found = self._senders.setdefault(payment.sender, FindingPayments())
        gaps = self._gaps.setdefault(payment.sender, [])
        position = found.add(payment)
        seconds = found.seconds[max(position - 1, 0):position + 2]
        if 0 < position < len(found.payments) - 1:
            gaps.remove(seconds[2] - seconds[0])
        for before, after in itertools.pairwise(seconds):
            insort(gaps, after - before)
        return (payment.sender,)

    def finding(self, key: str) -> dict[str, Any] | None:
        found = self._senders.get(key)
        if found is None or len(found.payments) <= self.params.min_payments_exclusive:
            return None
        median_gap = median(self._gaps[key], float(SECONDS_PER_DAY))
        if median_gap is None or median_gap >= self.params.max_median_gap_days:
            return None
        return {**found.row(), "median_gap_days": median_gap}


class ProlificSender(PaymentRule[ProlificSenderParams]):
    """R2: strength grows with the count of small payments past the threshold."""

    name = "R2"
    description = "prolific low-value sender (many small payments at a short median gap)"
    citation = "AIC T&I 634 (Cubitt, Napier & Brown 2021), AIC (Wolbers)"
    parameters_type = ProlificSenderParams
    corridor_only = True
    history_key = "sender"
    score_figures = ()
    incremental = ProlificSenderIncremental

    def sql(self, params: ProlificSenderParams) -> str:
        return prolific_sender_sql(params)

    def strength(self, params: ProlificSenderParams, stats: Mapping[str, Any]) -> float:
        return beyond(stats["txn_count"], params.min_payments_exclusive)

    def explain(self, params: ProlificSenderParams, senders: list[str],
                beneficiaries: list[str], stats: Mapping[str, Any]) -> str:
        return (f"{', '.join(senders)} sent {stats['txn_count']} payments under "
                f"US${params.max_amount_usd:,.0f} to high-risk corridors, a median "
                f"{stats['median_gap_days']:.1f} days apart")
