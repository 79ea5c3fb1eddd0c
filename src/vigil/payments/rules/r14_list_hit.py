"""R14: list hit, the sender pays a beneficiary on a list of known facilitators.

Source: AUSTRAC cases and the AIC design (AIC T&I 589 studied senders to known facilitators,
people arrested for live-streaming abuse). The list is the analyst's or a law-enforcement or FIU
list, kept in the pack (``listed_beneficiaries``); it ships empty, and then the rule finds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vigil.payments.incremental_base import FindingPayments
from vigil.payments.rule_base import IncrementalRule, PaymentRule, RuleParameters, Text
from vigil.payments.sql_parts import FINDING_COLUMNS, quoted_text
from vigil.records import Payment


class ListHitParams(RuleParameters):
    """R14: payment accounts (``provider:id``, as stored) of known facilitators."""

    listed_beneficiaries: tuple[Text, ...] = ()


def listed_where(params: ListHitParams, alias: str = "") -> str:
    """The payments R14 reads: those to a listed account (none when the list is empty)."""
    listed = ", ".join(quoted_text(a) for a in params.listed_beneficiaries)
    return f"{alias}beneficiary IN ({listed})" if listed else "1 = 0"


def list_hit_sql(params: ListHitParams) -> str:
    """Any payment (any amount, any corridor) to a listed account, per sender."""
    where = listed_where(params, "p.")
    return f"""SELECT
    {FINDING_COLUMNS}
FROM payments p
WHERE {where}
GROUP BY p.sender
ORDER BY p.sender"""


class ListHitIncremental(IncrementalRule[ListHitParams]):
    """R14 one payment at a time: each sender's payments to a listed account."""

    def __init__(self, params: ListHitParams) -> None:
        super().__init__(params)
        self._listed = frozenset(params.listed_beneficiaries)
        self._senders: dict[str, FindingPayments] = {}

    def add(self, payment: Payment) -> tuple[str, ...]:
        if payment.beneficiary not in self._listed:
            return ()
        self._senders.setdefault(payment.sender, FindingPayments()).add(payment)
        return (payment.sender,)

    def finding(self, key: str) -> dict[str, Any] | None:
        found = self._senders.get(key)
        return found.row() if found else None


class ListHit(PaymentRule[ListHitParams]):
    """R14: full strength: the beneficiary is known."""

    name = "R14"
    description = "pays a beneficiary on a list of known facilitators"
    citation = "AUSTRAC cases, AIC T&I 589"
    parameters_type = ListHitParams
    history_key = "sender"
    score_figures = ()
    incremental = ListHitIncremental

    def sql(self, params: ListHitParams) -> str:
        return list_hit_sql(params)

    def rows_read(self, params: ListHitParams) -> str | None:
        return listed_where(params)

    def strength(self, params: ListHitParams, stats: Mapping[str, Any]) -> float:
        return 1.0

    def explain(self, params: ListHitParams, senders: list[str], beneficiaries: list[str],
                stats: Mapping[str, Any]) -> str:
        return (f"{', '.join(senders)} paid listed facilitator account(s) "
                f"{', '.join(beneficiaries)} {stats['txn_count']} time(s)")
