"""What each payment typology computes, as pure functions from rule parameters to SQL text.

Each function reads a ``payments`` table whose columns are the fields of
:class:`vigil.records.Payment` and returns one row per finding in a shared shape: ``senders``,
``beneficiaries`` and ``txn_ids`` (arrays, order unspecified, may hold a NULL), ``txn_count``,
``total_usd``, ``min_usd``, ``max_usd``, ``first_at``, ``last_at``, then the rule's own figures.
The SQL is standard SQL that Spark SQL 3.4+ also runs (``ARRAY_AGG``, ``PERCENTILE_CONT ...
WITHIN GROUP``); the one non-standard call is Spark's ``unix_seconds``, which
:mod:`vigil.engines` supplies elsewhere. Parameters are validated by pydantic before they get
here, and literals are still quoted, so the text is safe to run as it stands.
"""

from __future__ import annotations

from vigil.payments.fan_sql import fan_in_sql, fan_out_sql
from vigil.payments.rules import (
    EscalationParams,
    FanInParams,
    FanOutParams,
    LowValueCorridorParams,
    ProlificSenderParams,
    Rule,
)
from vigil.payments.sql_parts import FINDING_COLUMNS, SECONDS_PER_DAY, corridor_cte, number


def low_value_corridor_sql(params: LowValueCorridorParams) -> str:
    """R1: one row per (sender, beneficiary) pair with its low-value corridor payments."""
    cte = corridor_cte("low_value_corridor_payments", params.corridor,
                       f"amount_usd <= {number(params.max_amount_usd)}")
    return f"""WITH
{cte}
SELECT
    {FINDING_COLUMNS}
FROM low_value_corridor_payments p
GROUP BY p.sender, p.beneficiary
ORDER BY p.sender, p.beneficiary"""


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


def escalation_sql(params: EscalationParams) -> str:
    """R5: compares medians of the first and second half of a sender's corridor payments.

    Halves are by order in time (the middle payment of an odd count belongs to neither), and a gap
    counts for a half only when both of its payments lie in that half. Medians resist the
    one-off large payment that would tilt a regression slope.
    """
    order = "PARTITION BY p.sender ORDER BY p.sent_at, p.txn_id"
    return f"""WITH
{corridor_cte("corridor_payments", params.corridor)},
numbered_payments AS (
    SELECT
        p.sender, p.amount_usd,
        ROW_NUMBER() OVER ({order}) AS payment_number,
        COUNT(*) OVER (PARTITION BY p.sender) AS sender_payments,
        (p.sent_s - LAG(p.sent_s) OVER ({order})) / {number(SECONDS_PER_DAY)} AS gap_days
    FROM corridor_payments p
),
payments_by_half AS (
    SELECT
        sender,
        CASE WHEN 2 * payment_number <= sender_payments THEN amount_usd END AS first_half_usd,
        CASE WHEN 2 * payment_number > sender_payments + 1 THEN amount_usd END AS second_half_usd,
        CASE WHEN payment_number >= 2 AND 2 * payment_number <= sender_payments
             THEN gap_days END
            AS first_half_gap_days,
        CASE WHEN 2 * (payment_number - 1) > sender_payments + 1 THEN gap_days END
            AS second_half_gap_days
    FROM numbered_payments
    WHERE sender_payments >= {int(params.min_payments)}
),
half_medians AS (
    SELECT
        sender,
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY first_half_usd) AS first_median_usd,
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY second_half_usd) AS second_median_usd,
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY first_half_gap_days)
            AS first_median_gap_days,
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY second_half_gap_days)
            AS second_median_gap_days
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


def rule_sql(rule: Rule) -> str:
    """The SQL of any rule in a pack, chosen by its parameter type."""
    params = rule.parameters
    if isinstance(params, LowValueCorridorParams):
        return low_value_corridor_sql(params)
    if isinstance(params, ProlificSenderParams):
        return prolific_sender_sql(params)
    if isinstance(params, FanOutParams):
        return fan_out_sql(params)
    if isinstance(params, FanInParams):
        return fan_in_sql(params)
    return escalation_sql(params)


__all__ = ["escalation_sql", "fan_in_sql", "fan_out_sql", "low_value_corridor_sql",
           "prolific_sender_sql", "rule_sql"]
