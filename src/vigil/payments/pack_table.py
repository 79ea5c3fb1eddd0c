"""One scan of the payments for a whole pack: the rows some rule (or the score) reads, kept once.

Every built-in rule filters its payments first (the corridor, R14's listed accounts, R16's
payees abroad), and the typology score's benign shapes and features read the corridor too. Read
from Parquet parts, the payments any of them reads are taken in one pass and kept as the
``payments`` table the SQL reads (2M of 10M generated payments), instead of each query
scanning every part again. A rule that says nothing about the rows it reads
(:meth:`~vigil.payments.rule_base.PaymentRule.rows_read` ``None``, e.g. a third party's) gets a
view of every payment, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from vigil.payments.pack_keys import account_key_columns, keep_account_names
from vigil.payments.rules import PaymentRules, RuleConfig
from vigil.payments.sql_parts import corridor_where
from vigil.records import Payment


class ParquetEngine(Protocol):
    """An engine that reads Parquet parts as a view and keeps query results as tables
    (:class:`~vigil.engines.DuckDBEngine`, :class:`~vigil.spark_engine.SparkEngine`)."""

    def register_parquet(self, name: str, paths: Sequence[str], columns: Sequence[str],
                         filesystem: Any = None) -> None: ...
    def create_table(self, name: str, sql: str) -> None: ...
    def query(self, sql: str, params: Sequence[Any] | None = None,
              ) -> list[dict[str, Any]]: ...


def rule_rows_where(rule: RuleConfig) -> str | None:
    """The predicate true of every payment ``rule`` reads; ``None``: any payment."""
    if rule.rule.corridor_only:
        return corridor_where(rule.parameters.corridor)
    return rule.rule.rows_read(rule.parameters)


def pack_rows_where(rules: PaymentRules, extra: Sequence[str] = ()) -> str | None:
    """The payments some enabled rule of ``rules`` or an ``extra`` predicate reads (each
    predicate once), or ``None`` when a rule may read any payment (or none is enabled)."""
    predicates: list[str] = []
    for rule in rules.enabled():
        where = rule_rows_where(rule)
        if where is None:
            return None
        predicates.append(where)
    unique = list(dict.fromkeys([*predicates, *extra]))
    if not predicates or not unique:
        return None
    return unique[0] if len(unique) == 1 else " OR ".join(f"({p})" for p in unique)


def register_pack_payments(engine: ParquetEngine, rules: PaymentRules, parts: Sequence[str],
                           filesystem: Any = None, extra: Sequence[str] = (),
                           account_keys: bool = False) -> bool:
    """Table ``payments`` from the Parquet ``parts``: the rows :func:`pack_rows_where` keeps,
    read once; a view of every payment when a rule may read any. ``account_keys`` (DuckDB
    only): the table also keys each account (:mod:`vigil.payments.pack_keys`); whether the
    keys may be used (no two accounts share one)."""
    columns = list(Payment.model_fields)
    where = pack_rows_where(rules, extra)
    if where is None:
        engine.register_parquet("payments", parts, columns, filesystem)
        return False
    engine.register_parquet("payment_parts", parts, columns, filesystem)
    keys = f", {account_key_columns()}" if account_keys else ""
    engine.create_table("payments", f"SELECT *{keys} FROM payment_parts WHERE {where}")
    return account_keys and keep_account_names(engine)


__all__ = ["ParquetEngine", "pack_rows_where", "register_pack_payments", "rule_rows_where"]
