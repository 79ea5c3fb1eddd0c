"""Benign structure per sender, as SQL: what honest remitters, donors and employers look like.

Four shapes, each a number in [0, 1] per sender of corridor payments:
- ``kin_share``: payments to beneficiaries sharing the sender's surname (AUSTRAC v Westpac: the
  typology is "no apparent family ties");
- ``cadence``: how regular the gaps between payment days are: the share of gaps within
  ``tolerance`` of the median gap, mapped from ``erratic_share`` (0) to ``steady_share`` (1),
  over at least ``min_days`` days (a payroll rhythm: monthly allowances, weekly wages, salary
  days). Gaps under two days join one round (a payday's several payments, split by UTC
  midnight). A share, not a variance, so an emergency burst or a skipped month does not undo years
  of rhythm;
- ``organisation_share``: payments to business accounts, to names with an organisation word, or
  to allow-listed accounts (charities, schools, employers' payees recognised by shape);
- ``few_payees``: 1 when all payments go to at most ``max_kin`` beneficiaries.
"""

from __future__ import annotations

from pydantic import Field

from vigil.payments.rule_base import Corridor, Frozen, Text
from vigil.payments.sql_parts import SECONDS_PER_DAY, corridor_where, number, quoted_text, surname


class BenignShape(Frozen):
    """Parameters of the benign shapes (vigil defaults; see docs/payments.md)."""

    tolerance: float = Field(default=0.25, gt=0)
    steady_share: float = Field(default=0.8, gt=0, le=1)
    erratic_share: float = Field(default=0.5, ge=0, lt=1)
    min_days: int = Field(default=6, ge=3)
    max_kin: int = Field(default=3, ge=1)
    organisation_words: tuple[Text, ...] = (
        "foundation", "parish", "church", "ministry", "school", "center", "centre", "relief",
        "shelter", "program", "inc", "ltd", "corp", "mission", "charity", "orphanage")
    allow_list: tuple[Text, ...] = ()


def _organisation(shape: BenignShape) -> str:
    checks = ["beneficiary_type = 'business'"]
    checks += [f"POSITION({quoted_text(w)} IN LOWER(COALESCE(beneficiary_name, ''))) > 0"
               for w in shape.organisation_words]
    checks += [f"beneficiary = {quoted_text(a)}" for a in shape.allow_list]
    return " OR ".join(checks)


def benign_profile_sql(corridor: Corridor, shape: BenignShape) -> str:
    """One row per corridor sender: ``kin_share``, ``cadence``, ``organisation_share``,
    ``few_payees``, ``gap_cv``, ``regular_share`` and ``payment_days``. Business senders and
    beneficiaries count here (the corridor's individuals-only filter is left out: an employer's
    shape is the point)."""
    loose = corridor.model_copy(update={"individuals_only": False})
    return f"""WITH
rows_in AS (
    SELECT sender, beneficiary,
           FLOOR(unix_seconds(sent_at) / {number(SECONDS_PER_DAY)}) AS day_number,
           {surname("sender_name", "sender_surname")},
           {surname("beneficiary_name", "beneficiary_surname")},
           CASE WHEN {_organisation(shape)} THEN 1 ELSE 0 END AS organisation
    FROM payments
    WHERE {corridor_where(loose)}
),
days AS (
    SELECT sender, day_number,
           day_number - LAG(day_number) OVER (PARTITION BY sender ORDER BY day_number) AS gap
    FROM (SELECT DISTINCT sender, day_number FROM rows_in) d
),
medians AS (
    SELECT sender, COUNT(*) AS payment_days, AVG(gap) AS mean_gap,
           STDDEV_POP(gap) AS sd_gap,
           PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY gap) AS median_gap
    FROM days
    WHERE gap >= 2
    GROUP BY sender
),
gaps AS (
    SELECT m.sender, m.payment_days + 1 AS payment_days, m.mean_gap, m.sd_gap, m.median_gap,
           AVG(CASE WHEN ABS(d.gap - m.median_gap) <= {number(shape.tolerance)} * m.median_gap
                    THEN 1.0E0 ELSE 0.0E0 END) AS regular_share
    FROM medians m JOIN days d ON d.sender = m.sender
    WHERE d.gap >= 2
    GROUP BY m.sender, m.payment_days, m.mean_gap, m.sd_gap, m.median_gap
),
shares AS (
    SELECT sender,
           AVG(CASE WHEN sender_surname = beneficiary_surname THEN 1.0E0 ELSE 0.0E0 END)
               AS kin_share,
           AVG(CAST(organisation AS DOUBLE)) AS organisation_share,
           COUNT(DISTINCT beneficiary) AS payees
    FROM rows_in GROUP BY sender
)
SELECT s.sender, s.kin_share, s.organisation_share, s.payees, g.payment_days,
       CASE WHEN g.mean_gap > 0 THEN g.sd_gap / g.mean_gap END AS gap_cv,
       g.regular_share,
       CASE WHEN g.payment_days IS NULL OR g.payment_days < {int(shape.min_days)}
                 OR g.median_gap <= 0 THEN 0.0E0
            ELSE LEAST(1.0E0, GREATEST(0.0E0, (g.regular_share - {number(shape.erratic_share)})
                 / {number(shape.steady_share - shape.erratic_share)})) END AS cadence,
       CASE WHEN s.payees <= {int(shape.max_kin)} THEN 1.0E0 ELSE 0.0E0 END AS few_payees
FROM shares s LEFT JOIN gaps g ON g.sender = s.sender
ORDER BY s.sender"""


__all__ = ["BenignShape", "benign_profile_sql"]
