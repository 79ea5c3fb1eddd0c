"""The self-join formulation of R3 and R4 that vigil ran before 2026-11: slow, obviously right.

It counts the spokes inside each window by joining a hub's payments to themselves, so work and
memory grow with the square of a hub's payments (8,000 senders to one beneficiary took 3.9 GB and
16,000 ran DuckDB out of memory). The detector never runs it; the equivalence tests and
``benchmarks/bench_hub.py`` compare :func:`vigil.payments.sql.fan_in_sql` and ``fan_out_sql``
with it, row for row.
"""

from __future__ import annotations

from vigil.payments.fan_sql import unrelated_payments_cte
from vigil.payments.rules import FanInParams, FanOutParams
from vigil.payments.sql_parts import FINDING_COLUMNS, SECONDS_PER_DAY


def self_join_fan_sql(params: FanOutParams | FanInParams) -> str:
    """R3 (fan-out) or R4 (fan-in) as one self-join per hub: the quadratic reference.

    The text is the pre-2026-11 ``vigil.payments.sql._fan_sql``, byte for byte.
    """
    if isinstance(params, FanOutParams):
        hub, spoke, minimum, count_column = ("sender", "beneficiary", params.min_beneficiaries,
                                             "distinct_beneficiaries")
    else:
        hub, spoke, minimum, count_column = ("beneficiary", "sender", params.min_senders,
                                             "distinct_senders")
    window_s = params.window_days * SECONDS_PER_DAY
    return f"""WITH
{unrelated_payments_cte(params.corridor, params.max_amount_usd)},
windows_opened_by_each_payment AS (
    SELECT
        opening.{hub} AS hub,
        opening.txn_id AS opening_txn_id,
        opening.sent_s AS window_start_s,
        COUNT(DISTINCT inside.{spoke}) AS {count_column}
    FROM unrelated_payments opening
    JOIN unrelated_payments inside
      ON inside.{hub} = opening.{hub}
     AND inside.sent_s >= opening.sent_s
     AND inside.sent_s <= opening.sent_s + {window_s}
    GROUP BY opening.{hub}, opening.txn_id, opening.sent_s
),
busiest_window_per_hub AS (
    SELECT
        hub, window_start_s, {count_column},
        ROW_NUMBER() OVER (PARTITION BY hub
                           ORDER BY {count_column} DESC, window_start_s, opening_txn_id)
            AS busiest_rank
    FROM windows_opened_by_each_payment
    WHERE {count_column} >= {int(minimum)}
)
SELECT
    {FINDING_COLUMNS},
    w.{count_column},
    {int(params.window_days)} AS window_days
FROM busiest_window_per_hub w
JOIN unrelated_payments p
  ON p.{hub} = w.hub
 AND p.sent_s >= w.window_start_s
 AND p.sent_s <= w.window_start_s + {window_s}
WHERE w.busiest_rank = 1
GROUP BY w.hub, w.{count_column}
ORDER BY w.hub"""


__all__ = ["self_join_fan_sql"]
