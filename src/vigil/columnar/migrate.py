"""``vigil records migrate``: copy the columnar kinds from the ``records`` table to Parquet.

The copy goes through :meth:`ColumnarRecords.add_records` a chunk at a time, so it is idempotent
(run it again and nothing is added) and an interrupted copy is finished by running it again.
The rows stay in the ``records`` table: with ``VIGIL_RECORD_STORE=parquet`` they are not read,
and going back to ``sql`` finds them there.
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
        records = source.records(kind)
        added = duplicates = 0
        conflicts: list[int] = []
        for start in range(0, len(records), chunk_rows):
            result = target.add_records(records[start:start + chunk_rows])
            added, duplicates = added + result.added, duplicates + result.duplicates
            conflicts += [start + position for position in result.conflicts]
        results[kind] = AddResult(added, duplicates, tuple(conflicts))
    return results


__all__ = ["migrate_records"]
