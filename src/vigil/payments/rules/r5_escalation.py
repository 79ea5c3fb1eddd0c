"""R5: escalation, a sender's corridor payments growing larger and more frequent.

Source: AIC T&I 589 (Brown, Napier & Smith 2020): the median amount rose and payments became more
frequent; AUSTRAC: "small amounts once every few weeks", then "higher and more frequent".
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import Field

from vigil.model import JSONValue
from vigil.payments.incremental_base import FindingPayments, in_corridor, median
from vigil.payments.rule_base import IncrementalRule, PaymentRule, RuleParameters, beyond
from vigil.payments.sql_parts import FINDING_COLUMNS, SECONDS_PER_DAY, corridor_cte, number
from vigil.records import Payment

MICRO = 1_000_000
"""Amounts as whole micro-dollars for the medians (an amount has at most 6 decimals)."""


class EscalationParams(RuleParameters):
    """R5: second-half median amount and gap against the first half's, as ratios."""

    min_payments: int = Field(ge=4)
    min_amount_ratio: float = Field(ge=1)
    min_gap_shrink: float = Field(ge=1)


def escalation_sql(params: EscalationParams) -> str:
    """R5: compares medians of the first and second half of a sender's corridor payments.

    Halves are by order in time (the middle payment of an odd count belongs to neither), and a gap
    counts for a half only when both of its payments lie in that half. Medians resist the
    one-off large payment that would tilt a regression slope.

    Medians are taken over whole numbers (micro-dollars, seconds), so the middle of two values is
    exact in every engine; a median of floats is not (DuckDB and Spark interpolate in a different
    order, and 6 of 33,802 R5 findings differed in the last bit of the gap median).
    """
    order = "PARTITION BY p.sender ORDER BY p.sent_at, p.txn_id"
    return f"""WITH
{corridor_cte("corridor_payments", params.corridor)},
numbered_payments AS (
    SELECT
        p.sender,
        CAST(ROUND(p.amount_usd * {MICRO}) AS BIGINT) AS amount_micro,
        ROW_NUMBER() OVER ({order}) AS payment_number,
        COUNT(*) OVER (PARTITION BY p.sender) AS sender_payments,
        p.sent_s - LAG(p.sent_s) OVER ({order}) AS gap_s
    FROM corridor_payments p
),
payments_by_half AS (
    SELECT
        sender,
        CASE WHEN 2 * payment_number <= sender_payments THEN amount_micro END AS first_half_micro,
        CASE WHEN 2 * payment_number > sender_payments + 1 THEN amount_micro END
            AS second_half_micro,
        CASE WHEN payment_number >= 2 AND 2 * payment_number <= sender_payments
             THEN gap_s END
            AS first_half_gap_s,
        CASE WHEN 2 * (payment_number - 1) > sender_payments + 1 THEN gap_s END
            AS second_half_gap_s
    FROM numbered_payments
    WHERE sender_payments >= {int(params.min_payments)}
),
half_medians AS (
    SELECT
        sender,
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY first_half_micro) / {number(MICRO)}
            AS first_median_usd,
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY second_half_micro) / {number(MICRO)}
            AS second_median_usd,
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY first_half_gap_s) / {number(SECONDS_PER_DAY)}
            AS first_median_gap_days,
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY second_half_gap_s)
            / {number(SECONDS_PER_DAY)} AS second_median_gap_days
    FROM payments_by_half
    GROUP BY sender
),
escalating_senders AS (
    SELECT *
    FROM half_medians
    WHERE second_median_usd >= {number(params.min_amount_ratio)} * first_median_usd
      AND first_median_gap_days > 0
      AND second_median_gap_days * {number(params.min_gap_shrink)} <= first_median_gap_days
)
SELECT
    {FINDING_COLUMNS},
    e.first_median_usd, e.second_median_usd, e.first_median_gap_days, e.second_median_gap_days
FROM escalating_senders e
JOIN corridor_payments p ON p.sender = e.sender
GROUP BY e.sender, e.first_median_usd, e.second_median_usd,
         e.first_median_gap_days, e.second_median_gap_days
ORDER BY e.sender"""

def micro_dollars(amount_usd: float) -> int:
    """``CAST(ROUND(amount_usd * 1000000) AS BIGINT)``: the product rounded half away from 0."""
    return int(Decimal(amount_usd * MICRO).to_integral_value(ROUND_HALF_UP))


def _half_medians(micros: list[int], seconds: list[int]) -> tuple[float | None, ...]:
    """The four medians of :func:`escalation_sql`'s ``half_medians`` for one sender."""
    n = len(micros)
    numbers = range(1, n + 1)
    first = sorted(micros[k - 1] for k in numbers if 2 * k <= n)
    second = sorted(micros[k - 1] for k in numbers if 2 * k > n + 1)
    first_gaps = sorted(seconds[k - 1] - seconds[k - 2] for k in numbers if 2 <= k and 2 * k <= n)
    second_gaps = sorted(seconds[k - 1] - seconds[k - 2] for k in numbers
                         if k >= 2 and 2 * (k - 1) > n + 1)
    amounts = [None if m is None else m / MICRO for m in (median(first), median(second))]
    gaps = [None if g is None else g / SECONDS_PER_DAY
            for g in (median(first_gaps), median(second_gaps))]
    return (*amounts, *gaps)


class EscalationIncremental(IncrementalRule[EscalationParams]):
    """R5 one payment at a time: each sender's corridor payments in time order; the halves'
    medians are taken again from them when the sender pays (a payment moves the halves)."""

    def __init__(self, params: EscalationParams) -> None:
        super().__init__(params)
        self._senders: dict[str, FindingPayments] = {}
        self._micros: dict[str, int] = {}

    def add(self, payment: Payment) -> tuple[str, ...]:
        if not in_corridor(self.params.corridor, payment):
            return ()
        self._senders.setdefault(payment.sender, FindingPayments()).add(payment)
        self._micros[payment.txn_id] = micro_dollars(payment.amount_usd)
        return (payment.sender,)

    def finding(self, key: str) -> dict[str, Any] | None:
        found = self._senders.get(key)
        if found is None or len(found.payments) < self.params.min_payments:
            return None
        micros = [self._micros[txn_id] for _, txn_id, _ in found.payments]
        seconds = found.seconds
        first_usd, second_usd, first_gap, second_gap = _half_medians(micros, seconds)
        if (first_usd is None or second_usd is None or first_gap is None or second_gap is None
                or second_usd < float(self.params.min_amount_ratio) * first_usd
                or not first_gap > 0
                or second_gap * float(self.params.min_gap_shrink) > first_gap):
            return None
        return {**found.row(), "first_median_usd": first_usd, "second_median_usd": second_usd,
                "first_median_gap_days": first_gap, "second_median_gap_days": second_gap}


class Escalation(PaymentRule[EscalationParams]):
    """R5: strength is the mean of how far the amount rose and the gap shrank past their ratios."""

    name = "R5"
    description = "escalation of amount and frequency (second-half medians against the first)"
    citation = "AIC T&I 589 (Brown, Napier & Smith 2020), AUSTRAC"
    parameters_type = EscalationParams
    corridor_only = True
    history_key = "sender"
    score_figures = ("first_median_usd", "second_median_usd", "first_median_gap_days",
                     "second_median_gap_days")
    incremental = EscalationIncremental

    def sql(self, params: EscalationParams) -> str:
        return escalation_sql(params)

    def strength(self, params: EscalationParams, stats: Mapping[str, Any]) -> float:
        shrink = stats["gap_shrink"]
        gap_part = 1.0 if shrink is None else beyond(shrink, params.min_gap_shrink)
        return (beyond(stats["amount_ratio"], params.min_amount_ratio) + gap_part) / 2.0

    def explain(self, params: EscalationParams, senders: list[str], beneficiaries: list[str],
                stats: Mapping[str, Any]) -> str:
        return (f"{', '.join(senders)}'s corridor payments escalated: the median amount rose "
                f"from US${stats['first_median_usd']:,.2f} to "
                f"US${stats['second_median_usd']:,.2f} and the median gap fell from "
                f"{stats['first_median_gap_days']:.1f} to {stats['second_median_gap_days']:.1f} "
                f"days")

    def derived_stats(self, row: Mapping[str, Any]) -> dict[str, JSONValue]:
        """The two ratios R5 fires on; no gap shrink when the second half has no gap."""
        first_gap, second_gap = row["first_median_gap_days"], row["second_median_gap_days"]
        return {
            "amount_ratio": round(row["second_median_usd"] / row["first_median_usd"], 4),
            "gap_shrink": round(first_gap / second_gap, 4) if second_gap > 0 else None,
        }
