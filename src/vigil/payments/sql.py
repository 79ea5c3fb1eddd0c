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

from vigil.payments.rules import (
    Corridor,
    EscalationParams,
    FanInParams,
    FanOutParams,
    LowValueCorridorParams,
    ProlificSenderParams,
    Rule,
)

_SECONDS_PER_DAY = 86400


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _number(value: float) -> str:
    return repr(float(value))


def _surname(column: str, alias: str) -> str:
    """Lower-cased last token of a name, NULL when the name is missing or blank.

    Spelled with REVERSE, SUBSTRING and POSITION because DuckDB and Spark share no split-and-take-
    last function.
    """
    name = f"TRIM({column})"
    return f"""CASE
            WHEN {name} = '' THEN NULL
            WHEN POSITION(' ' IN {name}) = 0 THEN LOWER({name})
            ELSE LOWER(REVERSE(SUBSTRING(REVERSE({name}), 1,
                                         POSITION(' ' IN REVERSE({name})) - 1)))
        END AS {alias}"""


def _corridor_cte(name: str, corridor: Corridor, amount_filter: str = "") -> str:
    """Cross-border payments from a consumer country to a high-risk one, with derived columns."""
    consumers = ", ".join(_text(c) for c in corridor.consumer_countries)
    high_risk = ", ".join(_text(c) for c in corridor.high_risk_countries)
    individuals = ("\n      AND sender_type = 'individual' AND beneficiary_type = 'individual'"
                   if corridor.individuals_only else "")
    amount = f"\n      AND {amount_filter}" if amount_filter else ""
    return f"""{name} AS (
    SELECT
        txn_id, sender, beneficiary, amount_usd, sent_at,
        unix_seconds(sent_at) AS sent_s,
        {_surname("sender_name", "sender_surname")},
        {_surname("beneficiary_name", "beneficiary_surname")}
    FROM payments
    WHERE sender_country IN ({consumers})
      AND beneficiary_country IN ({high_risk})
      AND sender_country <> beneficiary_country{individuals}{amount}
)"""


FINDING_COLUMNS = """ARRAY_AGG(DISTINCT p.sender) AS senders,
    ARRAY_AGG(DISTINCT p.beneficiary) AS beneficiaries,
    ARRAY_AGG(p.txn_id) AS txn_ids,
    COUNT(*) AS txn_count,
    SUM(p.amount_usd) AS total_usd,
    MIN(p.amount_usd) AS min_usd,
    MAX(p.amount_usd) AS max_usd,
    MIN(p.sent_at) AS first_at,
    MAX(p.sent_at) AS last_at"""


def low_value_corridor_sql(params: LowValueCorridorParams) -> str:
    """R1: one row per (sender, beneficiary) pair with its low-value corridor payments."""
    cte = _corridor_cte("low_value_corridor_payments", params.corridor,
                        f"amount_usd <= {_number(params.max_amount_usd)}")
    return f"""WITH
{cte}
SELECT
    {FINDING_COLUMNS}
FROM low_value_corridor_payments p
GROUP BY p.sender, p.beneficiary
ORDER BY p.sender, p.beneficiary"""


def prolific_sender_sql(params: ProlificSenderParams) -> str:
    """R2: senders with many small corridor payments at a short median inter-payment gap."""
    cte = _corridor_cte("small_corridor_payments", params.corridor,
                        f"amount_usd < {_number(params.max_amount_usd)}")
    return f"""WITH
{cte},
payment_gaps AS (
    SELECT
        p.sender,
        (p.sent_s - LAG(p.sent_s) OVER (PARTITION BY p.sender ORDER BY p.sent_at, p.txn_id))
            / {_number(_SECONDS_PER_DAY)} AS gap_days
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
      AND median_gap_days < {_number(params.max_median_gap_days)}
)
SELECT
    {FINDING_COLUMNS},
    s.median_gap_days
FROM prolific_senders s
JOIN small_corridor_payments p ON p.sender = s.sender
GROUP BY s.sender, s.median_gap_days
ORDER BY s.sender"""


def unrelated_payments_cte(corridor: Corridor, max_amount_usd: float) -> str:
    """Low-value corridor payments between parties whose surnames differ (R3 and R4 input)."""
    cte = _corridor_cte("low_value_corridor_payments", corridor,
                        f"amount_usd <= {_number(max_amount_usd)}")
    return f"""{cte},
unrelated_payments AS (
    SELECT *
    FROM low_value_corridor_payments
    WHERE sender_surname IS NULL OR beneficiary_surname IS NULL
       OR sender_surname <> beneficiary_surname
)"""


def _fan_finding_sql(hub: str, count_column: str, window_days: int) -> str:
    """The final SELECT of R3 and R4: every payment of a hub inside its busiest window.

    Reads ``busiest_windows`` (at most one row per hub: ``hub``, ``window_start_s`` and the
    count), so the join yields at most one row per payment.
    """
    window_s = window_days * _SECONDS_PER_DAY
    return f"""SELECT
    {FINDING_COLUMNS},
    w.{count_column},
    {int(window_days)} AS window_days
FROM busiest_windows w
JOIN unrelated_payments p
  ON p.{hub} = w.hub
 AND p.sent_s >= w.window_start_s
 AND p.sent_s <= w.window_start_s + {window_s}
GROUP BY w.hub, w.{count_column}
ORDER BY w.hub"""


def _fan_sql(hub: str, spoke: str, minimum: int, window_days: int, max_amount_usd: float,
             corridor: Corridor, count_column: str) -> str:
    """Shared shape of R3 and R4: the busiest window of unrelated spokes around each hub.

    A window opens at each payment of a hub and spans ``window_days`` after it, both ends
    included; its count is the number of distinct spokes paid (or paying) inside it. A spoke that
    paid at second ``u`` is inside every window opened in ``[u - W, u]``, so a run of its payments
    at most ``W`` apart keeps it inside from ``first - W`` up to ``last``: the run adds one there
    and removes one at ``last + 1`` (seconds are whole). The count at each opening is the running
    sum of those changes in time order (changes before openings at the same second): one sort
    per hub instead of a self-join that grew with the square of a hub's payments (8,000 senders
    to one beneficiary took 3.9 GB). The busiest window is the earliest opening with the highest
    count, as before (openings at the same second open the same window). Only standard window
    functions and aggregates are used, so Spark SQL runs it unchanged.
    """
    window_s = window_days * _SECONDS_PER_DAY
    spoke_order = "PARTITION BY hub, spoke ORDER BY sent_s"
    return f"""WITH
{unrelated_payments_cte(corridor, max_amount_usd)},
hub_payments AS (
    SELECT {hub} AS hub, {spoke} AS spoke, txn_id, sent_s
    FROM unrelated_payments
    WHERE {hub} IS NOT NULL
),
spoke_neighbours AS (
    SELECT
        hub, sent_s,
        LAG(sent_s) OVER ({spoke_order}) AS previous_s,
        LEAD(sent_s) OVER ({spoke_order}) AS next_s
    FROM hub_payments
    WHERE spoke IS NOT NULL
),
presence_changes AS (
    SELECT hub, sent_s - {window_s} AS at_s, 1 AS change, 0 AS opens, NULL AS txn_id
    FROM spoke_neighbours
    WHERE previous_s IS NULL OR sent_s - previous_s > {window_s}
    UNION ALL
    SELECT hub, sent_s + 1 AS at_s, -1 AS change, 0 AS opens, NULL AS txn_id
    FROM spoke_neighbours
    WHERE next_s IS NULL OR next_s - sent_s > {window_s}
    UNION ALL
    SELECT hub, sent_s AS at_s, 0 AS change, 1 AS opens, txn_id
    FROM hub_payments
),
spokes_present AS (
    SELECT
        hub, at_s, opens, txn_id,
        SUM(change) OVER (PARTITION BY hub ORDER BY at_s, opens
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS present
    FROM presence_changes
),
windows_opened_by_each_payment AS (
    SELECT hub, txn_id AS opening_txn_id, at_s AS window_start_s,
           CAST(present AS BIGINT) AS {count_column}
    FROM spokes_present
    WHERE opens = 1
),
busiest_counts AS (
    SELECT hub, MAX({count_column}) AS {count_column}
    FROM windows_opened_by_each_payment
    WHERE {count_column} >= {int(minimum)}
    GROUP BY hub
),
busiest_windows AS (
    SELECT w.hub, MIN(w.window_start_s) AS window_start_s, w.{count_column}
    FROM windows_opened_by_each_payment w
    JOIN busiest_counts b ON w.hub = b.hub AND w.{count_column} = b.{count_column}
    GROUP BY w.hub, w.{count_column}
)
{_fan_finding_sql(hub, count_column, window_days)}"""


def fan_out_sql(params: FanOutParams) -> str:
    """R3: per sender, the window with the most beneficiaries whose surname differs from its own."""
    return _fan_sql("sender", "beneficiary", params.min_beneficiaries, params.window_days,
                    params.max_amount_usd, params.corridor, "distinct_beneficiaries")


def fan_in_sql(params: FanInParams) -> str:
    """R4: per beneficiary, the window with the most senders whose surname differs from its own."""
    return _fan_sql("beneficiary", "sender", params.min_senders, params.window_days,
                    params.max_amount_usd, params.corridor, "distinct_senders")


def escalation_sql(params: EscalationParams) -> str:
    """R5: compares medians of the first and second half of a sender's corridor payments.

    Halves are by order in time (the middle payment of an odd count belongs to neither), and a gap
    counts for a half only when both of its payments lie in that half. Medians resist the
    one-off large payment that would tilt a regression slope.
    """
    order = "PARTITION BY p.sender ORDER BY p.sent_at, p.txn_id"
    return f"""WITH
{_corridor_cte("corridor_payments", params.corridor)},
numbered_payments AS (
    SELECT
        p.sender, p.amount_usd,
        ROW_NUMBER() OVER ({order}) AS payment_number,
        COUNT(*) OVER (PARTITION BY p.sender) AS sender_payments,
        (p.sent_s - LAG(p.sent_s) OVER ({order})) / {_number(_SECONDS_PER_DAY)} AS gap_days
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
    WHERE second_median_usd >= {_number(params.min_amount_ratio)} * first_median_usd
      AND first_median_gap_days > 0
      AND second_median_gap_days * {_number(params.min_gap_shrink)} <= first_median_gap_days
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


__all__ = ["FINDING_COLUMNS", "escalation_sql", "fan_in_sql", "fan_out_sql",
           "low_value_corridor_sql", "prolific_sender_sql", "rule_sql", "unrelated_payments_cte"]
