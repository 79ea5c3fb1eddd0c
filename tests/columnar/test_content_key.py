"""The parts' content key: as discriminating as the canonical JSON, and old keys still compare."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from tests.payments.helpers import pay
from vigil.columnar import csv_lane
from vigil.columnar.content_key import content_key, key_text
from vigil.columnar.csv_sql import _DECIMAL, float_text
from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.columnar.tables import records_table
from vigil.ingest import import_files
from vigil.records import Payment, RecordKind, record_from_dict
from vigil.registry import load_registry
from vigil.store.memory import MemoryStore


def test_the_key_tells_apart_what_the_json_tells_apart() -> None:
    base = pay("t1")
    assert content_key(base) == content_key(pay("t1")) and len(content_key(base)) == 32
    assert content_key(base) != content_key(pay("t1", usd=30.5))
    # Same instant, other offset; same folded account, other typed text; an empty name.
    later = base.sent_at.astimezone(timezone(timedelta(hours=8)))
    assert content_key(base) != content_key(base.model_copy(update={"sent_at": later}))
    assert content_key(pay("t1", beneficiary="gcash:\u0430lice")) != content_key(
        pay("t1", beneficiary="gcash:alice"))
    assert content_key(pay("t1", sender_name="")) != content_key(base)
    # A separator or backslash inside a value cannot forge another record's text.
    forged = pay("t1", sender_name="a\x1f\\N", beneficiary_name=None)
    split = pay("t1", sender_name="a", beneficiary_name="\\N")
    assert key_text(forged) != key_text(split)
    stamped = record_from_dict(RecordKind.PAYMENT, base.model_dump(mode="json"), tenant="acme")
    assert content_key(stamped) == content_key(base)  # the tenant stamp is not content


def _legacy_part(store: ColumnarRecords, records: list[Payment]) -> None:
    """A part as written before schema 3: SHA-256 of the canonical JSON as the key."""
    table = records_table(RecordKind.PAYMENT, records)
    legacy = pa.array([r.content_hash() for r in records], pa.string())
    store.folder.write_part("payment", table.set_column(1, "content_hash", legacy))


def test_parts_with_old_keys_compare_with_new_ones(tmp_path: Path) -> None:
    store = ColumnarRecords(tmp_path)
    _legacy_part(store, [pay("t1"), pay("t2")])
    result = store.add_records([pay("t1"), pay("t2", usd=99.0), pay("t3")])
    assert (result.added, result.duplicates, result.conflicts) == (1, 1, (1,))


def test_the_csv_lane_compares_with_old_keys(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_lane, "LANE_BATCH_ROWS", 2)
    sent = datetime(2024, 3, 1, 10, tzinfo=UTC)
    old = [Payment(txn_id=f"t{i}", sender="bank:a", beneficiary="bank:b", amount=12.5,
                   currency="PHP", amount_usd=0.25, sender_country="US",
                   beneficiary_country="PH", sent_at=sent) for i in (1, 2)]
    columnar = ColumnarRecords(tmp_path / "parts")
    _legacy_part(columnar, old)
    path = tmp_path / "p.csv"
    path.write_text("txn_id,sender,beneficiary,amount,currency,amount_usd,sender_country,"
                    "beneficiary_country,sent_at\n"
                    "t1,bank:a,bank:b,12.5,PHP,0.25,US,PH,2024-03-01T10:00:00Z\n"
                    "t2,bank:a,bank:b,13,PHP,0.25,US,PH,2024-03-01T10:00:00Z\n"
                    "t3,bank:a,bank:b,12.5,PHP,0.25,US,PH,2024-03-01T10:00:00Z\n", "utf-8")
    store = SplitRecordStore(MemoryStore(), columnar)
    [summary] = import_files(store, RecordKind.PAYMENT, [path], load_registry().importers,
                             columnar_lane=True)
    assert (summary.added, summary.duplicates, summary.quarantined) == (1, 1, 1)
    assert [q.line for q in store.quarantine()] == [3]


def test_duckdb_writes_a_plain_rows_amount_as_pythons_repr() -> None:
    """The lane's content key takes an amount's text from its cell when already in repr form,
    else from DuckDB's DOUBLE-to-text cast (csv_sql.float_text): both must be Python's ``repr``
    for every decimal the lane decides alone (csv_sql._DECIMAL)."""
    rng = random.Random(7)
    cells = ["0.0001", "0.00010", "0001.5", "5", "999999999.999999", "0.1", "100", "1.100000",
             "0.5", "00.5", "10.0", "10.05", "0.000100", "100000000.000001", "7.", ".7"]
    for _ in range(3000):
        whole, digits = rng.randrange(10 ** rng.randint(1, 9)), rng.randint(1, 6)
        cells.append(f"{whole}.{rng.randrange(10 ** digits):0{digits}d}")
    cells += [str(rng.randrange(1, 10 ** 9)) for _ in range(500)]
    with duckdb.connect() as db:
        rows = db.execute(
            f"SELECT s, {float_text('s')} FROM unnest(?) t(s) "
            f"WHERE regexp_matches(s, '{_DECIMAL}') AND TRY_CAST(s AS DOUBLE) >= 0.0001",
            [cells]).fetchall()
    assert len(rows) > 3000
    assert [text for _, text in rows] == [repr(float(cell)) for cell, _ in rows]
