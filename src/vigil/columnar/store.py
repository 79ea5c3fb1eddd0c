"""A columnar record store: high-volume kinds as Parquet parts, the rest in the operational store.

:class:`ColumnarRecords` keeps the :class:`~vigil.store.interfaces.RecordStore` contract of the
SQL ``records`` table: same content is a duplicate, the same id with other content a conflict the
importer quarantines. It finds both without reading the history into memory: the chunk's ids are
semi-joined by DuckDB against the ``record_id`` and ``content_hash`` columns of the stored parts
(only those two columns are read). Each accepted chunk becomes one part, written atomically
(:mod:`vigil.columnar.parts`), so an import killed mid-way and run again stores every row once.

Writers of one kind take turns (:meth:`PartFolder.writer_lock`, a file lock on local roots), so
an import and the mover (:mod:`vigil.columnar.mover`) never both accept one new id; on a remote
root nothing locks, so run one writer per kind there.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from vigil.columnar.content_key import LEGACY_KEY_LENGTH, content_key
from vigil.columnar.parts import PartFolder
from vigil.columnar.tables import TYPED_KINDS, records_from_batch, records_table
from vigil.records import Payment, Record, RecordKind
from vigil.store import record_ids
from vigil.store.interfaces import RECORD_BATCH_ROWS, AddResult

COLUMNAR_KINDS = frozenset(TYPED_KINDS)
"""Kinds the columnar store holds; the others stay in the operational store."""


class ColumnarRecords:
    """Records of :data:`COLUMNAR_KINDS` as Parquet parts under ``root`` (path or fsspec URL)."""

    def __init__(self, root: str | Path) -> None:
        self.folder = PartFolder(root)

    def parts(self, kind: RecordKind) -> list[str]:
        return self.folder.parts(kind.value)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection that can open this store's parts (fsspec registered if remote)."""
        connection = duckdb.connect(":memory:")
        if not self.folder.is_local:
            connection.register_filesystem(self.folder.fs)
        return connection

    def add_records(self, records: Sequence[Record]) -> AddResult:
        """Store new records of one kind as one part; duplicates and conflicts as documented."""
        if not records:
            return AddResult(0, 0)
        kind = records[0].kind
        if any(record.kind is not kind for record in records):
            raise ValueError("add_records takes records of one kind at a time")
        return self.add_table(kind, records_table(kind, records))

    def add_table(self, kind: RecordKind, table: pa.Table) -> AddResult:
        """:meth:`add_records` for rows already in the part schema (the CSV lane builds them in
        SQL); conflicts are positions in ``table``."""
        if table.num_rows == 0:
            return AddResult(0, 0)
        with self.folder.writer_lock(kind.value):
            return self._add_locked(kind, table)

    def _add_locked(self, kind: RecordKind, table: pa.Table) -> AddResult:
        self.folder.remove_leftovers(kind.value)
        keys = table.column("record_id").to_pylist()
        rows = [{"natural_key": key, "content_hash": digest, "position": position}
                for position, (key, digest)
                in enumerate(zip(keys, table.column("content_hash").to_pylist(), strict=True))]
        new_rows, conflicts = record_ids.classify(rows, self._stored_hashes(kind, keys))
        if new_rows:
            self.folder.write_part(kind.value, table.take([row["position"] for row in new_rows]))
        added = len(new_rows)
        return AddResult(added, table.num_rows - added - len(conflicts), conflicts)

    def _stored_hashes(self, kind: RecordKind, ids: list[str]) -> dict[str, str]:
        parts = self.parts(kind)
        found = self.stored_hashes(ids, parts)
        legacy = [key for key, digest in found.items() if len(digest) == LEGACY_KEY_LENGTH]
        return found | self.current_keys(kind, legacy, parts)

    def current_keys(self, kind: RecordKind, ids: Sequence[str],
                     parts: Sequence[str]) -> dict[str, str]:
        """``record_id -> content key`` of the records among ``ids`` whose part holds a key
        written before part schema 3, recomputed from the record (so old parts compare with
        new keys without a rewrite)."""
        if not parts or not ids:
            return {}
        connection = self.connect()
        try:
            connection.register("wanted", pa.table({"record_id": pa.array(sorted(set(ids)),
                                                                           pa.string())}))
            rows = connection.sql(
                "SELECT * FROM read_parquet($parts, union_by_name = true) "
                "WHERE record_id IN (SELECT record_id FROM wanted) "
                f"AND strlen(content_hash) = {LEGACY_KEY_LENGTH}",
                params={"parts": list(parts)}).to_arrow_table()
        finally:
            connection.close()
        found = records_from_batch(kind, rows) if rows.num_rows else []
        return {record_ids.record_id(record)[1]: content_key(record) for record in found}

    def stored_hashes(self, ids: Sequence[str], parts: Sequence[str]) -> dict[str, str]:
        """``record_id -> content_hash`` of the records among ``ids`` stored in ``parts``, as
        stored (a part written before schema 3 holds a SHA-256: see :meth:`current_keys`)."""
        if not parts or not ids:
            return {}
        connection = self.connect()
        try:
            wanted = pa.table({"record_id": pa.array(sorted(set(ids)), pa.string())})
            connection.register("wanted", wanted)
            rows: list[tuple[Any, ...]] = connection.execute(
                "SELECT record_id, content_hash FROM read_parquet(?) "
                "WHERE record_id IN (SELECT record_id FROM wanted)", [list(parts)]).fetchall()
        finally:
            connection.close()
        return {str(key): str(digest) for key, digest in rows}

    def records(self, kind: RecordKind) -> list[Record]:
        """Every stored record of ``kind`` in write order (the slow path, for small stores)."""
        return [record for batch in self.record_batches(kind) for record in batch]

    def record_batches(self, kind: RecordKind, batch_rows: int = RECORD_BATCH_ROWS,
                       parts: Sequence[str] | None = None) -> Iterator[list[Record]]:
        """:meth:`records` in lists of at most ``batch_rows``, from the parts listed when the
        read starts (or ``parts``): only the ``data`` column of one row batch is decoded at a
        time, and a part written meanwhile is not half-seen."""
        for part in self.parts(kind) if parts is None else parts:
            with self.folder.fs.open(self.folder.fs_path(part), "rb") as handle:
                file = pq.ParquetFile(handle)
                # Schema 2: where a row group's data has NULLs, read the typed columns too.
                for group in range(file.num_row_groups):
                    columns = (None if _has_nulls(file, group, "data") else ["data"])
                    for batch in file.iter_batches(batch_rows, [group], columns):
                        yield records_from_batch(kind, batch)

    def payments_of(self, accounts: Collection[str],
                    parts: Sequence[str] | None = None) -> list[Payment]:
        """Stored payments from or to one of ``accounts``: DuckDB filters the parts on their
        ``sender`` and ``beneficiary`` columns and only the matching rows are decoded."""
        listed = list(self.parts(RecordKind.PAYMENT) if parts is None else parts)
        if not listed or not accounts:
            return []
        connection = self.connect()
        try:
            connection.register("wanted", pa.table({"account": pa.array(sorted(set(accounts)),
                                                                         pa.string())}))
            rows = connection.sql(  # every column: schema-2 rows may have no ``data``
                "SELECT * FROM read_parquet($parts, union_by_name = true) "
                "WHERE sender IN (SELECT account FROM wanted) "
                "OR beneficiary IN (SELECT account FROM wanted)",
                params={"parts": listed}).to_arrow_table()
        finally:
            connection.close()
        found = records_from_batch(RecordKind.PAYMENT, rows) if rows.num_rows else []
        return [payment for payment in found if isinstance(payment, Payment)]

    def count(self, kind: RecordKind) -> int:
        """Stored records of ``kind``, from the parts' footers."""
        total = 0
        for part in self.parts(kind):
            with self.folder.fs.open(self.folder.fs_path(part), "rb") as handle:
                total += pq.ParquetFile(handle).metadata.num_rows
        return total


def _has_nulls(file: pq.ParquetFile, group: int, column: str) -> bool:
    """Whether ``column`` of row group ``group`` may hold NULLs (true when stats are missing)."""
    metadata = file.metadata.row_group(group)
    index = file.schema_arrow.get_field_index(column)
    stats = metadata.column(index).statistics
    return stats is None or not stats.has_null_count or stats.null_count > 0


__all__ = ["COLUMNAR_KINDS", "ColumnarRecords"]
