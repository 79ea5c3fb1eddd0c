"""Stored records of one kind as a stream of bounded batches, read again on every pass.

A run used to read every record into lists before detecting (about 3 KB a record: 100 million
messages do not fit). :class:`RecordStream` is what the pipeline hands the detectors instead: an
iterable that reads the store a batch at a time (:meth:`RecordStore.record_batches`) each time
it is iterated, so a one-pass detector holds one batch, and a detector that needs two passes
(find what matters, then take only that) iterates twice. :func:`replayable` lets a detector
given a one-shot iterator still make two passes, by keeping it as a list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from vigil.records import Record, RecordKind
from vigil.store.interfaces import RECORD_BATCH_ROWS, RecordStore


class RecordStream(Iterable[Record]):
    """Every record of ``kind`` in ``store``, read in batches of ``batch_rows`` per pass."""

    def __init__(self, store: RecordStore, kind: RecordKind,
                 batch_rows: int = RECORD_BATCH_ROWS) -> None:
        self.store = store
        self.kind = kind
        self.batch_rows = batch_rows

    def __iter__(self) -> Iterator[Record]:
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[Record]]:
        """One pass over the store, a list of at most :attr:`batch_rows` records at a time."""
        return self.store.record_batches(self.kind, self.batch_rows)

    def __repr__(self) -> str:
        return f"RecordStream({self.kind.value}, batch_rows={self.batch_rows})"


def replayable(records: Iterable[Record]) -> Iterable[Record]:
    """``records`` if iterating it again reads it again (a list, a :class:`RecordStream`), else
    the one-shot iterator's records as a list (a second pass over it would find nothing)."""
    if isinstance(records, Iterator):
        return list(records)
    return records


def stream_records(store: RecordStore,
                   batch_rows: int = RECORD_BATCH_ROWS) -> dict[RecordKind, RecordStream]:
    """A :class:`RecordStream` for every kind of ``store`` (nothing is read yet)."""
    return {kind: RecordStream(store, kind, batch_rows) for kind in RecordKind}


__all__ = ["RecordStream", "replayable", "stream_records"]
