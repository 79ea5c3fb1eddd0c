"""Which stored senders new payments reach through the beneficiaries they paid.

A ``payer`` partition (R15, and the typology score with it: :mod:`vigil.payments.
partition_keys`) reads every payment to each beneficiary its sender paid, so a new payment S->B
may change the finding of every stored sender of B. It does only when it changes what those
findings read of B: a rule keyed ``payer`` says so with its
:meth:`~vigil.payments.rule_base.PaymentRule.beneficiary_profile_sql` (R15: whether B is
facilitator-like and its count of unrelated senders, saturated). The profile of each reached
beneficiary over the payments stored before the new ones is compared with its profile over all
of them (plain SQL: a FULL OUTER JOIN on ``IS DISTINCT FROM``), and only the senders of the
beneficiaries whose profile changed are reached. Without a profile for every rule (a third
party's payer-keyed rule, or a scored rule keyed ``beneficiary``) every stored sender of a
reached beneficiary is, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from vigil.payments.rules import RuleConfig


def beneficiary_profiles(rules: Iterable[RuleConfig]) -> tuple[str, ...] | None:
    """The beneficiary profile query of each of ``rules`` (those keyed ``payer``), or ``None``
    when one has none (or there is no rule): then the reach is every stored sender."""
    found = [rule.rule.beneficiary_profile_sql(rule.parameters) for rule in rules]
    if not found or any(sql is None for sql in found):
        return None
    return tuple(sql for sql in dict.fromkeys(found) if sql is not None)


def _profile_over(profile: str, rows: str) -> str:
    """``profile`` (a query over ``payments``) over the table or CTE ``rows`` instead."""
    return f"(WITH payments AS (SELECT * FROM {rows})\nSELECT * FROM (\n{profile}\n) AS q)"


def changed_beneficiaries_sql(profiles: Sequence[str], before: str, after: str) -> str:
    """The beneficiaries whose profile (any of ``profiles``) differs between the rows
    ``before`` and the rows ``after`` (tables or CTEs with the ``payments`` columns)."""
    return "\nUNION\n".join(
        f"SELECT COALESCE(a.beneficiary, b.beneficiary) AS beneficiary\n"
        f"FROM {_profile_over(profile, before)} AS a\n"
        f"FULL OUTER JOIN {_profile_over(profile, after)} AS b\n"
        f"  ON a.beneficiary = b.beneficiary\n"
        f"WHERE a.profile IS DISTINCT FROM b.profile"
        for profile in profiles)


def reached_senders_sql(profiles: Sequence[str] | None, stored: str, arrived: str,
                        hubs: str = "TRUE") -> str:
    """The distinct senders of the ``stored`` rows (those before the new ones) that the
    ``arrived`` rows reach through their beneficiaries (through the ``hubs`` rows only:
    :func:`~vigil.payments.partition_keys.hub_rows_where`); with ``profiles``, only through
    the beneficiaries whose profile the arrived rows change."""
    reached = (f"reached_rows AS (SELECT * FROM {stored} WHERE ({hubs}) AND beneficiary IN "
               f"(SELECT beneficiary FROM {arrived} WHERE {hubs}))")
    if profiles is None:
        return (f"WITH {reached}\nSELECT DISTINCT sender AS v FROM reached_rows "
                f"WHERE sender IS NOT NULL")
    changed = changed_beneficiaries_sql(profiles, "reached_rows", "all_rows")
    return f"""WITH {reached},
all_rows AS (SELECT * FROM reached_rows
             UNION ALL SELECT * FROM {arrived} WHERE {hubs}),
changed AS ({changed})
SELECT DISTINCT sender AS v FROM reached_rows
WHERE sender IS NOT NULL AND beneficiary IN (SELECT beneficiary FROM changed)"""


__all__ = ["beneficiary_profiles", "changed_beneficiaries_sql", "reached_senders_sql"]
