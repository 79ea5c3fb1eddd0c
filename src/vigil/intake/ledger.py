"""Where accepted records are committed, with the answer each Idempotency-Key was given.

One transaction holds a request's records, its inline signals, its records' own ids and the
answer, so after a crash either all of them are stored or none is: a client that never saw the
answer retries and gets either the stored answer (the key was committed) or a fresh acceptance
(nothing was). SQLite commits with ``synchronous=FULL`` (set when the store is opened) and
PostgreSQL with ``synchronous_commit = on`` (set on the transaction, whatever the server's
default): the answer goes out only after the commit is on disk (PostgreSQL docs, "WAL
Configuration"; sqlite.org/pragma.html#pragma_synchronous).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import IntegrityError

from vigil.intake import pg_batch
from vigil.intake.ledger_rows import OWN_ID_FIELDS as OWN_ID_FIELDS
from vigil.intake.ledger_rows import BatchRows, batch_rows, claim_rows, record_rows, signal_rows
from vigil.intake.ledger_rows import Committed as Committed
from vigil.intake.ledger_rows import Pending as Pending
from vigil.intake.ledger_rows import own_id as own_id
from vigil.model import Signal
from vigil.records import Record
from vigil.store import schema
from vigil.store.dialect_insert import dialect_insert
from vigil.store.retry import RetryPolicy, write_transaction


class IdempotencyConflict(ValueError):
    """A key, or a record's own id, already stands for a different request or record."""


class IntakeLedger(Protocol):
    def answered(self, key: str, request_hash: str) -> Committed | None:
        """The stored answer to ``key`` (``IdempotencyConflict`` if it was another request)."""

    def commit(self, key: str | None, request_hash: str, records: Sequence[Record],
               signals: Sequence[Signal], response: dict[str, Any]) -> Committed:
        """Store everything in one transaction, or return the answer a racing twin stored."""

    def commit_many(self, batch: Sequence[Pending]) -> list[Committed]:
        """Store several requests in ONE transaction (group commit); raises if any fails."""


def _check_same(key: str, stored_hash: str, request_hash: str) -> None:
    if stored_hash != request_hash:
        raise IdempotencyConflict(f"Idempotency-Key {key!r} was used for a different request")


class MemoryIntakeLedger:
    """The ledger of a memory store (tests, demos): the same rules, kept in this process."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._answers: dict[str, tuple[str, dict[str, Any]]] = {}
        self._ids: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def answered(self, key: str, request_hash: str) -> Committed | None:
        with self._lock:
            found = self._answers.get(key)
        if found is None:
            return None
        _check_same(key, found[0], request_hash)
        return Committed(found[1], True)

    def commit(self, key: str | None, request_hash: str, records: Sequence[Record],
               signals: Sequence[Signal], response: dict[str, Any]) -> Committed:
        with self._lock:
            if key is not None and key in self._answers:
                _check_same(key, self._answers[key][0], request_hash)
                return Committed(self._answers[key][1], True)
            for record in records:
                _check_own_id(self._ids.get((record.kind.value, own_id(record))), record)
            for record in records:
                self._ids[(record.kind.value, own_id(record))] = record.content_hash()
            self._store.add_records(records)
            self._store.add_signals(signals)
            if key is not None:
                self._answers[key] = (request_hash, response)
        return Committed(response, False)

    def commit_many(self, batch: Sequence[Pending]) -> list[Committed]:
        # Nothing to fsync in memory: one after another, under the same rules.
        return [self.commit(p.key, p.request_hash, p.records, p.signals, p.response)
                for p in batch]


def _independent(batch: Sequence[Pending]) -> bool:
    """Whether no two requests of ``batch`` share an Idempotency-Key or a record's own id."""
    keys = [p.key for p in batch if p.key is not None]
    ids = [(r.kind.value, own_id(r)) for p in batch for r in p.records]
    return len(set(keys)) == len(keys) and len(set(ids)) == len(ids)


def _check_own_id(stored_hash: str | None, record: Record, content: str | None = None) -> None:
    if stored_hash is not None and stored_hash != (content or record.content_hash()):
        raise IdempotencyConflict(
            f"{OWN_ID_FIELDS[record.kind]} {own_id(record)!r} is already stored with other "
            "content; send a new id for a new record")


class SqlIntakeLedger:
    """The ledger of a SQL store, in the store's own database (same engine, same transaction)."""

    def __init__(self, engine: Engine, retry: RetryPolicy) -> None:
        self._engine = engine
        self._retry = retry
        self._dialect = engine.dialect.name

    def answered(self, key: str, request_hash: str) -> Committed | None:
        with self._engine.connect() as conn:
            return self._stored(conn, key, request_hash)

    @staticmethod
    def _stored(conn: Connection, key: str, request_hash: str) -> Committed | None:
        table = schema.intake_requests
        row = conn.execute(select(table.c.request_hash, table.c.response)
                           .where(table.c.key == key)).first()
        if row is None:
            return None
        _check_same(key, row[0], request_hash)
        return Committed(json.loads(row[1]), True)

    def commit(self, key: str | None, request_hash: str, records: Sequence[Record],
               signals: Sequence[Signal], response: dict[str, Any]) -> Committed:
        try:
            return self._commit(key, request_hash, records, signals, response)
        except IntegrityError:
            # A twin request with the same key committed between our check and our insert
            # (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers): answer as it was.
            found = self.answered(key, request_hash) if key is not None else None
            if found is None:
                raise
            return found

    def commit_many(self, batch: Sequence[Pending]) -> list[Committed]:
        """All of ``batch`` in one transaction: one fsync for all (an error rolls back all).

        Each request is written as :meth:`commit` writes it, in order, so a later request with
        an earlier one's key sees that answer (replayed) inside the transaction. When no two
        requests share a key or a record id, which is the usual case, the batch is written with
        one statement per table rather than one per request (the same rows, fewer round trips);
        on PostgreSQL all of them in one round trip (:mod:`vigil.intake.pg_batch`).
        """
        independent = _independent(batch)
        if independent and self._dialect == "postgresql":
            written = self._commit_pipelined(batch)
            if written is not None:
                return written
        with write_transaction(self._engine, self._retry) as conn:
            self._sync_commit(conn)
            if independent:
                return self._write_batch(conn, batch)
            return [self._write(conn, p.key, p.request_hash, p.records, p.signals, p.response)
                    for p in batch]

    def _commit_pipelined(self, batch: Sequence[Pending]) -> list[Committed] | None:
        """The batch in one PostgreSQL round trip; ``None`` (rolled back) if a key was stored."""
        rows = batch_rows(batch, datetime.now(UTC).isoformat())
        with write_transaction(self._engine, self._retry) as conn:
            taken = pg_batch.write_batch(conn, rows)
            if taken is None:
                conn.rollback()
                return None
            for claim, stored in taken:
                _check_own_id(stored, claim["record"], claim["content_hash"])
        return [Committed(p.response, False) for p in batch]

    def _sync_commit(self, conn: Connection) -> None:
        if self._dialect == "postgresql":
            conn.execute(text("SET LOCAL synchronous_commit = on"))

    def _write_batch(self, conn: Connection, batch: Sequence[Pending]) -> list[Committed]:
        table = schema.intake_requests
        keys = [p.key for p in batch if p.key is not None]
        stored: dict[str, Committed] = {}
        if keys:
            for key, request_hash, response in conn.execute(select(
                    table.c.key, table.c.request_hash, table.c.response)
                    .where(table.c.key.in_(keys))):
                stored[key] = Committed(json.loads(response), True)
                _check_same(key, request_hash, next(p.request_hash for p in batch
                                                    if p.key == key))
        fresh = [p for p in batch if p.key not in stored]
        rows = batch_rows(fresh, datetime.now(UTC).isoformat())
        self._store_rows(conn, rows)
        if rows.answers:
            conn.execute(table.insert(), rows.answers)
        return [stored[p.key] if p.key in stored else Committed(p.response, False)
                for p in batch]

    def _commit(self, key: str | None, request_hash: str, records: Sequence[Record],
                signals: Sequence[Signal], response: dict[str, Any]) -> Committed:
        with write_transaction(self._engine, self._retry) as conn:
            self._sync_commit(conn)
            return self._write(conn, key, request_hash, records, signals, response)

    def _write(self, conn: Connection, key: str | None, request_hash: str,
               records: Sequence[Record], signals: Sequence[Signal],
               response: dict[str, Any]) -> Committed:
        """One request's rows in the open transaction ``conn`` (committed by the caller)."""
        if key is not None:
            found = self._stored(conn, key, request_hash)
            if found is not None:
                return found
        hashes = [record.content_hash() for record in records]
        self._store_rows(conn, BatchRows([], claim_rows(records, hashes),
                                         record_rows(records, hashes), signal_rows(signals)))
        if key is not None:
            conn.execute(schema.intake_requests.insert().values(
                key=key, request_hash=request_hash, response=json.dumps(response),
                created_at=datetime.now(UTC).isoformat()))
        return Committed(response, False)

    def _store_rows(self, conn: Connection, rows: BatchRows) -> None:
        """The claims (checked), records and signals of ``rows``; not the answers."""
        self._claim_ids(conn, rows.claims)
        # No conflict target: a record stored already (by any unique key) is left alone.
        self._insert_new(conn, schema.records, None, rows.records)
        self._insert_new(conn, schema.signals, ["id"], rows.signals)

    def _claim_ids(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
        """Each record's own id, claimed for its content (IdempotencyConflict if it is taken)."""
        table = schema.intake_record_ids
        claims: dict[tuple[str, str], dict[str, Any]] = {}
        for row in rows:
            first = claims.setdefault((row["kind"], row["record_id"]), row)
            _check_own_id(first["content_hash"], row["record"], row["content_hash"])
        self._insert_new(conn, table, ["kind", "record_id"], [
            {name: row[name] for name in ("kind", "record_id", "content_hash")}
            for row in claims.values()])
        for kind in sorted({kind for kind, _ in claims}):
            ids = [record_id for k, record_id in claims if k == kind]
            for record_id, stored in conn.execute(select(table.c.record_id, table.c.content_hash)
                                                  .where(table.c.kind == kind,
                                                         table.c.record_id.in_(ids))):
                claim = claims[(kind, record_id)]
                _check_own_id(stored, claim["record"], claim["content_hash"])

    def _insert_new(self, conn: Connection, table: Any, key: list[str] | None,
                    rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        statement = dialect_insert(self._dialect, table)
        conn.execute(statement.on_conflict_do_nothing(index_elements=key), rows)
