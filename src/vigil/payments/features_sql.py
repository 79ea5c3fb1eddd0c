"""Per-sender temporal features of corridor payments, as one portable SQL query.

What an analyst reads beside the rules (and what ``vigil payments explain`` can plot): counts
and amounts over the 7, 30, 90 and 365 days up to the sender's latest corridor payment (so a
back-test sees what was known then), the median gap, trends of amount and gap (least-squares
slopes over the payments in order: US$ per payment and days per payment; NULL under two points,
where DuckDB would give NaN and Spark NULL), the share sent in the sender's local night, of
round amounts, and of each reference-text class (a cover word, a handle, empty). The windows are
those Jube-style TTL counters keep per entity; gaps and trends follow AIC T&I 589 and 634, the
local hour FATF 2025, round amounts FATF 2025, reference classes ACAMS and AUSTRAC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from vigil.payments.rule_base import Corridor
from vigil.payments.share_sql import local_hour_sql
from vigil.payments.sql_parts import SECONDS_PER_DAY, corridor_where, number, quoted_text

WINDOWS_DAYS = (7, 30, 90, 365)


def _contains_any(column: str, needles: Sequence[str]) -> str:
    checks = [f"POSITION({quoted_text(n.lower())} IN LOWER({column})) > 0" for n in needles]
    return "(" + " OR ".join(checks or ["FALSE"]) + ")"


def sender_features_sql(corridor: Corridor, offsets: Mapping[str, float],
                        cover_words: Sequence[str], night: tuple[int, int] = (22, 5)) -> str:
    """One row per sender of corridor payments with the features named in the module doc."""
    hour = local_hour_sql(offsets, "sent_s", "sender_country")
    windows = ",\n".join(
        f"    COUNT(CASE WHEN last_s - sent_s < {w * SECONDS_PER_DAY} THEN 1 END)"
        f" AS count_{w}d,\n"
        f"    SUM(CASE WHEN last_s - sent_s < {w * SECONDS_PER_DAY} THEN amount_usd ELSE 0 END)"
        f" AS usd_{w}d" for w in WINDOWS_DAYS)
    return f"""WITH
rows_in AS (
    SELECT sender, amount, amount_usd, reference, sender_country,
           unix_seconds(sent_at) AS sent_s
    FROM payments
    WHERE {corridor_where(corridor)}
),
ordered AS (
    SELECT r.*,
           MAX(sent_s) OVER (PARTITION BY sender) AS last_s,
           ROW_NUMBER() OVER (PARTITION BY sender ORDER BY sent_s, amount_usd) AS nth,
           (sent_s - LAG(sent_s) OVER (PARTITION BY sender ORDER BY sent_s, amount_usd))
               / {number(SECONDS_PER_DAY)} AS gap_days
    FROM rows_in r
)
SELECT
    sender,
    COUNT(*) AS payments,
    SUM(amount_usd) AS total_usd,
{windows},
    PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY gap_days) AS median_gap_days,
    CASE WHEN COUNT(*) >= 2 THEN REGR_SLOPE(amount_usd, nth) END AS amount_trend_usd,
    CASE WHEN COUNT(gap_days) >= 2 THEN REGR_SLOPE(gap_days, nth) END AS gap_trend_days,
    AVG(CASE WHEN {hour} >= {int(night[0])} OR {hour} < {int(night[1])} THEN 1.0E0 ELSE 0.0E0 END)
        AS night_share,
    AVG(CASE WHEN ABS(amount - 10.0 * ROUND(amount / 10.0)) < 0.005 THEN 1.0E0 ELSE 0.0E0 END)
        AS round_share,
    AVG(CASE WHEN {_contains_any("reference", cover_words)} THEN 1.0E0 ELSE 0.0E0 END)
        AS cover_word_share,
    AVG(CASE WHEN POSITION('@' IN reference) > 0 THEN 1.0E0 ELSE 0.0E0 END) AS handle_share,
    AVG(CASE WHEN TRIM(COALESCE(reference, '')) = '' THEN 1.0E0 ELSE 0.0E0 END) AS empty_share
FROM ordered
GROUP BY sender
ORDER BY sender"""


__all__ = ["WINDOWS_DAYS", "sender_features_sql"]
