"""Writes that wait for other writers: a bounded, jittered retry around each write transaction.

Two processes may write one store at once (a large import and a small one, the CLI and the
web service). SQLite lets one writer in at a time; the others wait in its busy handler
(``PRAGMA busy_timeout``) and get ``database is locked`` when it runs out. PostgreSQL may end a
transaction with a serialization failure or deadlock, or lose the connection. Those errors are
*transient*: trying again later succeeds. :func:`retrying` tries again with exponential backoff
and full jitter (Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015) until a
total budget is spent, then raises :class:`~vigil.store.errors.StoreBusy`, which says so.

:func:`write_transaction` is what :class:`~vigil.store.sql.SqlStore` writes through. On SQLite it
begins with ``BEGIN IMMEDIATE``, so the writer lock is taken (or waited for) at the start, where
retrying is safe, rather than at the first write inside the transaction.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from vigil.store.errors import StoreBusy

T = TypeVar("T")

BEGIN_MODE = "vigil_begin"
"""Execution option naming the SQLite BEGIN mode (``IMMEDIATE``, ``EXCLUSIVE``) of a transaction."""
BUSY_MS = "vigil_busy_ms"
"""Execution option: how long SQLite's busy handler may wait in this transaction, in ms."""

_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
# PostgreSQL SQLSTATEs (postgresql.org/docs/current/errcodes-appendix.html): 40001
# serialization_failure, 40P01 deadlock_detected; class 08 is connection exceptions.
_PG_TRANSIENT = {"40001", "40P01"}


@dataclass(frozen=True)
class RetryPolicy:
    """How long a write may wait for other writers in all, and how retries are spaced."""

    budget_s: float = 30.0
    first_delay_s: float = 0.05
    max_delay_s: float = 2.0

    def delay(self, tries: int, remaining_s: float) -> float:
        """Full jitter: uniform in [0, min(max, first * 2**(tries-1))], never past the budget."""
        ceiling = min(self.max_delay_s, self.first_delay_s * 2 ** (tries - 1))
        return max(0.0, min(remaining_s, random.uniform(0.0, ceiling)))


def is_transient(error: BaseException) -> bool:
    """Whether trying the same transaction again later may succeed."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate = str(getattr(error.orig, "sqlstate", None) or "")
    if sqlstate in _PG_TRANSIENT or sqlstate.startswith("08"):
        return True
    message = str(error.orig).lower()
    return any(text in message for text in _SQLITE_BUSY)


def retrying(action: Callable[[float], T], policy: RetryPolicy) -> T:
    """``action(remaining_s)`` until it succeeds, retrying transient errors within the budget."""
    start = time.monotonic()
    tries = 0
    while True:
        tries += 1
        remaining = policy.budget_s - (time.monotonic() - start)
        try:
            return action(max(remaining, 0.0))
        except DBAPIError as exc:
            if not is_transient(exc):
                raise
            remaining = policy.budget_s - (time.monotonic() - start)
            if remaining <= 0:
                raise StoreBusy(tries, time.monotonic() - start) from exc
            time.sleep(policy.delay(tries, remaining))


@contextmanager
def write_transaction(engine: Engine, policy: RetryPolicy,
                      mode: str = "IMMEDIATE") -> Iterator[Connection]:
    """A connection in a write transaction, begun with retries; commits unless the body raises."""
    connection = retrying(lambda remaining: _begin(engine, mode, remaining), policy)
    transaction = connection.get_transaction()
    try:
        yield connection
        if transaction is not None and transaction.is_active:
            transaction.commit()
    finally:
        connection.close()  # rolls back whatever is not committed


def _begin(engine: Engine, mode: str, remaining_s: float) -> Connection:
    """A connection whose transaction has begun (and, on SQLite, holds the writer lock)."""
    connection = engine.connect()
    try:
        busy_ms = max(1, int(remaining_s * 1000))
        connection.execution_options(**{BEGIN_MODE: mode, BUSY_MS: busy_ms})
        connection.begin()
    except BaseException:
        connection.close()
        raise
    return connection
