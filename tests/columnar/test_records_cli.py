"""``vigil records migrate`` and ``VIGIL_RECORD_STORE=parquet`` through the CLI."""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pa_csv
import pytest
from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.columnar.store import ColumnarRecords
from vigil.records import RecordKind
from vigil.testing.scale_payments import payment_batches

runner = CliRunner()


@pytest.fixture()
def payments_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("VIGIL_HOME", "VIGIL_RECORD_STORE", "VIGIL_RECORDS_URL", "VIGIL_DETECTORS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'store' / 'vigil.db'}")
    path = tmp_path / "payments.csv"
    pa_csv.write_csv(next(payment_batches(1500, seed=4)), path)
    return path


def test_migrate_copies_payments_once_and_a_parquet_run_finds_the_same(
        payments_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_DETECTORS", "payments.typologies")
    assert runner.invoke(app, ["import", "payment", str(payments_csv)]).exit_code == 0
    by_sql = runner.invoke(app, ["run"])
    assert by_sql.exit_code == 0, by_sql.output
    first = runner.invoke(app, ["records", "migrate"])
    assert first.exit_code == 0, first.output
    assert "payment: 1500 copied, 0 already there" in first.output
    assert "payment: 0 copied, 1500 already there" in runner.invoke(
        app, ["records", "migrate"]).output
    parts = ColumnarRecords(tmp_path / "store" / "records")
    assert parts.count(RecordKind.PAYMENT) == 1500
    monkeypatch.setenv("VIGIL_RECORD_STORE", "parquet")
    by_parquet = runner.invoke(app, ["run"])
    assert by_parquet.exit_code == 0, by_parquet.output
    signals = [line for line in by_sql.output.splitlines() if "signals" in line]
    assert signals and signals == [line for line in by_parquet.output.splitlines()
                                   if "signals" in line]


def test_parquet_import_writes_parts_beside_the_store(payments_csv: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_RECORD_STORE", "parquet")
    result = runner.invoke(app, ["import", "payment", str(payments_csv)])
    assert result.exit_code == 0, result.output
    assert ColumnarRecords(tmp_path / "store" / "records").count(RecordKind.PAYMENT) == 1500
    again = runner.invoke(app, ["import", "payment", str(payments_csv)])
    assert again.exit_code == 0
    assert ColumnarRecords(tmp_path / "store" / "records").count(RecordKind.PAYMENT) == 1500


def test_a_store_not_in_a_file_without_records_url_is_exit_two(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIGIL_RECORDS_URL", raising=False)
    monkeypatch.setenv("VIGIL_DATABASE_URL", "memory://")
    monkeypatch.setenv("VIGIL_RECORD_STORE", "parquet")
    result = runner.invoke(app, ["records", "migrate"])
    assert result.exit_code == 2
    assert "VIGIL_RECORDS_URL" in result.output


def test_move_takes_the_table_rows_into_parts_once(payments_csv: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["import", "payment", str(payments_csv)]).exit_code == 0
    moved = runner.invoke(app, ["records", "move", "--batch", "400"])
    assert moved.exit_code == 0, moved.output
    assert "payment: 1500 moved, 0 already there, 0 quarantined" in moved.output
    again = runner.invoke(app, ["records", "move"])
    assert "payment: 0 moved" in again.output
    assert ColumnarRecords(tmp_path / "store" / "records").count(RecordKind.PAYMENT) == 1500


def test_move_from_a_memory_store_is_exit_two(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setenv("VIGIL_DATABASE_URL", "memory://")
    monkeypatch.setenv("VIGIL_RECORDS_URL", str(tmp_path / "parts"))
    result = runner.invoke(app, ["records", "move"])
    assert result.exit_code == 2
    assert "SQLite or PostgreSQL" in result.output
