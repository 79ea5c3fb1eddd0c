"""SQL fragments every payment typology shares: quoting, surnames, the corridor, the finding shape.

Split out so every rule module (:mod:`vigil.payments.rules`), the windowed rules'
:mod:`vigil.payments.fan_sql` and the reference self-join can use them without an import cycle.
"""

from __future__ import annotations

from collections.abc import Sequence

from vigil.payments.rule_base import Corridor

SECONDS_PER_DAY = 86400


def quoted_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def number(value: float) -> str:
    return repr(float(value))


def surname(column: str, alias: str) -> str:
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


def corridor_where(corridor: Corridor) -> str:
    """The predicate of a cross-border payment from a consumer country to a high-risk one."""
    consumers = ", ".join(quoted_text(c) for c in corridor.consumer_countries)
    high_risk = ", ".join(quoted_text(c) for c in corridor.high_risk_countries)
    individuals = ("\n      AND sender_type = 'individual' AND beneficiary_type = 'individual'"
                   if corridor.individuals_only else "")
    return f"""sender_country IN ({consumers})
      AND beneficiary_country IN ({high_risk})
      AND sender_country <> beneficiary_country{individuals}"""


def corridor_cte(name: str, corridor: Corridor, amount_filter: str = "",
                 extra_columns: Sequence[str] = ()) -> str:
    """Cross-border payments from a consumer country to a high-risk one, with derived columns
    (and the ``payments`` columns ``extra_columns``, for a rule's marks: no join back to
    ``payments`` for them)."""
    amount = f"\n      AND {amount_filter}" if amount_filter else ""
    extra = "".join(f"{column}, " for column in extra_columns)
    return f"""{name} AS (
    SELECT
        txn_id, sender, beneficiary, amount_usd, sent_at, {extra}
        unix_seconds(sent_at) AS sent_s,
        {surname("sender_name", "sender_surname")},
        {surname("beneficiary_name", "beneficiary_surname")}
    FROM payments
    WHERE {corridor_where(corridor)}{amount}
)"""


SHAPE_COLUMNS = frozenset({"senders", "beneficiaries", "txn_ids", "first_at", "last_at"})
"""The columns of :data:`FINDING_COLUMNS` every finding row has besides its rule's figures."""

FINDING_COLUMNS = """ARRAY_SORT(ARRAY_AGG(DISTINCT p.sender)) AS senders,
    ARRAY_SORT(ARRAY_AGG(DISTINCT p.beneficiary)) AS beneficiaries,
    ARRAY_SORT(ARRAY_AGG(p.txn_id)) AS txn_ids,
    COUNT(*) AS txn_count,
    SUM(p.amount_usd) AS total_usd,
    MIN(p.amount_usd) AS min_usd,
    MAX(p.amount_usd) AS max_usd,
    MIN(p.sent_at) AS first_at,
    MAX(p.sent_at) AS last_at"""
"""The columns of a finding row. The arrays are sorted (``ARRAY_SORT``, in DuckDB and Spark):
``ARRAY_AGG`` collects in whatever order the engine's threads meet the rows, and a finding must
read the same on every run."""


__all__ = ["FINDING_COLUMNS", "SECONDS_PER_DAY", "SHAPE_COLUMNS", "corridor_cte",
           "corridor_where", "number", "quoted_text", "surname"]
