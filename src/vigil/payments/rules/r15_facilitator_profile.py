"""R15: paying a beneficiary with the facilitator-side profile.

Source: AMLC modus operandi and beneficiary typologies (an individual account receiving many
small international remittances from unrelated foreign senders); AUSTRAC case study (a common
beneficiary of several customers). Organisations that receive from many (charities, parishes,
schools) are told apart by shape: a business account, a name with an organisation word, more
senders than a facilitator household serves, or an analyst's allow-list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field

from vigil.payments.incremental_base import FindingPayments, in_corridor, surname
from vigil.payments.rule_base import (
    IncrementalRule,
    PaymentRule,
    PositiveFloat,
    RuleParameters,
    Text,
)
from vigil.payments.sql_parts import FINDING_COLUMNS, corridor_cte, number, quoted_text
from vigil.records import Payment


class FacilitatorProfileParams(RuleParameters):
    """R15: the beneficiary has ``min_unrelated_senders``..``max_senders`` senders of low-value
    payments, unrelated to it and to each other (distinct surnames), and no organisation shape."""

    max_amount_usd: PositiveFloat
    min_unrelated_senders: int = Field(ge=2)
    max_senders: int = Field(ge=2)
    organisation_words: tuple[Text, ...] = ()
    allow_list: tuple[Text, ...] = ()


def _organisation(params: FacilitatorProfileParams) -> str:
    words = [f"POSITION({quoted_text(w.lower())} IN LOWER(raw.beneficiary_name)) > 0"
             for w in params.organisation_words]
    listed = [f"raw.beneficiary = {quoted_text(a)}" for a in params.allow_list]
    return "(" + " OR ".join(["FALSE", *words, *listed]) + ")"


def facilitator_profile_sql(params: FacilitatorProfileParams) -> str:
    cte = corridor_cte("small_corridor_rows", params.corridor,
                       f"amount_usd <= {number(params.max_amount_usd)}")
    return f"""WITH
{cte},
receiving AS (
    SELECT c.beneficiary,
           COUNT(DISTINCT c.sender) AS distinct_senders,
           COUNT(DISTINCT CASE WHEN c.sender_surname IS NULL
                                    OR c.beneficiary_surname IS NULL
                                    OR c.sender_surname <> c.beneficiary_surname
                               THEN COALESCE(c.sender_surname, c.sender) END)
               AS unrelated_senders,
           MAX(CASE WHEN {_organisation(params)} THEN 1 ELSE 0 END) AS organisation
    FROM small_corridor_rows c
    JOIN payments raw ON raw.txn_id = c.txn_id
    GROUP BY c.beneficiary
),
facilitator_like AS (
    SELECT beneficiary, unrelated_senders
    FROM receiving
    WHERE unrelated_senders >= {int(params.min_unrelated_senders)}
      AND distinct_senders <= {int(params.max_senders)}
      AND organisation = 0
)
SELECT
    {FINDING_COLUMNS},
    COUNT(DISTINCT p.beneficiary) AS facilitator_like_beneficiaries,
    MAX(f.unrelated_senders) AS most_unrelated_senders
FROM small_corridor_rows p
JOIN facilitator_like f ON f.beneficiary = p.beneficiary
WHERE p.sender_surname IS NULL OR p.beneficiary_surname IS NULL
   OR p.sender_surname <> p.beneficiary_surname
GROUP BY p.sender
ORDER BY p.sender"""


@dataclass
class _Receiver:
    """One beneficiary's side of ``receiving``: its senders, the unrelated ones' surnames (or
    accounts), whether it looks like an organisation, and the payers whose findings read it."""

    senders: set[str] = field(default_factory=set)
    unrelated: set[str] = field(default_factory=set)
    organisation: bool = False
    payers: set[str] = field(default_factory=set)


class FacilitatorProfileIncremental(IncrementalRule[FacilitatorProfileParams]):
    """R15 one payment at a time: each beneficiary's ``receiving`` figures, and each sender's
    unrelated small corridor payments per beneficiary.

    A beneficiary's figures only grow, so one with too many senders or an organisation's shape
    is out for good and its payments are no longer kept. A payment that changes whether its
    beneficiary is facilitator-like, or its count of unrelated senders, changes the finding of
    every payer of that beneficiary (at most ``max_senders`` of them): all their keys come back.
    """

    def __init__(self, params: FacilitatorProfileParams) -> None:
        super().__init__(params)
        self._words = tuple(w.lower() for w in params.organisation_words)
        self._allowed = frozenset(params.allow_list)
        self._receivers: dict[str, _Receiver | None] = {}
        self._paid: dict[str, dict[str, FindingPayments]] = {}

    def _state(self, receiver: _Receiver) -> tuple[bool, int]:
        like = (len(receiver.unrelated) >= self.params.min_unrelated_senders
                and len(receiver.senders) <= self.params.max_senders
                and not receiver.organisation)
        return like, len(receiver.unrelated)

    def _organisation(self, payment: Payment) -> bool:
        name = (payment.beneficiary_name or "").lower()
        return payment.beneficiary in self._allowed or any(word in name for word in self._words)

    def add(self, payment: Payment) -> tuple[str, ...]:
        if (payment.amount_usd > self.params.max_amount_usd
                or not in_corridor(self.params.corridor, payment)):
            return ()
        receiver = self._receivers.setdefault(payment.beneficiary, _Receiver())
        if receiver is None:
            return ()
        before = self._state(receiver)
        sender_surname = surname(payment.sender_name)
        beneficiary_surname = surname(payment.beneficiary_name)
        unrelated = (sender_surname is None or beneficiary_surname is None
                     or sender_surname != beneficiary_surname)
        receiver.senders.add(payment.sender)
        receiver.organisation = receiver.organisation or self._organisation(payment)
        if unrelated:
            receiver.unrelated.add(sender_surname or payment.sender)
            receiver.payers.add(payment.sender)
            self._paid.setdefault(payment.sender, {}).setdefault(
                payment.beneficiary, FindingPayments()).add(payment)
        changed = {payment.sender}
        if self._state(receiver) != before:
            changed |= receiver.payers
        if len(receiver.senders) > self.params.max_senders or receiver.organisation:
            self._drop(payment.beneficiary, receiver)
        return tuple(sorted(changed))

    def _drop(self, beneficiary: str, receiver: _Receiver) -> None:
        """Forget a beneficiary that can never be facilitator-like again."""
        self._receivers[beneficiary] = None
        for payer in receiver.payers:
            self._paid[payer].pop(beneficiary, None)

    def finding(self, key: str) -> dict[str, Any] | None:
        unrelated_senders = []
        found: list[tuple[Any, str, Payment]] = []
        for beneficiary, paid in self._paid.get(key, {}).items():
            receiver = self._receivers.get(beneficiary)
            if receiver is not None and self._state(receiver)[0]:
                unrelated_senders.append(len(receiver.unrelated))
                found += paid.payments
        if not found:
            return None
        return {**FindingPayments(payments=sorted(found, key=lambda e: (e[0], e[1]))).row(),
                "facilitator_like_beneficiaries": len(unrelated_senders),
                "most_unrelated_senders": max(unrelated_senders)}


class FacilitatorProfile(PaymentRule[FacilitatorProfileParams]):
    """R15: strength grows with the unrelated senders the busiest such beneficiary has."""

    name = "R15"
    description = "pays a beneficiary with the facilitator-side profile (many unrelated senders)"
    citation = "AMLC modus operandi and beneficiary typologies, AUSTRAC case study"
    parameters_type = FacilitatorProfileParams
    history_key = None
    incremental = FacilitatorProfileIncremental

    def sql(self, params: FacilitatorProfileParams) -> str:
        return facilitator_profile_sql(params)

    def strength(self, params: FacilitatorProfileParams, stats: Mapping[str, Any]) -> float:
        senders = float(stats["most_unrelated_senders"])
        return senders / (senders + 1.0)

    def explain(self, params: FacilitatorProfileParams, senders: list[str],
                beneficiaries: list[str], stats: Mapping[str, Any]) -> str:
        return (f"{', '.join(senders)} paid {', '.join(beneficiaries)}, individual account(s) "
                f"receiving small payments from up to {stats['most_unrelated_senders']} "
                f"unrelated senders abroad, with no organisation's shape")
