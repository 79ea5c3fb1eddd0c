"""Payment signals from Parquet parts a batch of findings at a time: memory follows the batch.

Each enabled rule's findings are first kept by DuckDB as a numbered table (in DuckDB's memory,
which spills to disk past its limit), never as one Python list; then they come back a batch at a
time, each finding with its KYC phones and e-mails (gathered by DuckDB), and become signals that
the caller stores before asking for the next batch. Holding every finding with its transaction
ids as Python rows and every signal in one list took 4.1 GB at 10M payments (docs/benchmarks.md,
"Payments at scale").
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from vigil.engines import DuckDBEngine
from vigil.payments.partition_keys import SCOPE_COLUMNS, WANTED_KEYS
from vigil.payments.rules import PaymentRules, RuleConfig

FINDINGS_BATCH = 20_000
"""Findings per batch: a batch's rows and signals are tens of MB (a finding keeps up to a rule's
whole transaction list until its signal is built), against GBs for all of them at 10M."""

Found = list[tuple[RuleConfig, dict[str, Any]]]
Row = dict[str, Any]
Kyc = tuple[list[str | None], list[str | None]]
"""A finding's KYC phones and e-mails (a NULL may be among them)."""


def findings_tables(engine: DuckDBEngine, rules: PaymentRules, key: str | None = None,
                    start: int = 0) -> list[tuple[RuleConfig, str]]:
    """Each enabled rule's findings over the engine's ``payments`` (only the rules keyed by
    ``key``, when given, and only their findings in the scopes of the engine's
    :data:`~vigil.payments.partition_keys.WANTED_KEYS` of that key: :func:`in_wanted_scope`)
    kept as table ``findings_<n>``, numbered by ``finding_number``."""
    tables = []
    where = "" if key is None else f" WHERE {in_wanted_scope(key)}"
    for index, rule in enumerate((r for r in rules.enabled()
                                  if key is None or r.rule.history_key == key), start):
        name = f"findings_{index}"
        engine.create_table(name, "SELECT row_number() OVER () AS finding_number, * "
                                  f"FROM ({rule.rule.sql(rule.parameters)}){where}")
        tables.append((rule, name))
    return tables


def in_wanted_scope(key: str) -> str:
    """A predicate on a finding of a rule keyed by ``key``: its scope (``<key>:<value>``, the
    one :func:`~vigil.payments.detector.scope_of` gives: the single distinct non-null value of
    the key's finding column) is one of the wanted keys'. A keyed history holds other accounts'
    findings too (at 10M plus 30,000, 275,018 findings for 32,441 in scope), and each would
    otherwise come back to Python with its KYC only to be dropped there."""
    column = SCOPE_COLUMNS[key]
    return (f"len(list_distinct({column})) = 1 AND list_distinct({column})[1] IN "
            f"(SELECT key_value FROM {WANTED_KEYS} WHERE key_column = '{key}')")


def _ranges(engine: DuckDBEngine, tables: Sequence[tuple[RuleConfig, str]], batch: int,
            ) -> Iterator[tuple[RuleConfig, str, int, int]]:
    """Each table's finding numbers ``(first, last]`` a batch at a time; a table is dropped
    once its batches are taken."""
    for rule, table in tables:
        count = int(engine.query(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"])
        for first in range(0, count, batch):
            yield rule, table, first, first + batch
        engine.drop_table(table)


_KYC_SQL = """WITH txns AS (
    SELECT finding_number, UNNEST(txn_ids) AS txn_id FROM {table}
    WHERE finding_number > ? AND finding_number <= ?
), used AS (
    SELECT t.finding_number, p.sender_phone AS phone, p.sender_email AS email
    FROM txns t JOIN payments p ON p.txn_id = t.txn_id
    UNION ALL
    SELECT t.finding_number, p.beneficiary_phone, p.beneficiary_email
    FROM txns t JOIN payments p ON p.txn_id = t.txn_id
)
SELECT f.finding_number, list(DISTINCT u.phone) AS phones, list(DISTINCT u.email) AS emails
FROM {table} f LEFT JOIN used u ON u.finding_number = f.finding_number
WHERE f.finding_number > ? AND f.finding_number <= ?
GROUP BY f.finding_number ORDER BY f.finding_number"""
"""Each finding's distinct KYC phones and e-mails over all its transactions (both parties'
fields, the ones :func:`~vigil.records.identifiers_of` reads from a payment): one row per
finding, in finding order."""


def kyc_batches(engine: DuckDBEngine, tables: Sequence[tuple[RuleConfig, str]],
                batch: int = FINDINGS_BATCH) -> Iterator[list[tuple[RuleConfig, Row, Kyc]]]:
    """The findings of ``tables`` (from :func:`findings_tables`), ``batch`` rows at a time,
    each with its KYC identifiers (``(phones, emails)``) gathered by DuckDB: a finding's
    transactions can be hundreds, its phones and e-mails a few, so no row per transaction
    comes back to Python (about a sixth of R1-R16's CPU at 1M: docs/benchmarks.md, "Payment
    signals built cheaper")."""
    for rule, table, first, last in _ranges(engine, tables, batch):
        rows = engine.query(
            f"SELECT * EXCLUDE (finding_number) FROM {table} WHERE finding_number > ? "
            "AND finding_number <= ? ORDER BY finding_number", [first, last])
        kyc = engine.query(_KYC_SQL.format(table=table), [first, last, first, last])
        yield [(rule, row, (found["phones"], found["emails"]))
               for row, found in zip(rows, kyc, strict=True)]


__all__ = ["FINDINGS_BATCH", "Found", "Kyc", "findings_tables", "in_wanted_scope", "kyc_batches"]
