"""With VIGIL_RECORD_STORE=parquet the API's background run moves what it accepted into parts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vigil.columnar.background import records_for_run
from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.intake.service import Intake
from vigil.records import RecordKind
from vigil.registry import load_registry
from vigil.settings import Settings
from vigil.store.memory import MemoryStore
from vigil.store.open import open_store
from vigil.store.sql import SqlStore

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def report(n: int) -> dict[str, Any]:
    return {"report_id": f"r{n}", "reporter": f"vidchat:viewer{n}", "reported": "vidchat:host",
            "session_id": f"s{n}", "reported_at": "2026-11-29T10:00:00Z",
            "reason": "asked my age and to keep it secret"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'vigil.db'}")
    assert isinstance(opened, SqlStore)
    yield opened
    opened.close()


def test_the_background_run_moves_accepted_records_and_finds_them(store: SqlStore,
                                                                  tmp_path: Path) -> None:
    settings = Settings(database_url="memory://", record_store="parquet",
                        records_url=str(tmp_path / "parts"))
    service = Intake(store, settings, load_registry(), background=False, clock=lambda: NOW)
    service.accept(RecordKind.REPORT, [report(1), report(2)])
    parts = ColumnarRecords(tmp_path / "parts")
    split = SplitRecordStore(store, parts)
    assert [r.report_id for r in split.records(RecordKind.REPORT)] == ["r1", "r2"]  # type: ignore[attr-defined]
    service.run_now()
    assert store.records(RecordKind.REPORT) == []
    assert parts.count(RecordKind.REPORT) == 2
    [case] = store.cases()
    assert len(case.signals) == 2
    service.accept(RecordKind.REPORT, [report(2), report(3)])
    assert [r.report_id for r in split.records(RecordKind.REPORT)] == ["r1", "r2", "r3"]  # type: ignore[attr-defined]
    service.run_now()
    assert parts.count(RecordKind.REPORT) == 3 and store.records(RecordKind.REPORT) == []
    service.close()


def test_with_the_sql_record_store_the_run_reads_the_store_itself(store: SqlStore) -> None:
    assert records_for_run(store, Settings()) is store
    memory = MemoryStore()
    assert records_for_run(memory, Settings(record_store="parquet")) is memory
