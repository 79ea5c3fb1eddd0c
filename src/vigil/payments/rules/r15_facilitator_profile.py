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

from pydantic import Field, model_validator

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

SATURATION_SENDERS = 8
"""vigil default (the shipped pack sets it, with its reason: payment_typology.yaml)."""


class FacilitatorProfileParams(RuleParameters):
    """R15: the beneficiary has ``min_unrelated_senders``..``max_senders`` senders of low-value
    payments, unrelated to it and to each other (distinct surnames), and no organisation shape.
    The count reported and scored saturates at ``saturation_senders``: past a few households'
    worth of unrelated senders more of them says nothing more about the payer."""

    max_amount_usd: PositiveFloat
    min_unrelated_senders: int = Field(ge=2)
    max_senders: int = Field(ge=2)
    saturation_senders: int = Field(default=SATURATION_SENDERS, ge=2)
    organisation_words: tuple[Text, ...] = ()
    allow_list: tuple[Text, ...] = ()

    @model_validator(mode="after")
    def _saturation_reached(self) -> FacilitatorProfileParams:
        if self.saturation_senders < self.min_unrelated_senders:
            raise ValueError("saturation_senders must be at least min_unrelated_senders")
        return self


def _organisation(params: FacilitatorProfileParams) -> str:
    words = [f"POSITION({quoted_text(w.lower())} IN LOWER(c.beneficiary_name)) > 0"
             for w in params.organisation_words]
    listed = [f"c.beneficiary = {quoted_text(a)}" for a in params.allow_list]
    return "(" + " OR ".join(["FALSE", *words, *listed]) + ")"


def _profile_ctes(params: FacilitatorProfileParams) -> str:
    """The CTEs up to ``facilitator_like``: each facilitator-like beneficiary with its count
    of unrelated senders, saturated at ``saturation_senders``."""
    cte = corridor_cte("small_corridor_rows", params.corridor,
                       f"amount_usd <= {number(params.max_amount_usd)}", ("beneficiary_name",))
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
    GROUP BY c.beneficiary
),
facilitator_like AS (
    SELECT beneficiary,
           LEAST(unrelated_senders, {int(params.saturation_senders)}) AS unrelated_senders
    FROM receiving
    WHERE unrelated_senders >= {int(params.min_unrelated_senders)}
      AND distinct_senders <= {int(params.max_senders)}
      AND organisation = 0
)"""


def facilitator_profile_sql(params: FacilitatorProfileParams) -> str:
    return f"""{_profile_ctes(params)}
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


def beneficiary_profile_sql(params: FacilitatorProfileParams) -> str:
    """What a payer's finding reads of a beneficiary it paid: one row per facilitator-like
    beneficiary with its saturated count (``profile``); none for the others."""
    return f"""{_profile_ctes(params)}
SELECT beneficiary, unrelated_senders AS profile FROM facilitator_like"""


@dataclass
class _Receiver:
    """One beneficiary's side of ``receiving``: its senders, the unrelated ones' surnames (or
    accounts), whether it looks like an organisation, and the payers whose findings read it."""

    senders: set[str] = field(default_factory=set)
    unrelated: set[str] = field(default_factory=set)
    organisation: bool = False
    payers: set[str] = field(default_factory=set)
    like: bool = False
    """Facilitator-like, as of the last payment taken."""


class FacilitatorProfileIncremental(IncrementalRule[FacilitatorProfileParams]):
    """R15 one payment at a time: each beneficiary's ``receiving`` figures, and each sender's
    unrelated small corridor payments per beneficiary.

    A beneficiary's figures only grow, so one with too many senders or an organisation's shape
    is out for good and its payments are no longer kept. A payment that changes whether its
    beneficiary is facilitator-like changes the finding of every payer of that beneficiary (at
    most ``max_senders`` of them): all their keys come back; one that raises its count of
    unrelated senders below ``saturation_senders`` changes the findings of the payers for whom
    it is now the busiest such beneficiary (past it the saturated count stays). Otherwise only
    the payer's own key comes back, and only when its payment counts (unrelated, to a
    facilitator-like beneficiary).
    """

    def __init__(self, params: FacilitatorProfileParams) -> None:
        super().__init__(params)
        self._words = tuple(w.lower() for w in params.organisation_words)
        self._allowed = frozenset(params.allow_list)
        self._receivers: dict[str, _Receiver | None] = {}
        self._paid: dict[str, dict[str, FindingPayments]] = {}
        self._built: dict[str, tuple[tuple[str, ...], int, dict[str, Any]]] = {}
        """Per payer, the finding columns last built: for which beneficiaries, after how many
        of its payments (a change of a beneficiary's count alone does not rebuild them)."""
        self._taken: dict[str, int] = {}
        self._most: dict[str, int] = {}
        """Per payer, the most unrelated senders of its facilitator-like beneficiaries, kept
        as they change: a beneficiary's count that stays at or under it leaves the payer's
        finding as it was."""

    def _like(self, receiver: _Receiver) -> bool:
        return (len(receiver.unrelated) >= self.params.min_unrelated_senders
                and len(receiver.senders) <= self.params.max_senders
                and not receiver.organisation)

    def _count(self, receiver: _Receiver) -> int:
        """The beneficiary's unrelated senders, saturated: the figure findings carry."""
        return min(len(receiver.unrelated), self.params.saturation_senders)

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
        like, before = receiver.like, self._count(receiver)
        unrelated = self._take(payment, receiver)
        receiver.like = self._like(receiver)
        count = self._count(receiver)
        changed: set[str] = set()
        if receiver.like != like:
            changed = set(receiver.payers)
            for payer in changed:
                self._most[payer] = self._busiest(payer)
        elif like and count != before:
            changed = {payer for payer in receiver.payers if self._most.get(payer, 0) < count}
            self._most.update(dict.fromkeys(changed, count))
        if unrelated and receiver.like:
            changed.add(payment.sender)
            self._most[payment.sender] = max(self._most.get(payment.sender, 0), count)
        if len(receiver.senders) > self.params.max_senders or receiver.organisation:
            self._drop(payment.beneficiary, receiver)
        return tuple(sorted(changed))

    def _take(self, payment: Payment, receiver: _Receiver) -> bool:
        """Count one payment for its beneficiary, and keep it for its payer when unrelated."""
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
            self._taken[payment.sender] = self._taken.get(payment.sender, 0) + 1
        return unrelated

    def _busiest(self, payer: str) -> int:
        """The most unrelated senders of the payer's facilitator-like beneficiaries (0: none)."""
        return max((self._count(receiver) for other in self._paid.get(payer, {})
                    if (receiver := self._receivers.get(other)) and receiver.like), default=0)

    def _drop(self, beneficiary: str, receiver: _Receiver) -> None:
        """Forget a beneficiary that can never be facilitator-like again."""
        self._receivers[beneficiary] = None
        for payer in receiver.payers:
            self._paid[payer].pop(beneficiary, None)

    def finding(self, key: str) -> dict[str, Any] | None:
        paid = self._paid.get(key, {})
        like: list[str] = []
        most = 0
        for beneficiary in paid:  # in the order first paid: the same set, the same tuple
            receiver = self._receivers.get(beneficiary)
            if receiver is not None and receiver.like:
                like.append(beneficiary)
                most = max(most, self._count(receiver))
        if not like:
            return None
        taken = self._taken[key]
        built = self._built.get(key)
        if built is None or built[0] != tuple(like) or built[1] != taken:
            found = FindingPayments.of(entry[2] for b in like for entry in paid[b].payments)
            built = self._built[key] = (tuple(like), taken, found.row())
        return {**built[2], "facilitator_like_beneficiaries": len(like),
                "most_unrelated_senders": most}


class FacilitatorProfile(PaymentRule[FacilitatorProfileParams]):
    """R15: strength grows with the unrelated senders the busiest such beneficiary has, up to
    ``saturation_senders``."""

    name = "R15"
    description = "pays a beneficiary with the facilitator-side profile (many unrelated senders)"
    citation = "AMLC modus operandi and beneficiary typologies, AUSTRAC case study"
    parameters_type = FacilitatorProfileParams
    corridor_only = True
    history_key = "payer"
    score_figures = ("most_unrelated_senders",)
    """A sender's finding reads its own payments and every payment to the beneficiaries it
    paid (their other senders make them facilitator-like): :mod:`vigil.payments.
    partition_keys`."""
    incremental = FacilitatorProfileIncremental

    def sql(self, params: FacilitatorProfileParams) -> str:
        return facilitator_profile_sql(params)

    def beneficiary_profile_sql(self, params: FacilitatorProfileParams) -> str:
        return beneficiary_profile_sql(params)

    def strength(self, params: FacilitatorProfileParams, stats: Mapping[str, Any]) -> float:
        senders = float(stats["most_unrelated_senders"])
        return senders / (senders + 1.0)

    def explain(self, params: FacilitatorProfileParams, senders: list[str],
                beneficiaries: list[str], stats: Mapping[str, Any]) -> str:
        most = int(stats["most_unrelated_senders"])
        count = f"{most} or more" if most >= params.saturation_senders else f"up to {most}"
        return (f"{', '.join(senders)} paid {', '.join(beneficiaries)}, individual account(s) "
                f"receiving small payments from {count} "
                f"unrelated senders abroad, with no organisation's shape")
