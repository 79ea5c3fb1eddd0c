"""R15: paying a beneficiary with the facilitator-side profile.

Source: AMLC modus operandi and beneficiary typologies (an individual account receiving many
small international remittances from unrelated foreign senders); AUSTRAC case study (a common
beneficiary of several customers). Organisations that receive from many (charities, parishes,
schools) are told apart by shape: a business account, a name with an organisation word, more
senders than a facilitator household serves, or an analyst's allow-list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from vigil.payments.rule_base import PaymentRule, PositiveFloat, RuleParameters, Text
from vigil.payments.sql_parts import FINDING_COLUMNS, corridor_cte, number, quoted_text


class FacilitatorProfileParams(RuleParameters):
    """R15: the beneficiary has ``min_unrelated_senders``..``max_senders`` senders of low-value
    payments, unrelated to it and to each other (distinct surnames), and no organisation shape."""

    max_amount_usd: PositiveFloat
    min_unrelated_senders: int = Field(ge=2)
    max_senders: int = Field(ge=2)
    organisation_words: tuple[Text, ...] = ()
    allow_list: tuple[Text, ...] = ()


def _organisation(params: FacilitatorProfileParams) -> str:
    words = [f"POSITION({quoted_text(w.lower())} IN LOWER(c.beneficiary_name)) > 0"
             for w in params.organisation_words]
    listed = [f"c.beneficiary = {quoted_text(a)}" for a in params.allow_list]
    return "(" + " OR ".join(["FALSE", *words, *listed]) + ")"


def facilitator_profile_sql(params: FacilitatorProfileParams) -> str:
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


class FacilitatorProfile(PaymentRule[FacilitatorProfileParams]):
    """R15: strength grows with the unrelated senders the busiest such beneficiary has."""

    name = "R15"
    description = "pays a beneficiary with the facilitator-side profile (many unrelated senders)"
    citation = "AMLC modus operandi and beneficiary typologies, AUSTRAC case study"
    parameters_type = FacilitatorProfileParams
    corridor_only = True
    history_key = None

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
