"""R16: financially motivated sextortion, the victim side.

Source: FATF 2025 and FINTRAC 2025: several rapid outgoing payments starting under EUR 250,
in all at most EUR 1,500, then an abrupt stop; payee abroad. The alert protects a victim: the
typology score keeps it apart from the buyer score (:mod:`vigil.payments.typology`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from vigil.payments.incremental_base import FindingPayments
from vigil.payments.rule_base import (
    Country,
    IncrementalRule,
    PaymentRule,
    PositiveFloat,
    RuleParameters,
)
from vigil.payments.sql_parts import FINDING_COLUMNS, number, quoted_text
from vigil.records import Payment


class SextortionVictimParams(RuleParameters):
    """R16: ``min_payments`` or more to one payee abroad, all within ``window_hours``, the first
    at most ``first_max_usd``, together at most ``total_max_usd``; none before or after."""

    payee_countries: tuple[Country, ...] = Field(min_length=1)
    min_payments: int = Field(ge=2)
    window_hours: PositiveFloat
    first_max_usd: PositiveFloat
    total_max_usd: PositiveFloat


def payee_abroad_where(params: SextortionVictimParams) -> str:
    """The payments R16 reads: an individual in a consumer country paying a payee abroad."""
    consumers = ", ".join(quoted_text(c) for c in params.corridor.consumer_countries)
    payees = ", ".join(quoted_text(c) for c in params.payee_countries)
    return f"""sender_country IN ({consumers}) AND beneficiary_country IN ({payees})
      AND sender_country <> beneficiary_country AND sender_type = 'individual'"""


def sextortion_victim_sql(params: SextortionVictimParams) -> str:
    """R16: each (payer, payee abroad) pair whose payments form one short, small burst, with
    the first payment's amount. The pairs are bounded by one aggregate first; only the rows of
    the few left are put in time order for the first amount (numbering every pair's rows took
    most of the query, docs/benchmarks.md, the pack's fourth round)."""
    return f"""WITH
pair_rows AS (
    SELECT txn_id, sender, beneficiary, amount_usd, sent_at,
           unix_seconds(sent_at) AS sent_s
    FROM payments
    WHERE {payee_abroad_where(params)}
),
pair_spans AS (
    SELECT sender, beneficiary, COUNT(*) AS burst_payments,
           CAST(MAX(sent_s) - MIN(sent_s) AS DOUBLE) / 3600.0 AS burst_hours
    FROM pair_rows
    GROUP BY sender, beneficiary
    HAVING COUNT(*) >= {int(params.min_payments)}
       AND MAX(sent_s) - MIN(sent_s) <= {number(params.window_hours * 3600)}
       AND SUM(amount_usd) <= {number(params.total_max_usd)}
),
burst_rows AS (
    SELECT p.*, b.burst_payments, b.burst_hours,
           ROW_NUMBER() OVER (PARTITION BY p.sender, p.beneficiary
                              ORDER BY p.sent_at, p.txn_id) AS nth
    FROM pair_spans b
    JOIN pair_rows p ON p.sender = b.sender AND p.beneficiary = b.beneficiary
),
bursts AS (
    SELECT sender, beneficiary, burst_payments, burst_hours,
           MAX(CASE WHEN nth = 1 THEN amount_usd END) AS first_usd
    FROM burst_rows
    GROUP BY sender, beneficiary, burst_payments, burst_hours
)
SELECT
    {FINDING_COLUMNS},
    b.burst_payments, b.burst_hours, b.first_usd
FROM bursts b
JOIN burst_rows p ON p.sender = b.sender AND p.beneficiary = b.beneficiary
WHERE b.first_usd <= {number(params.first_max_usd)}
GROUP BY b.sender, b.beneficiary, b.burst_payments, b.burst_hours, b.first_usd
ORDER BY b.sender"""


class SextortionVictimIncremental(IncrementalRule[SextortionVictimParams]):
    """R16 one payment at a time: each (payer, payee abroad) pair's payments in time order.

    The burst's span and total only grow, so a pair past either bound is over for good: its
    payments are dropped and later ones to it cost nothing. The key is the pair (one finding
    per pair, as the SQL groups), ``sender`` and ``beneficiary`` joined by a tab.
    """

    def __init__(self, params: SextortionVictimParams) -> None:
        super().__init__(params)
        self._consumers = frozenset(params.corridor.consumer_countries)
        self._payees = frozenset(params.payee_countries)
        self._window_s = float(params.window_hours * 3600)
        self._pairs: dict[str, FindingPayments | None] = {}

    def add(self, payment: Payment) -> tuple[str, ...]:
        if (payment.sender_country not in self._consumers
                or payment.beneficiary_country not in self._payees
                or payment.sender_country == payment.beneficiary_country
                or payment.sender_type != "individual"):
            return ()
        key = f"{payment.sender}\t{payment.beneficiary}"
        found = self._pairs.setdefault(key, FindingPayments())
        if found is None:
            return ()
        found.add(payment)
        if (found.seconds[-1] - found.seconds[0] > self._window_s
                or found.total_usd > self.params.total_max_usd):
            self._pairs[key] = None
        return (key,)

    def finding(self, key: str) -> dict[str, Any] | None:
        found = self._pairs.get(key)
        if found is None or len(found.payments) < self.params.min_payments:
            return None
        first_usd = found.payments[0][2].amount_usd
        if first_usd > self.params.first_max_usd:
            return None
        return {**found.row(), "burst_payments": len(found.payments),
                "burst_hours": float(found.seconds[-1] - found.seconds[0]) / 3600.0,
                "first_usd": first_usd}


class SextortionVictim(PaymentRule[SextortionVictimParams]):
    """R16: strength grows with the payments in the burst."""

    name = "R16"
    description = "sextortion victim: a short burst of growing payments abroad, then a stop"
    citation = "FATF 2025, FINTRAC 2025"
    parameters_type = SextortionVictimParams
    history_key = "sender"
    score_figures = ("burst_payments",)
    incremental = SextortionVictimIncremental

    def sql(self, params: SextortionVictimParams) -> str:
        return sextortion_victim_sql(params)

    def rows_read(self, params: SextortionVictimParams) -> str | None:
        return payee_abroad_where(params)

    def strength(self, params: SextortionVictimParams, stats: Mapping[str, Any]) -> float:
        count = float(stats["burst_payments"])
        return count / (count + 1.0)

    def explain(self, params: SextortionVictimParams, senders: list[str],
                beneficiaries: list[str], stats: Mapping[str, Any]) -> str:
        return (f"{', '.join(senders)} paid {', '.join(beneficiaries)} abroad "
                f"{stats['burst_payments']} times within {stats['burst_hours']:.1f} hours "
                f"(US${stats['total_usd']:,.2f} in all, the first US${stats['first_usd']:,.2f}), "
                f"then stopped: a sextortion victim's pattern")
