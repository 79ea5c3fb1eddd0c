"""The shape most sender-side indicators share: a sender's corridor payments that carry a mark
(late at night, an even amount, a cover word), counted and as a share of all of them.

Also the sender's local clock: timestamps are stored in UTC, so the local hour comes from a
country's UTC offset (standard time; the daylight-saving hour and a country's other zones are
within the width of the night window).
"""

from __future__ import annotations

from collections.abc import Mapping

from vigil.payments.rule_base import Corridor
from vigil.payments.sql_parts import FINDING_COLUMNS, corridor_cte, number, quoted_text
from vigil.records import Payment

DEFAULT_UTC_OFFSETS: dict[str, float] = {
    "AU": 10, "NZ": 12, "US": -5, "CA": -5, "GB": 0, "IE": 0, "PT": 0, "IS": 0,
    "AT": 1, "BE": 1, "HR": 1, "CZ": 1, "DK": 1, "FR": 1, "DE": 1, "HU": 1, "IT": 1, "LU": 1,
    "MT": 1, "NL": 1, "PL": 1, "SK": 1, "SI": 1, "ES": 1, "SE": 1, "NO": 1,
    "BG": 2, "CY": 2, "EE": 2, "FI": 2, "GR": 2, "LV": 2, "LT": 2, "RO": 2,
}
"""Standard-time UTC offsets of the consumer countries (IANA tz database; the US and Canada
take Eastern time, their most populous zone)."""


MARK_COLUMNS = tuple(name for name in Payment.model_fields
                     if name not in {"txn_id", "sender", "beneficiary", "amount_usd", "sent_at"})
"""The ``payments`` columns a mark may read besides those every corridor row has."""


def local_hour_sql(offsets: Mapping[str, float], seconds: str = "sent_s",
                   country: str = "sender_country") -> str:
    """The hour of day (0-23) in the sender's country, from UTC epoch seconds; portable SQL
    (FLOOR and MOD, no time-zone functions, which DuckDB and Spark spell differently)."""
    cases = " ".join(f"WHEN {quoted_text(code)} THEN {number(hours * 3600)}"
                     for code, hours in sorted(offsets.items()))
    shift = f"CASE {country} {cases} ELSE 0.0 END" if cases else "0.0"
    return f"MOD(CAST(FLOOR(({seconds} + {shift}) / 3600.0) AS BIGINT), 24)"


def night_sql(offsets: Mapping[str, float], start_hour: int, end_hour: int,
              seconds: str = "c.sent_s", country: str = "c.sender_country") -> str:
    """True for a payment sent between ``start_hour`` and ``end_hour`` (wrapping midnight)."""
    hour = local_hour_sql(offsets, seconds, country)
    return f"({hour} >= {int(start_hour)} OR {hour} < {int(end_hour)})"


def marked_share_sql(corridor: Corridor, mark: str, min_marked: int, min_share: float,
                     amount_filter: str = "", for_score: bool = False) -> str:
    """Senders with at least ``min_marked`` corridor payments for which ``mark`` holds (a
    predicate over the ``c.`` columns: every column of the ``payments`` row, ``sent_s`` and
    the surnames of :func:`~vigil.payments.sql_parts.corridor_cte`), making at least
    ``min_share`` of them; the finding is the marked payments, with ``marked_payments``,
    ``corridor_payments`` and ``marked_share``. One pass over the corridor rows: the marks'
    columns travel with them (before, each rule joined its rows back to ``payments``).
    ``for_score``: the typology score's form of the same findings (:data:`_SCORE_FORM`)."""
    head = f"""WITH
{corridor_cte("corridor_rows", corridor, amount_filter, MARK_COLUMNS)},
marked_rows AS (
    SELECT c.txn_id, c.sender, c.beneficiary, c.amount_usd, c.sent_at,
           CASE WHEN {mark} THEN 1 ELSE 0 END AS marked
    FROM corridor_rows c
),
sender_marks AS (
    SELECT sender, SUM(marked) AS marked_payments, COUNT(*) AS corridor_payments
    FROM marked_rows
    GROUP BY sender
    HAVING SUM(marked) >= {int(min_marked)}
       AND SUM(marked) >= {number(min_share)} * COUNT(*)
)
"""
    return head + (_SCORE_FORM if for_score else f"""SELECT
    {FINDING_COLUMNS},
    s.marked_payments, s.corridor_payments,
    CAST(s.marked_payments AS DOUBLE) / s.corridor_payments AS marked_share
FROM sender_marks s
JOIN marked_rows p ON p.sender = s.sender AND p.marked = 1
GROUP BY s.sender, s.marked_payments, s.corridor_payments
ORDER BY s.sender""")


_SCORE_FORM = """SELECT
    ARRAY_AGG(sender) AS senders,
    MAX(marked_payments) AS txn_count,
    MAX(marked_payments) AS marked_payments,
    MAX(corridor_payments) AS corridor_payments,
    MAX(CAST(marked_payments AS DOUBLE) / corridor_payments) AS marked_share
FROM sender_marks
GROUP BY sender
ORDER BY sender"""
"""The typology score's rows of a marked-share rule (its
:meth:`~vigil.payments.rule_base.PaymentRule.score_sql`): ``sender_marks`` holds one row per
finding sender, so each MAX is that row's figure, and the finding's ``txn_count`` is its marked
payments; no join back to the marked rows for the arrays the score never reads (half the
rule's CPU at 1M payments)."""


__all__ = ["DEFAULT_UTC_OFFSETS", "MARK_COLUMNS", "local_hour_sql", "marked_share_sql", "night_sql"]
