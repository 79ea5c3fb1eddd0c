"""R8: even amounts, round sums in the sender's own currency.

Source: FATF 2025 (round or even-denominated amounts, fiat or crypto). Families round too, so
the weight is low.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from vigil.payments.rule_base import PaymentRule, PositiveFloat, RuleParameters
from vigil.payments.share_incremental import MarkedShareIncremental, is_even
from vigil.payments.share_sql import marked_share_sql
from vigil.payments.sql_parts import number
from vigil.records import Payment


class EvenAmountsParams(RuleParameters):
    """R8: at least ``min_marked`` corridor payments whose amount is a multiple of ``step``."""

    step: PositiveFloat
    max_amount_usd: PositiveFloat
    min_marked: int = Field(ge=1)
    min_share: float = Field(gt=0, le=1)


def even_amounts_sql(params: EvenAmountsParams, for_score: bool = False) -> str:
    step = number(params.step)
    mark = f"ABS(c.amount - {step} * ROUND(c.amount / {step})) < 0.005"
    return marked_share_sql(params.corridor, mark, params.min_marked, params.min_share,
                            f"amount_usd <= {number(params.max_amount_usd)}",
                            for_score=for_score)


class EvenAmountsIncremental(MarkedShareIncremental[EvenAmountsParams]):
    """R8 one payment at a time: the even amount of :func:`even_amounts_sql` in Python."""

    def marked(self, payment: Payment) -> bool:
        return is_even(payment.amount, self.params.step)


class EvenAmounts(PaymentRule[EvenAmountsParams]):
    """R8: strength is the share of even amounts."""

    name = "R8"
    description = "even (round) amounts in the sender's currency"
    citation = "FATF 2025"
    parameters_type = EvenAmountsParams
    corridor_only = True
    history_key = "sender"
    score_figures = ("marked_share",)
    incremental = EvenAmountsIncremental

    def sql(self, params: EvenAmountsParams) -> str:
        return even_amounts_sql(params)

    def score_sql(self, params: EvenAmountsParams) -> str:
        return even_amounts_sql(params, for_score=True)

    def strength(self, params: EvenAmountsParams, stats: Mapping[str, Any]) -> float:
        return float(stats["marked_share"])

    def explain(self, params: EvenAmountsParams, senders: list[str], beneficiaries: list[str],
                stats: Mapping[str, Any]) -> str:
        return (f"{', '.join(senders)} sent {stats['marked_payments']} of "
                f"{stats['corridor_payments']} low-value corridor payments in whole multiples "
                f"of {params.step:g} of their currency")
