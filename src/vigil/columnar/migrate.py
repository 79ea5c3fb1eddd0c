"""``vigil records migrate``: copy the columnar kinds from the ``records`` table to Parquet.

The copy reads the table a batch at a time (:meth:`RecordStore.record_batches`, so memory does
not grow with the table) and goes through :meth:`ColumnarRecords.add_records` a chunk at a time,
so it is idempotent (run it again and nothing is added) and an interrupted copy is finished by
running it again. The rows stay in the ``records`` table, so going back to
``VIGIL_RECORD_STORE=sql`` finds them; with ``parquet`` they are still read and left out as
already moved. ``vigil records move`` (:mod:`vigil.columnar.mover`) copies and then deletes them.
"""

from __future__ import annotations

from vigil.columnar.split import COLUMNAR_CHUNK_ROWS
from vigil.columnar.store import COLUMNAR_KINDS, ColumnarRecords
from vigil.records import RecordKind
from vigil.store.interfaces import AddResult, RecordStore


def migrate_records(source: RecordStore, target: ColumnarRecords,
                    chunk_rows: int = COLUMNAR_CHUNK_ROWS) -> dict[RecordKind, AddResult]:
    """Copy every record of a columnar kind from ``source`` into ``target``; what was added,
    already there, or in conflict (same id, other content: left out and counted) per kind."""
    results: dict[RecordKind, AddResult] = {}
    for kind in sorted(COLUMNAR_KINDS):
        added = duplicates = seen = 0
        conflicts: list[int] = []
        for batch in source.record_batches(kind, chunk_rows):
            result = target.add_records(batch)
            added, duplicates = added + result.added, duplicates + result.duplicates
            conflicts += [seen + position for position in result.conflicts]
            seen += len(batch)
        results[kind] = AddResult(added, duplicates, tuple(conflicts))
    return results


__all__ = ["migrate_records"]
