"""Records dated past the import clock's skew are quarantined on every import path, naming the
field (a report "from" 2099 would otherwise make every other case look stale)."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vigil import RecordKind, import_files, load_registry, open_store
from vigil.importers.clock import import_clock
from vigil.importers.rows import parse_row

REPORT = {"report_id": "r1", "reporter": "vidchat:a", "reported": "vidchat:b",
          "session_id": "s1", "reported_at": "2099-06-01T00:00:00+00:00", "reason": "asked my age"}


def test_a_report_from_2099_is_quarantined_by_import_files(tmp_path: Path) -> None:
    path = tmp_path / "reports.jsonl"
    path.write_text(json.dumps(REPORT) + "\n" + json.dumps(
        {**REPORT, "report_id": "r2", "reported_at": "2026-01-01T00:00:00+00:00"}) + "\n")
    store = open_store("memory://")
    [summary] = import_files(store, RecordKind.REPORT, [path], load_registry().importers)
    assert (summary.accepted, summary.quarantined) == (1, 1)
    [entry] = store.quarantine()
    assert entry.line == 1 and entry.reason.startswith("reported_at:")


def test_the_skew_is_the_callers() -> None:
    now = datetime(2099, 5, 31, 12, tzinfo=UTC)
    raw = json.dumps(REPORT).encode()
    with import_clock(timedelta(hours=24), now):
        assert parse_row(RecordKind.REPORT, dict(REPORT), "f", 1, raw).__class__.__name__ == \
            "AcceptedRow"
    with import_clock(timedelta(hours=1), now):
        outcome = parse_row(RecordKind.REPORT, dict(REPORT), "f", 1, raw)
        assert "future" in getattr(outcome, "reason", "")
