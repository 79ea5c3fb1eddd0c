"""Group commit: concurrent intake requests share one transaction, and so one fsync.

A durable commit costs one fsync (SQLite ``synchronous=FULL``, PostgreSQL
``synchronous_commit = on``); profiling showed it is about 10 of 13.6 ms per acceptance on SQLite
(issue 10). :class:`GroupCommitter` queues each validated request to one committer thread per
ledger (per tenant store), which takes everything waiting (up to ``max_batch`` requests, waiting
at most ``max_wait_s`` for more), writes them all in ONE transaction and only then releases each
waiting request with its own answer. Durability is unchanged: no request is answered before the
transaction holding it has committed. If the shared transaction fails, each request is retried
alone, so only the request that is at fault gets an error.

With ``committers`` > 1 (PostgreSQL), that many threads take batches from the one queue, so a
batch is written while the one before waits for its fsync. Two requests that must not both
commit (one ``Idempotency-Key``, one record id) may then sit in concurrent transactions: the
store's unique keys make the later one fail (or PostgreSQL aborts one of a deadlocked pair), and
its requests are retried alone, where the stored answer is replayed, as for any failed batch.
SQLite has one writer at a time, so it keeps one committer.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from vigil.intake.ledger import Committed, Pending

MAX_BATCH = 64
"""Requests per shared transaction; bounds one transaction's size and the wait of its first."""
MAX_WAIT_S = 0.002
"""How long the committer waits for more requests once it has one (issue 10 suggests ~2 ms)."""


CommitMany = Callable[[Sequence[Pending]], list[Committed]]
"""Writes all the requests in one transaction (raises if it could not commit them all)."""
CommitOne = Callable[[Pending], Committed]
"""Writes one request in its own transaction."""


class GroupCommitter:
    """One committer thread that writes waiting requests in shared transactions."""

    def __init__(self, commit_many: CommitMany, commit_one: CommitOne, *,
                 max_batch: int = MAX_BATCH, max_wait_s: float = MAX_WAIT_S,
                 committers: int = 1) -> None:
        self._commit_many = commit_many
        self._commit_one = commit_one
        self._max_batch = max_batch
        self._max_wait_s = max_wait_s
        self._committers = committers
        self._queue: queue.Queue[Pending | None] = queue.Queue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._closed = False

    def commit(self, pending: Pending) -> Committed:
        """Queue ``pending`` and wait until the transaction holding it has committed."""
        return self.enqueue(pending).result()

    def enqueue(self, pending: Pending) -> Future[Committed]:
        """Queue ``pending``; the future is done once the transaction holding it has committed."""
        self.submit(pending)
        self._start()
        return pending.result

    def submit(self, pending: Pending) -> None:
        """Queue ``pending`` without waiting (tests drive :meth:`drain_once` themselves)."""
        if self._closed:
            raise RuntimeError("intake is closed")
        self._queue.put(pending)

    def drain_once(self, block: bool = True) -> int:
        """Take what is waiting, commit it, release each request; how many were taken."""
        batch = self._take(block)
        if batch:
            self._write(batch)
        return len(batch)

    def close(self) -> None:
        """Commit what is queued, then stop the threads (each stops at its own sentinel)."""
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        for _ in threads:
            self._queue.put(None)
        for thread in threads:
            thread.join()

    def _start(self) -> None:
        # Lazily, so that an Intake that never accepts (or is made before a fork) has no thread.
        with self._lock:
            if not self._threads and not self._closed:
                self._threads = [threading.Thread(target=self._loop, daemon=True,
                                                  name=f"vigil-group-commit-{n}")
                                 for n in range(self._committers)]
                for thread in self._threads:
                    thread.start()

    def _loop(self) -> None:
        while True:
            batch = self._take(block=True)
            stop = bool(batch) and batch[-1] is None
            work = [p for p in batch if p is not None]
            if work:
                self._write(work)
            if stop:
                return

    def _take(self, block: bool) -> list[Any]:
        try:
            first = self._queue.get(block=block)
        except queue.Empty:
            return []
        batch: list[Any] = [first]
        deadline = time.monotonic() + self._max_wait_s
        while first is not None and len(batch) < self._max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    item = self._queue.get(timeout=remaining)
                except queue.Empty:
                    break
            batch.append(item)
            if item is None:
                break
        return batch

    def _write(self, batch: Sequence[Pending]) -> None:
        if len(batch) > 1:
            try:
                results = self._commit_many(batch)
            except Exception:  # noqa: BLE001 - retried alone below, so only the culprit fails
                pass
            else:
                for pending, committed in zip(batch, results, strict=True):
                    _settle(pending.result, committed)
                return
        for pending in batch:
            try:
                _settle(pending.result, self._commit_one(pending))
            except BaseException as error:  # noqa: BLE001 - handed to the waiting request
                _settle(pending.result, error)


def _settle(result: Future[Committed], outcome: Committed | BaseException) -> None:
    """Hand the outcome to the waiting request (none waits for a future it cancelled)."""
    if not result.set_running_or_notify_cancel():
        return
    if isinstance(outcome, BaseException):
        result.set_exception(outcome)
    else:
        result.set_result(outcome)
