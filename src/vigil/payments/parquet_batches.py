"""Payment signals from Parquet parts a batch of findings at a time: memory follows the batch.

Each enabled rule's findings are first kept by DuckDB as a numbered table (in DuckDB's memory,
which spills to disk past its limit), never as one Python list; then they come back a batch at a
time, each batch with the KYC identifiers of its own transactions only, and become signals that
the caller stores before asking for the next batch. Holding every finding with its transaction
ids as Python rows and every signal in one list took 4.1 GB at 10M payments (docs/benchmarks.md,
"Payments at scale").
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from vigil.engines import DuckDBEngine
from vigil.payments.rules import PaymentRules, RuleConfig

FINDINGS_BATCH = 20_000
"""Findings per batch: a batch's rows and signals are tens of MB (a finding keeps up to a rule's
whole transaction list until its signal is built), against GBs for all of them at 10M."""

Found = list[tuple[RuleConfig, dict[str, Any]]]


def findings_tables(engine: DuckDBEngine, rules: PaymentRules, key: str | None = None,
                    start: int = 0) -> list[tuple[RuleConfig, str]]:
    """Each enabled rule's findings over the engine's ``payments`` (only the rules keyed by
    ``key``, when given) kept as table ``findings_<n>``, numbered by ``finding_number``."""
    tables = []
    for index, rule in enumerate((r for r in rules.enabled()
                                  if key is None or r.rule.history_key == key), start):
        name = f"findings_{index}"
        engine.create_table(name, "SELECT row_number() OVER () AS finding_number, * "
                                  f"FROM ({rule.rule.sql(rule.parameters)})")
        tables.append((rule, name))
    return tables


def finding_batches(engine: DuckDBEngine, tables: Sequence[tuple[RuleConfig, str]],
                    batch: int = FINDINGS_BATCH) -> Iterator[Found]:
    """The findings of ``tables`` (from :func:`findings_tables`), ``batch`` rows at a time."""
    for rule, table in tables:
        count = int(engine.query(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"])
        for first in range(0, count, batch):
            rows = engine.query(
                f"SELECT * EXCLUDE (finding_number) FROM {table} WHERE finding_number > ? "
                "AND finding_number <= ? ORDER BY finding_number", [first, first + batch])
            yield [(rule, row) for row in rows]
        engine.drop_table(table)


__all__ = ["FINDINGS_BATCH", "Found", "finding_batches", "findings_tables"]
