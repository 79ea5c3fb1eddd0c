"""The mover takes records the API committed one at a time into Parquet parts: exactly once,
whatever step it is killed at, and readers see each record once while it works."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.payments.helpers import pay
from vigil.columnar.mover import MoveError, move_records
from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.records import Record, RecordKind
from vigil.store import schema
from vigil.store.memory import MemoryStore
from vigil.store.open import open_store
from vigil.store.sql import SqlStore
from vigil.testing.scale_records import synthetic_records

pytestmark = pytest.mark.heavy(seconds=40)

KINDS = (RecordKind.MEDIA, RecordKind.MESSAGE, RecordKind.REPORT)


def _arrivals(rows: int) -> list[Record]:
    return [r for kind in KINDS for r in synthetic_records(kind, rows, seed=3)] + [
        pay(f"t{i}") for i in range(rows)]


def _waiting(store: SqlStore) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(schema.records)) or 0)


def _seen(split: SplitRecordStore) -> Counter[str]:
    """Content hash -> times a reader saw it, over every kind."""
    return Counter(r.content_hash() for kind in RecordKind for r in split.records(kind))


def _sql_store(url: str, records: list[Record]) -> SqlStore:
    store = open_store(url)
    assert isinstance(store, SqlStore)
    for start in range(0, len(records), 97):  # one request at a time, as the API commits them
        store.add_records(records[start:start + 97])
    return store


def test_readers_see_every_record_once_at_every_step_of_a_move(sql_store_url: str,
                                                                tmp_path: Path) -> None:
    arrivals = _arrivals(120)
    store = _sql_store(sql_store_url, arrivals)
    parts = ColumnarRecords(tmp_path / "parts")
    parts.add_records(arrivals[:30])  # already in the parts (imported, or an earlier move)
    split = SplitRecordStore(store, parts)
    expected = Counter(r.content_hash() for r in arrivals)
    steps: list[str] = []

    def read(step: str) -> None:
        steps.append(step)
        assert _seen(split) == expected, f"after {step} #{len(steps)}"

    read("before")
    results = move_records(store, parts, batch_rows=50, on_step=read)
    assert {"written", "quarantined", "deleted"} <= set(steps)
    assert _waiting(store) == 0
    assert sum(r.moved + r.duplicates for r in results.values()) == len(arrivals)
    assert sum(r.duplicates for r in results.values()) == 30
    assert Counter(r.content_hash() for kind in RecordKind
                   for r in parts.records(kind)) == expected
    store.close()


def test_a_waiting_record_whose_id_the_parts_hold_with_other_content_is_quarantined(
        tmp_path: Path) -> None:
    store = _sql_store(f"sqlite:///{tmp_path / 'v.db'}", [pay("t1", usd=5.0), pay("t2")])
    parts = ColumnarRecords(tmp_path / "parts")
    parts.add_records([pay("t1")])
    split = SplitRecordStore(store, parts)
    assert split.records(RecordKind.PAYMENT) == [pay("t1"), pay("t2")]
    result = move_records(store, parts)[RecordKind.PAYMENT]
    assert (result.moved, result.quarantined) == (1, 1)
    [entry] = store.quarantine()
    assert "txn_id t1 already stored with different content" in entry.reason
    assert split.records(RecordKind.PAYMENT) == [pay("t1"), pay("t2")]
    store.close()


def test_moving_needs_a_sql_store(tmp_path: Path) -> None:
    with pytest.raises(MoveError, match="SQLite or PostgreSQL"):
        move_records(MemoryStore(), ColumnarRecords(tmp_path))


MOVE_SCRIPT = """
import sys
from vigil.columnar.mover import move_records
from vigil.columnar.store import ColumnarRecords
from vigil.store.open import open_store

db, parts, batch = sys.argv[1:]
move_records(open_store(db), ColumnarRecords(parts), int(batch))
"""


def _move_in_child_and_kill(db: str, parts: Path, batch: int, rng: random.Random) -> None:
    """Start a move in a child and SIGKILL it at a random point once it has written parts."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    before = len(list(parts.glob("*/part-*.parquet")))
    wanted = before + rng.randrange(1, 6)
    child = subprocess.Popen([sys.executable, "-c", MOVE_SCRIPT, db, str(parts), str(batch)],
                             env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if len(list(parts.glob("*/part-*.parquet"))) >= wanted:
            break
        time.sleep(0.002)
    time.sleep(rng.random() * 0.02)  # land anywhere: mid-write, before or mid-delete
    child.send_signal(signal.SIGKILL)
    child.wait()


def test_kill_minus_nine_mid_move_then_move_again_leaves_every_record_once(
        tmp_path: Path) -> None:
    arrivals = _arrivals(1500)
    db, parts = f"sqlite:///{tmp_path / 'vigil.db'}", tmp_path / "parts"
    store = _sql_store(db, arrivals)
    split = SplitRecordStore(store, ColumnarRecords(parts))
    expected = Counter(r.content_hash() for r in arrivals)
    rng = random.Random(9)
    kills = 0
    for _ in range(4):
        if _waiting(store) == 0:
            break
        _move_in_child_and_kill(db, parts, 60, rng)
        kills += 1
        assert _seen(split) == expected, f"a reader after kill {kills}"
    assert kills >= 2 and _waiting(store) > 0, "the children must be killed mid-move"
    move_records(store, ColumnarRecords(parts), 60)
    assert _waiting(store) == 0
    assert _seen(split) == expected
    assert not list(parts.glob("*/*.tmp"))
    store.close()
