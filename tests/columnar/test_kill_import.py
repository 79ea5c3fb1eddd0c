"""Nothing accepted is lost or doubled: ``kill -9`` mid-import, import again, every row once
(every kind, on the SQL records table and on Parquet parts)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.csv as pa_csv
import pytest

from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.ingest import import_file
from vigil.records import RecordKind
from vigil.registry import load_registry
from vigil.store import record_ids
from vigil.store.open import open_store
from vigil.testing.scale_payments import payment_batches
from vigil.testing.scale_records import write_jsonl

pytestmark = pytest.mark.heavy(seconds=50)

ROWS, CHUNK = 12_000, 400

IMPORT_SCRIPT = """
import sys
from pathlib import Path
from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.ingest import import_file
from vigil.records import RecordKind
from vigil.registry import load_registry
from vigil.store.open import open_store
csv, db, parts, chunk = sys.argv[1:]
store = SplitRecordStore(open_store(db), ColumnarRecords(parts))
import_file(store, RecordKind.PAYMENT, Path(csv), load_registry().importers, int(chunk))
"""


def _import_in_child_and_kill(csv: Path, db: str, parts: Path) -> int:
    """Start the import in a child, SIGKILL it once a few parts are written; parts it left."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", IMPORT_SCRIPT, str(csv), db, str(parts),
                              str(CHUNK)], env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if len(list((parts / "payment").glob("part-*.parquet"))) >= 3:
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    return len(list((parts / "payment").glob("part-*.parquet")))


def test_kill_minus_nine_then_reimport_leaves_every_row_once(tmp_path: Path) -> None:
    csv = tmp_path / "payments.csv"
    pa_csv.write_csv(next(payment_batches(ROWS, seed=9, batch_rows=ROWS)), csv)
    db, parts = f"sqlite:///{tmp_path / 'vigil.db'}", tmp_path / "records"
    open_store(db).close()
    left = _import_in_child_and_kill(csv, db, parts)
    assert 0 < left < ROWS // CHUNK, "the child must be killed mid-import"

    store = SplitRecordStore(open_store(db), ColumnarRecords(parts))
    summary = import_file(store, RecordKind.PAYMENT, csv, load_registry().importers, CHUNK)
    assert summary.quarantined == 0
    assert summary.added + summary.duplicates == ROWS
    assert summary.duplicates >= left * CHUNK
    files = store.columnar.parts(RecordKind.PAYMENT)
    [(total, distinct)] = duckdb.connect().execute(
        "SELECT count(*), count(DISTINCT txn_id) FROM read_parquet(?)", [files]).fetchall()
    assert (total, distinct) == (ROWS, ROWS)
    assert not list((parts / "payment").glob("*.tmp"))


KIND_ROWS, KIND_CHUNK = 2400, 150

ANY_IMPORT_SCRIPT = """
import sys
from pathlib import Path
from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.ingest import import_file
from vigil.records import RecordKind
from vigil.registry import load_registry
from vigil.store.open import open_store

path, db, parts, kind, chunk = sys.argv[1:]
store = open_store(db)
if parts != "-":
    store = SplitRecordStore(store, ColumnarRecords(parts))
import_file(store, RecordKind(kind), Path(path), load_registry().importers, int(chunk))
"""


def _stored_rows(db_file: Path, parts: Path | None, kind: RecordKind) -> int:
    """Rows the killed import left: whole parts' rows, or committed rows of the table."""
    if parts is not None:
        files = [str(p) for p in (parts / kind.value).glob("part-*.parquet")]
        return len(files) and int(duckdb.connect().execute(
            "SELECT count(*) FROM read_parquet(?)", [files]).fetchone()[0])  # type: ignore[index]
    with sqlite3.connect(db_file, timeout=30) as conn:
        return int(conn.execute("SELECT count(*) FROM records WHERE kind = ?",
                                (kind.value,)).fetchone()[0])


def _source_file(tmp_path: Path, kind: RecordKind) -> Path:
    if kind is RecordKind.PAYMENT:
        path = tmp_path / "payments.csv"
        pa_csv.write_csv(next(payment_batches(KIND_ROWS, seed=9, batch_rows=KIND_ROWS)), path)
        return path
    return write_jsonl(tmp_path / f"{kind.value}.jsonl", kind, KIND_ROWS, seed=9)


@pytest.mark.parametrize(("kind", "record_store"), [
    *[(kind, where) for kind in (RecordKind.MEDIA, RecordKind.MESSAGE, RecordKind.REPORT)
      for where in ("sql", "parquet")],
    (RecordKind.PAYMENT, "sql"),
])
def test_every_kind_on_both_record_stores_survives_kill_minus_nine_mid_import(
        tmp_path: Path, kind: RecordKind, record_store: str) -> None:
    """The payment case on Parquet is the test above; here every other kind and store."""
    source = _source_file(tmp_path, kind)
    db_file = tmp_path / "vigil.db"
    db = f"sqlite:///{db_file}"
    parts = tmp_path / "records" if record_store == "parquet" else None
    open_store(db).close()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", ANY_IMPORT_SCRIPT, str(source), db,
                              str(parts or "-"), kind.value, str(KIND_CHUNK)], env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if _stored_rows(db_file, parts, kind) >= 3 * KIND_CHUNK:
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    left = _stored_rows(db_file, parts, kind)
    assert 0 < left < KIND_ROWS, "the child must be killed mid-import"

    opened = open_store(db)
    store = opened if parts is None else SplitRecordStore(opened, ColumnarRecords(parts))
    summary = import_file(store, kind, source, load_registry().importers, KIND_CHUNK)
    assert summary.quarantined == 0
    assert summary.added + summary.duplicates == KIND_ROWS
    assert summary.duplicates >= left
    stored = store.records(kind)
    ids = {record_ids.record_id(r)[1] for r in stored}
    assert len(stored) == len(ids) == KIND_ROWS
    opened.close()
