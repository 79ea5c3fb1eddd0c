"""Tiny hand-built payments for rule tests: one call per transfer, sensible corridor defaults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from vigil.demo.payworld import generate_payworld, write_payworld
from vigil.engines import DuckDBEngine
from vigil.importers.csv_payments import PaymentCsv
from vigil.payments.payment_table import payment_columns
from vigil.payments.rules import load_rules
from vigil.records import Payment

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)

PACK = load_rules()
LOOSE = PACK.model_copy(update={"rules": tuple(
    rule.model_copy(update={"parameters": rule.parameters.model_copy(update={
        "min_marked": 1, "min_share": 0.01})}) if hasattr(rule.parameters, "min_marked")
    else rule for rule in PACK.rules)})
"""The pack with every marked-share rule at its loosest, so each has findings to compare."""


def small_world(folder: Path) -> list[Payment]:
    """A small generated payment world (120 senders, 120 days), read by the CSV importer."""
    write_payworld(generate_payworld(31, senders=120, days=120), folder / "p.csv",
                   folder / "t.csv")
    return [r for r in PaymentCsv().read(folder / "p.csv").records if isinstance(r, Payment)]


def pay(
    txn: str,
    day: float = 0.0,
    *,
    sender: str = "bank:s1",
    beneficiary: str = "gcash:b1",
    usd: float = 30.0,
    sender_country: str = "AU",
    beneficiary_country: str = "PH",
    sender_name: str | None = None,
    beneficiary_name: str | None = None,
    **extra: Any,
) -> Payment:
    return Payment(
        txn_id=txn, sender=sender, beneficiary=beneficiary, amount=usd, currency="USD",
        amount_usd=usd, sender_country=sender_country, beneficiary_country=beneficiary_country,
        sent_at=T0 + timedelta(days=day), sender_name=sender_name,
        beneficiary_name=beneficiary_name, **extra,
    )


def series(prefix: str, count: int, every_days: float, **kwargs: Any) -> list[Payment]:
    """``count`` payments ``every_days`` apart, all with the same fields."""
    return [pay(f"{prefix}{i:03d}", i * every_days, **kwargs) for i in range(count)]


def run_sql(sql: str, payments: list[Payment]) -> list[dict[str, Any]]:
    """Run one rule's SQL on a fresh DuckDB engine loaded with ``payments``."""
    with DuckDBEngine() as engine:
        engine.register_table("payments", payment_columns(payments))
        return engine.query(sql)
