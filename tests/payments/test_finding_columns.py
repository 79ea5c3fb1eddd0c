"""A rule's score rows fetched as columns (:mod:`vigil.payments.finding_columns`) hold the values
its rows hold, of the same types; and each built-in rule's contribution reads no finding column
but ``txn_count`` and its :attr:`~vigil.payments.rule_base.PaymentRule.score_figures`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.payments.helpers import LOOSE, PACK, small_world
from tests.payments.test_inline_scorer import _low_thresholds
from vigil.engines import DuckDBEngine, rows_of
from vigil.payments.finding_columns import FindingColumns, score_columns_query
from vigil.payments.payment_table import payment_columns
from vigil.payments.rules import PaymentRules, parse_rules
from vigil.payments.typology import score_sql
from vigil.payments.typology_score import payers, rule_entry


def _fetched(engine: DuckDBEngine, sql: str) -> FindingColumns:
    [found] = engine.fetched([score_columns_query(sql)])
    return found


def _same(found: FindingColumns, rows: list[dict[str, Any]]) -> None:
    assert len(found) == len(rows)
    for at, row in enumerate(rows):
        read = found.row(at)
        assert sorted(read) == sorted(row)
        assert [(type(read[name]), read[name]) for name in row] == [
            (type(value), value) for value in row.values()]
    places, accounts = found.scored()
    assert list(zip(places, accounts, strict=True)) == [
        (n, account) for n, row in enumerate(rows) for account in payers(row)]


@pytest.mark.parametrize("pack", [PACK, LOOSE], ids=["default", "loosest"])
def test_score_rows_as_columns_are_the_rows(tmp_path: Path, pack: PaymentRules) -> None:
    with DuckDBEngine() as engine:
        engine.register_table("payments", payment_columns(small_world(tmp_path)))
        found = 0
        for rule in pack.enabled():
            rows = engine.query(score_sql(rule))
            columns = _fetched(engine, score_sql(rule))
            assert columns.rows is None  # fetched as columns, not as rows
            _same(columns, rows)
            found += len(rows)
    assert found > 0


def test_senders_of_any_length_and_large_sums_read_as_their_rows() -> None:
    sql = ("SELECT senders, SUM(n) AS txn_count, CAST(SUM(n) AS DOUBLE) / 3 AS share, "
           "COUNT(*) AS c FROM (VALUES (['a'], 1), (['b', 'a', 'b'], 2), ([NULL], 3), "
           "(NULL, 4), ([], 5), (['c'], 9007199254740993)) t(senders, n) "
           "GROUP BY ALL ORDER BY c, txn_count")
    with DuckDBEngine() as engine:
        rows = rows_of(engine._connection.execute(sql))
        huge = _fetched(engine, sql)  # a sum past 2**53: read as rows, not floats
        assert huge.rows is not None
        _same(huge, rows)
        small = sql.replace("9007199254740993", "7")
        rows = rows_of(engine._connection.execute(small))
        found = _fetched(engine, small)
        assert found.rows is None and type(found.row(0)["txn_count"]) is int
        _same(found, rows)


def test_a_contribution_reads_only_txn_count_and_the_score_figures(tmp_path: Path) -> None:
    read = set()
    payments = small_world(tmp_path)
    data = _low_thresholds(PACK).model_dump(mode="json")
    for rule in data["rules"]:
        if rule["id"] == "R14":  # every beneficiary listed
            rule["parameters"]["listed_beneficiaries"] = sorted({p.beneficiary for p in payments})
    with DuckDBEngine() as engine:
        engine.register_table("payments", payment_columns(payments))
        for pack in (PACK, LOOSE, parse_rules(data)):
            for rule in pack.enabled():
                figures = rule.rule.score_figures
                assert figures is not None, rule.id
                for row in engine.query(rule.rule.sql(rule.parameters)):
                    kept = {name: row[name] for name in ("txn_count", *figures)}
                    assert rule_entry(rule, kept) == rule_entry(rule, row), rule.id
                    read.add(rule.id)
    assert read >= {"R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R11", "R12", "R14", "R15"}


def test_a_column_named_twice_reads_as_the_rows() -> None:
    sql = "SELECT ['a'] AS senders, 1 AS txn_count, 2 AS n, 3 AS n"
    with DuckDBEngine() as engine:
        found = _fetched(engine, sql)
        assert found.rows is not None
        _same(found, rows_of(engine._connection.execute(sql)))
