"""``vigil records move``: records waiting in the operational store go to Parquet parts.

The API commits each record it accepts to the operational store's ``records`` table before it
answers (an acknowledged report is durable at once, :mod:`vigil.intake`); with
``VIGIL_RECORD_STORE=parquet`` the mover then takes them across in batches, oldest first:

1. read the oldest ``batch_rows`` rows of one kind (``seq`` and JSON);
2. add them to the columnar store (one part, written atomically, deduplicated by content hash:
   :meth:`ColumnarRecords.add_records`); a row whose id the parts hold with other content is
   quarantined (the importer's rule), never stored twice;
3. delete exactly those rows (by ``seq``) in one transaction.

Killed between any two steps, the next move finds the rows still in the table, finds them in
the parts as duplicates, and deletes them: every record ends up in the parts exactly once.
Readers see each record once throughout (:meth:`SplitRecordStore.record_batches` reads the table
before listing the parts, and leaves out table rows the listed parts hold).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select

from vigil.columnar.store import COLUMNAR_KINDS, ColumnarRecords
from vigil.quarantine import QuarantineEntry
from vigil.records import Record, RecordKind
from vigil.store import codec, record_ids, schema
from vigil.store.interfaces import RecordStore
from vigil.store.retry import RetryPolicy, write_transaction
from vigil.store.sql import SqlStore

MOVE_BATCH_ROWS = 10_000
"""Rows per move: one part each, so batches much smaller than an import chunk make many small
parts (a compaction is future work); the API's arrivals between two moves fit in one or two."""
MOVE_SOURCE = "records move"
"""The quarantine source of a waiting record whose id the parts hold with other content."""
_DELETE_BATCH = 500  # bound parameters per DELETE ... IN, well under SQLite's limit

MoveStep = Callable[[str], None]
"""Called after each step of a batch ("written", "quarantined", "deleted"): tests read there."""


class MoveError(ValueError):
    """The records cannot be moved: the operational store is not a SQL store."""


@dataclass(frozen=True)
class MoveResult:
    """One kind's move: records added to the parts, already there, quarantined; batches."""

    moved: int = 0
    duplicates: int = 0
    quarantined: int = 0
    batches: int = 0


def move_records(store: RecordStore, columnar: ColumnarRecords,
                 batch_rows: int = MOVE_BATCH_ROWS,
                 on_step: MoveStep | None = None) -> dict[RecordKind, MoveResult]:
    """Move every waiting record of the columnar kinds from ``store``'s table to ``columnar``."""
    if not isinstance(store, SqlStore):
        raise MoveError(f"records move needs a SQLite or PostgreSQL store, not "
                        f"{type(store).__name__}")
    return {kind: _move_kind(store, columnar, kind, batch_rows, on_step or _quiet)
            for kind in sorted(COLUMNAR_KINDS)}


def _quiet(step: str) -> None:
    """No test hook."""


def _move_kind(store: SqlStore, columnar: ColumnarRecords, kind: RecordKind,
               batch_rows: int, on_step: MoveStep) -> MoveResult:
    moved = duplicates = quarantined = batches = 0
    while rows := _oldest(store, kind, batch_rows):
        records = [codec.record_from_json(kind, data) for _, data in rows]
        result = columnar.add_records(records)
        on_step("written")
        if result.conflicts:
            store.add_quarantine([_conflict(rows[i], records[i]) for i in result.conflicts])
        on_step("quarantined")
        _delete(store, [seq for seq, _ in rows])
        on_step("deleted")
        moved, duplicates = moved + result.added, duplicates + result.duplicates
        quarantined, batches = quarantined + len(result.conflicts), batches + 1
    return MoveResult(moved, duplicates, quarantined, batches)


def _oldest(store: SqlStore, kind: RecordKind, limit: int) -> list[tuple[int, str]]:
    table = schema.records
    query = (select(table.c.seq, table.c.data).where(table.c.kind == kind.value)
             .order_by(table.c.seq).limit(limit))
    with store.engine.connect() as conn:
        return [(int(seq), str(data)) for seq, data in conn.execute(query)]


def _delete(store: SqlStore, seqs: Sequence[int]) -> None:
    """Delete the moved rows by ``seq`` (not by range: on PostgreSQL a row with a lower ``seq``
    can commit after the batch was read, and it has not been moved)."""
    table = schema.records
    with write_transaction(store.engine, RetryPolicy()) as conn:
        for start in range(0, len(seqs), _DELETE_BATCH):
            conn.execute(delete(table).where(table.c.seq.in_(seqs[start:start + _DELETE_BATCH])))


def _conflict(row: tuple[int, str], record: Record) -> QuarantineEntry:
    field, value = record_ids.record_id(record)
    return QuarantineEntry.of(record.kind, MOVE_SOURCE, row[0], row[1],
                              f"{field} {value} already stored with different content")


__all__ = ["MOVE_BATCH_ROWS", "MoveError", "MoveResult", "move_records"]
