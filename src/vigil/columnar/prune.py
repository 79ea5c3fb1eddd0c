"""Removing chosen records from Parquet parts (retention), each part rewritten whole or not at all.

A part is immutable to readers: the rows that stay are written to ``<part>.tmp``, flushed and
fsynced, then renamed over the part (``os.replace`` on a local root, the file system's move
elsewhere), so a reader sees the old part or the new one, never half of either, and a reader
that already opened the old file keeps reading it. A part left with no rows is deleted. A
``kill -9`` mid-rewrite leaves the old part and a ``.tmp`` file the next writer removes
(:meth:`vigil.columnar.parts.PartFolder.remove_leftovers`); running the prune again finishes it.
The kind's writer lock is held throughout, so an import or the mover never writes meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from vigil.columnar.store import ColumnarRecords
from vigil.records import Record, RecordKind

Chooser = Callable[[Sequence[Record]], list[bool]]
"""Marks each record of a batch: ``True`` for the ones to remove."""


def prune_parts(columnar: ColumnarRecords, kind: RecordKind, doomed: Chooser, *,
                dry_run: bool = False) -> list[str]:
    """Remove from ``kind``'s parts every record ``doomed`` marks; returns their content hashes.

    Records are decoded one row batch at a time, so memory follows a part, not the store. With
    ``dry_run`` nothing is written: the hashes say what would go.
    """
    gone: list[str] = []
    with columnar.folder.writer_lock(kind.value):
        columnar.folder.remove_leftovers(kind.value)
        for part in columnar.parts(kind):
            keep: list[bool] = []
            for batch in columnar.record_batches(kind, parts=[part]):
                marks = doomed(batch)
                keep.extend(not mark for mark in marks)
                gone.extend(r.content_hash() for r, mark in zip(batch, marks, strict=True) if mark)
            if not all(keep) and not dry_run:
                _rewrite(columnar, part, keep)
    return gone


def _rewrite(columnar: ColumnarRecords, part: str, keep: list[bool]) -> None:
    """The part with only the kept rows, in their order; deleted when none is kept."""
    folder = columnar.folder
    if not any(keep):
        folder.fs.rm(folder.fs_path(part))
        return
    with folder.fs.open(folder.fs_path(part), "rb") as handle:
        table = pq.read_table(handle)
    folder.replace_part(part, table.filter(pa.array(keep, pa.bool_())))


__all__ = ["Chooser", "prune_parts"]
