"""The CSV lane's part writes, one at a time in a thread, beside DuckDB deciding the next batch.

pyarrow releases the GIL while it encodes and compresses a part, and DuckDB while it runs the
lane's query, so batch *n*'s part is written while batch *n + 1* is read, decided and checked in
Python. Nothing else moves forward meanwhile: the payments' writer lock taken for batch *n*'s
dedup is held until its part is on disk, and batch *n + 1* is deduplicated only after that
(:meth:`PartWriter.finish`), against the parts and ids including batch *n*'s. A part is written
as before (``.tmp``, fsync, rename): a ``kill -9`` mid-write leaves no half part.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack

import pyarrow as pa

from vigil.columnar.csv_dedup import StoredKeys
from vigil.columnar.store import ColumnarRecords
from vigil.records import RecordKind

PAYMENT = RecordKind.PAYMENT


class PartWriter:
    """One part write at a time in the background; :meth:`finish` waits for it."""

    def __init__(self, columnar: ColumnarRecords, keys: StoredKeys, written: list[str]) -> None:
        self.columnar, self.keys, self.written = columnar, keys, written
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="vigil-lane-part")
        self._pending: tuple[Future[str], ExitStack, pa.Table] | None = None

    def submit(self, rows: pa.Table, lock: ExitStack) -> None:
        """Write ``rows`` as a new part; ``lock`` (the writer lock) is released once it is
        written. The previous write must be finished."""
        assert self._pending is None, "finish() the previous part first"
        future = self._pool.submit(self.columnar.folder.write_part, PAYMENT.value, rows)
        self._pending = (future, lock, rows)

    def finish(self) -> None:
        """Wait for the part under way (its error raised here), record it, release the lock."""
        if self._pending is None:
            return
        future, lock, rows = self._pending
        self._pending = None
        with lock:
            part = future.result()
            self.written.append(part)
            self.keys.wrote(part, rows)

    def close(self) -> None:
        """Wait for any write under way without raising (the import is failing already: a part
        that did get written is recorded, so the lane's undo removes it), then stop the thread."""
        try:
            if self._pending is not None:
                future, lock, _ = self._pending
                self._pending = None
                with lock:
                    if future.exception() is None:
                        self.written.append(future.result())
        finally:
            self._pool.shutdown()


__all__ = ["PartWriter"]
