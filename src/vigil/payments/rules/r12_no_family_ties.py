"""R12: sender profile, no apparent family ties to anyone the sender pays in the corridor.

Source: AUSTRAC v Westpac statement of claim ("no apparent family ties" to the Philippines or
South-East Asia); AIC and FINTRAC sender profiles. Age and sex are not in payment data and vigil
does not profile by them; a surname shared with a beneficiary is the one family tie the data
shows, and in-laws have none, so the weight is low.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from vigil.payments.incremental_base import surname
from vigil.payments.rule_base import PaymentRule, RuleParameters
from vigil.payments.share_incremental import MarkedShareIncremental
from vigil.payments.share_sql import marked_share_sql
from vigil.records import Payment

UNRELATED = ("(c.sender_surname IS NOT NULL AND c.beneficiary_surname IS NOT NULL "
             "AND c.sender_surname <> c.beneficiary_surname)")


class NoFamilyTiesParams(RuleParameters):
    """R12: at least ``min_marked`` corridor payments, ``min_share`` of them to beneficiaries
    whose surname differs from the sender's (both names known)."""

    min_marked: int = Field(ge=1)
    min_share: float = Field(gt=0, le=1)


def no_family_ties_sql(params: NoFamilyTiesParams, for_score: bool = False) -> str:
    return marked_share_sql(params.corridor, UNRELATED, params.min_marked, params.min_share,
                            for_score=for_score)


class NoFamilyTiesIncremental(MarkedShareIncremental[NoFamilyTiesParams]):
    """R12 one payment at a time: :data:`UNRELATED` in Python."""

    def marked(self, payment: Payment) -> bool:
        sender, beneficiary = surname(payment.sender_name), surname(payment.beneficiary_name)
        return sender is not None and beneficiary is not None and sender != beneficiary


class NoFamilyTies(PaymentRule[NoFamilyTiesParams]):
    """R12: strength is the unrelated share."""

    name = "R12"
    description = "no apparent family ties to the corridor beneficiaries (no shared surname)"
    citation = "AUSTRAC v Westpac statement of claim, AIC T&I 589, FINTRAC 2025"
    parameters_type = NoFamilyTiesParams
    corridor_only = True
    history_key = "sender"
    score_figures = ("marked_share",)
    incremental = NoFamilyTiesIncremental

    def sql(self, params: NoFamilyTiesParams) -> str:
        return no_family_ties_sql(params)

    def score_sql(self, params: NoFamilyTiesParams) -> str:
        return no_family_ties_sql(params, for_score=True)

    def strength(self, params: NoFamilyTiesParams, stats: Mapping[str, Any]) -> float:
        return float(stats["marked_share"])

    def explain(self, params: NoFamilyTiesParams, senders: list[str], beneficiaries: list[str],
                stats: Mapping[str, Any]) -> str:
        return (f"{', '.join(senders)} shares no surname with the beneficiaries of "
                f"{stats['marked_payments']} of {stats['corridor_payments']} corridor payments")
