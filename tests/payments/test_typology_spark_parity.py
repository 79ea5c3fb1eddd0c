"""Spark local gives the same typology scores as DuckDB on a small generated payment world.

Every rule of the R1-R16 pack, the benign shapes and the temporal features run once per engine
(about fifteen Spark jobs), compared account by account. Kept small, as CI runs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.engines import engine_named
from vigil.demo.payworld import generate_payworld, write_payworld
from vigil.importers.csv_payments import PaymentCsv
from vigil.payments.payment_table import payment_columns
from vigil.payments.typology import score_accounts
from vigil.records import Payment

pytestmark = pytest.mark.spark


def _scored(name: str, payments: list[Payment]) -> list[tuple[Any, ...]]:
    engine = engine_named(name)
    try:
        engine.register_table("payments", payment_columns(payments))
        return [(s.account, s.typology, round(s.score, 6), s.flagged,
                 tuple((r["id"], r["value"]) for r in s.rules),
                 tuple(sorted(s.benign.items())), tuple(sorted(s.features.items())))
                for s in score_accounts(engine)]
    finally:
        engine.close()


def test_the_typology_scores_agree_on_both_engines(tmp_path: Path) -> None:
    engine_named("spark").close()  # skips (or fails under VIGIL_REQUIRE_SPARK=1) without Spark
    write_payworld(generate_payworld(23, senders=150, days=150), tmp_path / "p.csv",
                   tmp_path / "t.csv")
    payments = [r for r in PaymentCsv().read(tmp_path / "p.csv").records
                if isinstance(r, Payment)]
    duckdb = _scored("duckdb", payments)
    assert any(row[3] for row in duckdb)
    assert _scored("spark", payments) == duckdb
