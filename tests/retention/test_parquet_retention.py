"""Retention reaches the Parquet parts: past-period records go, held ones stay, parts stay whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from tests.core.factories import T0
from tests.retention.test_retention import DAYS_90, report, world
from vigil.cli.main import app
from vigil.columnar.parts import TMP_SUFFIX
from vigil.columnar.prune import prune_parts
from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.records import RecordKind
from vigil.retention.run import run_retention
from vigil.store.memory import MemoryStore

LATER = T0 + timedelta(days=100)


def parquet_world(tmp_path: Path) -> tuple[MemoryStore, SplitRecordStore]:
    """The held case of ``world`` and three more reports stored as two Parquet parts: one
    part wholly past the period, one with a held, a past and a recent report."""
    store = MemoryStore()
    world(store)
    records = SplitRecordStore(store, ColumnarRecords(tmp_path / "records"))
    records.columnar.add_records([report("p-old-1", "vidchat:e", "vidchat:f", 1),
                                  report("p-old-2", "vidchat:g", "vidchat:h", 2)])
    records.columnar.add_records([report("p-held", "vidchat:x", "vidchat:streamer", 3),
                                  report("p-old-3", "vidchat:i", "vidchat:j", 4),
                                  report("p-new", "vidchat:k", "vidchat:l", 60)])
    return store, records


def parquet_ids(records: SplitRecordStore) -> list[str]:
    return [r.report_id for r in records.columnar.records(RecordKind.REPORT)]  # type: ignore[attr-defined]


def test_retention_prunes_parts_and_keeps_what_a_hold_names(tmp_path: Path) -> None:
    store, records = parquet_world(tmp_path)
    plan = run_retention(store, DAYS_90, now=LATER, record_store=records)
    assert parquet_ids(records) == ["p-held", "p-new"]  # order inside the part is kept
    assert len(records.columnar.parts(RecordKind.REPORT)) == 1  # the wholly old part is gone
    assert plan.held["records"] == 2  # r-held in the table, p-held in a part
    [event] = [e for e in store.audit_events()
               if e.action == "retention_delete" and e.target == "records"]
    assert event.details["deleted"] == 4  # r-old in the table, three in the parts
    assert len(event.details["ids"]) == 4
    assert not list((tmp_path / "records" / "report").glob(f"*{TMP_SUFFIX}"))


def test_a_dry_run_leaves_every_part_as_it_was(tmp_path: Path) -> None:
    store, records = parquet_world(tmp_path)
    parts = records.columnar.parts(RecordKind.REPORT)
    before = [Path(p).read_bytes() for p in parts]
    plan = run_retention(store, DAYS_90, now=LATER, record_store=records, dry_run=True)
    assert plan.counts()["records"] == 4
    assert [Path(p).read_bytes() for p in parts] == before
    assert not [e for e in store.audit_events() if e.action == "retention_delete"]


def test_a_rewrite_killed_before_its_rename_leaves_the_old_part_and_is_finished_later(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, records = parquet_world(tmp_path)
    columnar = records.columnar

    def killed(temporary: Path, final: Path, table: pa.Table) -> None:
        temporary.write_bytes(b"half a part")
        raise KeyboardInterrupt  # stands in for kill -9 between the write and the rename

    monkeypatch.setattr("vigil.columnar.parts.write_local_part", killed)
    with pytest.raises(KeyboardInterrupt):
        prune_parts(columnar, RecordKind.REPORT,
                    lambda batch: [r.report_id == "p-old-3" for r in batch])  # type: ignore[attr-defined]
    assert "p-old-3" in parquet_ids(records)  # the old part is whole and still read
    monkeypatch.undo()
    gone = prune_parts(columnar, RecordKind.REPORT,
                       lambda batch: [r.report_id == "p-old-3" for r in batch])  # type: ignore[attr-defined]
    assert len(gone) == 1 and "p-old-3" not in parquet_ids(records)
    assert not list((tmp_path / "records" / "report").glob(f"*{TMP_SUFFIX}"))


def test_the_retention_command_prunes_the_parts_beside_the_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("VIGIL_RECORD_STORE", "parquet")
    monkeypatch.setenv("VIGIL_JURISDICTION", "eu")  # 365 days for records
    ColumnarRecords(tmp_path / "records").add_records([
        report("p-old", "vidchat:a", "vidchat:b", (datetime.now(UTC) - T0).days - 400),
        report("p-now", "vidchat:c", "vidchat:d", (datetime.now(UTC) - T0).days)])
    runner = CliRunner()
    dry = runner.invoke(app, ["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "eu: would delete 1 records, 0 signals, 0 cases" in dry.stdout
    done = runner.invoke(app, ["retention", "run"])
    assert done.exit_code == 0 and "eu: deleted 1 records" in done.stdout, done.output
    kept = ColumnarRecords(tmp_path / "records").records(RecordKind.REPORT)
    assert [r.report_id for r in kept] == ["p-now"]  # type: ignore[attr-defined]
