"""The columnar store keeps the records table's contract: duplicates, conflicts, read-back."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.payments.helpers import pay
from vigil.access.tenants import tenant_store_url
from vigil.columnar.migrate import migrate_records
from vigil.columnar.split import SplitRecordStore, record_store_for, records_root
from vigil.columnar.store import ColumnarRecords
from vigil.records import RECORD_TYPES, RecordKind
from vigil.settings import Settings
from vigil.store.memory import MemoryStore
from vigil.testing.scale_records import synthetic_records


def test_duplicates_are_skipped_and_conflicts_reported_across_parts(tmp_path: Path) -> None:
    store = ColumnarRecords(tmp_path)
    first = store.add_records([pay("t1"), pay("t2"), pay("t2")])
    second = store.add_records([pay("t1"), pay("t2", usd=99.0), pay("t3"), pay("t3", usd=5.0)])
    assert (first.added, first.duplicates, first.conflicts) == (2, 1, ())
    assert (second.added, second.duplicates, second.conflicts) == (1, 1, (1, 3))
    assert store.records(RecordKind.PAYMENT) == [pay("t1"), pay("t2"), pay("t3")]
    assert store.count(RecordKind.PAYMENT) == 3
    assert len(store.parts(RecordKind.PAYMENT)) == 2


def test_non_ascii_identifiers_read_back_with_their_typed_text(tmp_path: Path) -> None:
    store = ColumnarRecords(tmp_path)
    typed = pay("t1", beneficiary="gcash:\u0430lice")
    store.add_records([typed])
    [back] = store.records(RecordKind.PAYMENT)
    assert back == typed
    assert back.original_identifiers == typed.original_identifiers != {}


def test_an_fsspec_url_holds_the_parts(tmp_path: Path) -> None:
    store = ColumnarRecords("memory://vigil-columnar-test/records")
    assert store.add_records([pay("t1")]).added == 1
    assert store.add_records([pay("t1"), pay("t2")]).added == 1
    assert all(p.startswith("memory://") for p in store.parts(RecordKind.PAYMENT))
    assert [p.txn_id for p in store.records(RecordKind.PAYMENT)] == ["t1", "t2"]  # type: ignore[attr-defined]
    store.folder.fs.rm("/vigil-columnar-test", recursive=True)


def test_a_leftover_temporary_part_is_never_read_and_is_removed(tmp_path: Path) -> None:
    store = ColumnarRecords(tmp_path)
    store.add_records([pay("t1")])
    leftover = tmp_path / "payment" / "part-0-x.parquet.tmp"
    leftover.write_bytes(b"half a part")
    assert [p.txn_id for p in store.records(RecordKind.PAYMENT)] == ["t1"]  # type: ignore[attr-defined]
    store.add_records([pay("t2")])
    assert not leftover.exists()


def test_split_store_sends_records_to_parquet(tmp_path: Path) -> None:
    settings = Settings(record_store="parquet", records_url=str(tmp_path / "parts"))
    operational = MemoryStore()
    split = record_store_for(settings, operational, "sqlite:///unused.db")
    assert isinstance(split, SplitRecordStore)
    split.add_records([pay("t1")])
    assert operational.records(RecordKind.PAYMENT) == []
    assert split.records(RecordKind.PAYMENT) == [pay("t1")]
    assert record_store_for(Settings(), operational, "sqlite:///x.db") is operational


def test_parts_default_to_records_beside_the_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / '.vigil' / 'vigil.db'}"
    assert records_root(Settings(), url) == str(tmp_path / ".vigil" / "records")
    with pytest.raises(ValueError, match="VIGIL_RECORDS_URL"):
        records_root(Settings(), "postgresql://u@h/db")


def test_each_tenant_keeps_its_parts_apart(tmp_path: Path) -> None:
    main = f"sqlite:///{tmp_path / '.vigil' / 'vigil.db'}"
    acme, zeta = (tenant_store_url(main, name) for name in ("acme", "zeta"))
    roots = {records_root(Settings(), url) for url in (main, acme, zeta)}
    assert roots == {str(tmp_path / ".vigil" / "records"),
                     str(tmp_path / ".vigil" / "records" / "tenants" / "acme"),
                     str(tmp_path / ".vigil" / "records" / "tenants" / "zeta")}
    shared = Settings(records_url="s3://bucket/vigil/records/")
    postgres = tenant_store_url("postgresql://u@h/db", "acme")
    assert records_root(shared, postgres) == "s3://bucket/vigil/records/tenants/acme"
    assert records_root(shared, "postgresql://u@h/db") == "s3://bucket/vigil/records"
    ColumnarRecords(records_root(Settings(), acme)).add_records([pay("t1")])
    assert ColumnarRecords(records_root(Settings(), zeta)).records(RecordKind.PAYMENT) == []
    assert ColumnarRecords(records_root(Settings(), main)).records(RecordKind.PAYMENT) == []


def test_migrate_copies_in_chunks_and_counts_conflicts_by_position(tmp_path: Path) -> None:
    source = MemoryStore()
    source.add_records([pay("t1"), pay("t2"), pay("t3")])
    target = ColumnarRecords(tmp_path)
    target.add_records([pay("t2", usd=77.0)])
    result = migrate_records(source, target, chunk_rows=2)[RecordKind.PAYMENT]
    assert (result.added, result.duplicates, result.conflicts) == (2, 0, (1,))
    assert len(target.parts(RecordKind.PAYMENT)) == 3
    again = migrate_records(source, target, chunk_rows=2)[RecordKind.PAYMENT]
    assert (again.added, again.duplicates, again.conflicts) == (0, 2, (1,))


def test_every_kind_has_typed_columns_and_reads_back_exactly(tmp_path: Path) -> None:
    store = ColumnarRecords(tmp_path)
    for kind in (RecordKind.MEDIA, RecordKind.MESSAGE, RecordKind.REPORT):
        records = list(synthetic_records(kind, 40, seed=2))
        assert store.add_records(records).added == 40
        assert store.add_records(records[:10]).duplicates == 10
        assert store.records(kind) == records
        [part] = store.parts(kind)
        columns = pq.read_schema(part).names
        assert set(RECORD_TYPES[kind].model_fields) <= set(columns)
    reports = pq.read_table(store.parts(RecordKind.REPORT)[0], columns=["frame_pdqs"])
    assert reports.schema.field("frame_pdqs").type == pa.list_(pa.string())
    [(count,)] = duckdb.connect().execute(
        "SELECT count(*) FROM read_parquet(?) "
        "WHERE len(frame_pdqs) = 1 AND reported_at IS NOT NULL",
        [store.parts(RecordKind.REPORT)]).fetchall()
    assert count == 40
