"""A rule's score form (``PaymentRule.score_sql``) yields, finding for finding, what the score
reads of its full SQL: the same senders, transaction count and figures, in the same order (DuckDB;
Spark runs the forms in tests/payments/test_typology_spark_parity.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.payments.helpers import LOOSE, PACK, small_world
from vigil.engines import DuckDBEngine
from vigil.payments.payment_table import payment_columns
from vigil.payments.rules import PaymentRules
from vigil.payments.typology import score_sql


def _read(rows: list[dict[str, Any]], columns: list[str]) -> list[tuple[Any, ...]]:
    return [(sorted(row["senders"]), *(row[c] for c in columns)) for row in rows]


@pytest.mark.parametrize("pack", [PACK, LOOSE], ids=["default", "loosest"])
def test_each_score_form_reads_as_its_rule(tmp_path: Path, pack: PaymentRules) -> None:
    payments = small_world(tmp_path)
    formed = [rule for rule in pack.enabled() if rule.rule.score_sql(rule.parameters)]
    assert {rule.id for rule in formed} >= {"R1", "R6", "R7", "R8", "R11", "R12"}
    with DuckDBEngine() as engine:
        engine.register_table("payments", payment_columns(payments))
        found = 0
        for rule in formed:
            form = engine.query(score_sql(rule))
            columns = [c for c in (form[0] if form else {}) if c != "senders"]
            full = engine.query(rule.rule.sql(rule.parameters))
            assert _read(form, columns) == _read(full, columns), rule.id
            found += len(form)
    assert found > 0
