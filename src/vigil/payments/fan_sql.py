"""What R3 (fan-out) and R4 (fan-in) share: the busiest window of unrelated parties at a hub.

Counted with running sums after one sort per hub, never a self-join, so memory and time stay
linear (n log n) for a hub of any size; see :func:`hub_window_sql` and ``docs/benchmarks.md``.
"""

from __future__ import annotations

from vigil.payments.rule_base import Corridor
from vigil.payments.sql_parts import FINDING_COLUMNS, SECONDS_PER_DAY, corridor_cte, number


def unrelated_payments_cte(corridor: Corridor, max_amount_usd: float) -> str:
    """Low-value corridor payments between parties whose surnames differ (R3 and R4 input)."""
    cte = corridor_cte("low_value_corridor_payments", corridor,
                       f"amount_usd <= {number(max_amount_usd)}")
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
    window_s = window_days * SECONDS_PER_DAY
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


def hub_window_sql(hub: str, spoke: str, minimum: int, window_days: int, max_amount_usd: float,
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
    count, as before (openings at the same second open the same window). The windows sort by
    an integer key per hub (``hub_keys``: the distinct hubs numbered, a few percent of the rows)
    instead of the account text: a fifth less CPU for R3 and R4 on DuckDB at 1M payments, the
    same findings (docs/benchmarks.md, the pack's fourth round). Only standard window
    functions, joins and aggregates are used, so Spark SQL runs it unchanged.
    """
    window_s = window_days * SECONDS_PER_DAY
    spoke_order = "PARTITION BY hub, spoke ORDER BY sent_s"
    return f"""WITH
{unrelated_payments_cte(corridor, max_amount_usd)},
hub_keys AS (
    SELECT hub, ROW_NUMBER() OVER (ORDER BY hub) AS hub_key
    FROM (SELECT DISTINCT {hub} AS hub FROM unrelated_payments WHERE {hub} IS NOT NULL) hubs
),
hub_payments AS (
    SELECT k.hub_key AS hub, p.{spoke} AS spoke, p.sent_s
    FROM unrelated_payments p
    JOIN hub_keys k ON p.{hub} = k.hub
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
    SELECT hub, sent_s - {window_s} AS at_s, 1 AS change, 0 AS opens
    FROM spoke_neighbours
    WHERE previous_s IS NULL OR sent_s - previous_s > {window_s}
    UNION ALL
    SELECT hub, sent_s + 1 AS at_s, -1 AS change, 0 AS opens
    FROM spoke_neighbours
    WHERE next_s IS NULL OR next_s - sent_s > {window_s}
    UNION ALL
    SELECT hub, sent_s AS at_s, 0 AS change, 1 AS opens
    FROM hub_payments
),
spokes_present AS (
    SELECT
        hub, at_s, opens,
        SUM(change) OVER (PARTITION BY hub ORDER BY at_s, opens
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS present
    FROM presence_changes
),
windows_opened_by_each_payment AS (
    SELECT hub, at_s AS window_start_s, CAST(present AS BIGINT) AS {count_column}
    FROM spokes_present
    WHERE opens = 1
),
busiest_counts AS (
    SELECT hub, MAX({count_column}) AS {count_column}
    FROM windows_opened_by_each_payment
    WHERE {count_column} >= {int(minimum)}
    GROUP BY hub
),
busiest_keys AS (
    SELECT w.hub, MIN(w.window_start_s) AS window_start_s, w.{count_column}
    FROM windows_opened_by_each_payment w
    JOIN busiest_counts b ON w.hub = b.hub AND w.{count_column} = b.{count_column}
    GROUP BY w.hub, w.{count_column}
),
busiest_windows AS (
    SELECT k.hub, w.window_start_s, w.{count_column}
    FROM busiest_keys w
    JOIN hub_keys k ON k.hub_key = w.hub
)
{_fan_finding_sql(hub, count_column, window_days)}"""


__all__ = ["hub_window_sql", "unrelated_payments_cte"]
