"""The CSV lane's next batch decided in a thread while the current one is deduplicated and stored.

DuckDB's streaming result runs its query only as far as it is fetched, so without this the lane's
query (reading, checking, normalising, keying: most of the lane's CPU) waits while Python and the
other connection deduplicate the batch before. :class:`ReadAhead` fetches the batches in a thread
(DuckDB releases the GIL while it works) and hands them over in order, holding at most one
decided batch beyond the one being stored, so memory stays bounded. An error the thread meets
(DuckDB refusing the file part-way) is raised in the consumer at that batch's place, after the
batches before it were handed over, as a plain loop would raise it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from queue import Empty, Full, Queue
from types import TracebackType

import pyarrow as pa

_WAIT_S = 0.1
"""How often a blocked hand-over looks whether the other side has stopped."""


class _Done:
    """The batches ran out (``error`` None) or failed."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class ReadAhead:
    """``with ReadAhead(batches) as ahead: for batch in ahead: ...``: ``batches`` consumed in a
    thread, one batch ahead; leaving the block stops the thread and waits for it."""

    def __init__(self, batches: Iterator[pa.Table]) -> None:
        self._batches = batches
        self._queue: Queue[pa.Table | _Done] = Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="vigil-lane-read", daemon=True)

    def __enter__(self) -> ReadAhead:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        while self._thread.is_alive():  # free a hand-over the thread may be blocked in
            try:
                self._queue.get(timeout=_WAIT_S)
            except Empty:
                pass
        self._thread.join()

    def __iter__(self) -> Iterator[pa.Table]:
        while True:
            item = self._queue.get()
            if isinstance(item, _Done):
                if item.error is not None:
                    raise item.error
                return
            yield item

    def _produce(self) -> None:
        try:
            for batch in self._batches:
                # Stopped meanwhile (the consumer's exit may free the queue for this put): no
                # further batch is fetched.
                if not self._put(batch) or self._stop.is_set():
                    return
        except BaseException as error:  # handed to the consumer, raised there
            self._put(_Done(error))
            return
        self._put(_Done())

    def _put(self, item: pa.Table | _Done) -> bool:
        """Hand ``item`` over; False when the consumer has stopped."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_WAIT_S)
                return True
            except Full:
                continue
        return False


__all__ = ["ReadAhead"]
