"""Nothing accepted is lost or doubled: ``kill -9`` mid-import, import again, every row once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.csv as pa_csv

from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.ingest import import_file
from vigil.records import RecordKind
from vigil.registry import load_registry
from vigil.store.open import open_store
from vigil.testing.scale_payments import payment_batches

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
