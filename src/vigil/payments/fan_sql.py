"""What R3 (fan-out) and R4 (fan-in) share: the busiest window of unrelated parties at a hub.

Counted with sums over each hub's payments in time order, never a self-join, so memory and time
stay n log n for a hub of any size; see :func:`hub_window_sql` and ``docs/benchmarks.md``.
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

    A window opens at each payment of a hub and spans ``window_days`` (``W``) after it, both
    ends included; its count is the number of distinct spokes paid (or paying) inside it. A
    spoke's payments at most ``W`` apart make a run, and the run is inside every window opened
    from ``first - W`` up to ``last``; so the count of the window opened at second ``t`` is the
    number of runs that start at or before ``t + W`` less those that end before ``t``: two sums
    over the hub's payments in time order, each a ``RANGE`` frame (``W FOLLOWING``,
    ``1 PRECEDING``; seconds are whole). Two sorts of the hub's payments (per spoke, for where
    runs start and end, then per hub), never a self-join that grew with the square of a hub's
    payments (8,000 senders to one beneficiary took 3.9 GB), and no sort of the runs' changes
    beside the openings (three rows per payment: a quarter to a third of R3's and R4's CPU
    on DuckDB, docs/benchmarks.md, "The window rules bounded first (seventh round)"). The
    busiest window is the earliest opening with the highest count, as before (openings at the
    same second open the same window). The windows partition by an integer key per hub
    (``hub_keys``: the distinct hubs numbered) instead of the account text (the pack's fourth
    round). Only standard window functions (Spark SQL takes ``RANGE`` frames with literal
    offsets over an integer order), joins and aggregates are used.
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
        hub, spoke, sent_s,
        LAG(sent_s) OVER ({spoke_order}) AS previous_s,
        LEAD(sent_s) OVER ({spoke_order}) AS next_s
    FROM hub_payments
),
run_edges AS (
    SELECT
        hub, sent_s,
        CASE WHEN spoke IS NOT NULL AND (previous_s IS NULL OR sent_s - previous_s > {window_s})
             THEN 1 ELSE 0 END AS starts,
        CASE WHEN spoke IS NOT NULL AND (next_s IS NULL OR next_s - sent_s > {window_s})
             THEN 1 ELSE 0 END AS ends
    FROM spoke_neighbours
),
windows_opened_by_each_payment AS (
    SELECT
        hub, sent_s AS window_start_s,
        CAST(SUM(starts) OVER (PARTITION BY hub ORDER BY sent_s
                               RANGE BETWEEN UNBOUNDED PRECEDING AND {window_s} FOLLOWING)
             - COALESCE(SUM(ends) OVER (PARTITION BY hub ORDER BY sent_s
                                        RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
             AS BIGINT) AS {count_column}
    FROM run_edges
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
