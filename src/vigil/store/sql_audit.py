"""The audit store of :class:`vigil.store.sql.SqlStore`: the custody log in SQL.

A mixin, so that the custody log's SQL (the append lock above all) reads as one piece and
``sql.py`` stays small. Entries are sealed by :func:`vigil.custody.entry.seal`; ``seq`` is assigned
here as the last entry's plus one, never by the database's sequence, because a PostgreSQL sequence
skips the values of rolled-back transactions and a gap must mean a deleted entry.
"""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import Connection, Engine, insert, select, text

from vigil.audit import AuditEvent
from vigil.custody.entry import GENESIS, CustodyEntry, seal
from vigil.custody.heads import HeadSigner, SignedHead
from vigil.custody.log import PeriodicHeads
from vigil.store import schema
from vigil.store.retry import RetryPolicy, write_transaction

_CUSTODY_LOCK_KEY = 0x76696769_6C6C6F67
"""PostgreSQL advisory lock key for custody appends: the ASCII of "vigillog" as a 64-bit int."""


class SqlAuditLog:
    """``AuditStore`` over the ``audit_events`` and ``custody_heads`` tables."""

    _engine: Engine
    _dialect: str
    _heads: PeriodicHeads
    _retry: RetryPolicy

    def append_audit(self, event: AuditEvent) -> None:
        with write_transaction(self._engine, self._retry) as conn:
            seq = self._append_in(conn, event)
        self._heads.after_append(self, seq)

    def _append_in(self, conn: Connection, event: AuditEvent) -> int:
        """Seal ``event`` as the next entry inside the caller's write transaction (the outbox
        writes its row in the same one); the sequence number it got."""
        table = schema.audit_events
        last = select(table.c.seq, table.c.leaf_hash).order_by(table.c.seq.desc()).limit(1)
        self._lock_custody_log(conn)
        previous = conn.execute(last).first()
        seq, prev_hash = (previous[0] + 1, previous[1]) if previous else (1, GENESIS)
        entry = seal(seq, event, prev_hash)
        conn.execute(insert(table).values(asdict(entry)))
        return entry.seq

    def _lock_custody_log(self, conn: Connection) -> None:
        """Serialise appends, so two writers never read the same last entry and fork the chain.

        SQLite: :func:`~vigil.store.retry.write_transaction` began with ``BEGIN IMMEDIATE``, which
        takes the one writer lock before the read (sqlite.org/lang_transaction.html). PostgreSQL:
        a transaction-scoped advisory lock (docs: "Advisory Lock Functions"), released at commit
        or rollback; READ COMMITTED then shows the last entry the previous holder committed.
        """
        if self._dialect == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CUSTODY_LOCK_KEY})

    def audit_events(self) -> list[AuditEvent]:
        return [entry.event() for entry in self.custody_entries()]

    def custody_entries(self, limit: int | None = None) -> list[CustodyEntry]:
        table = schema.audit_events
        query = select(table).order_by(table.c.seq).limit(limit)
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [CustodyEntry(**row) for row in rows]

    def add_custody_head(self, head: SignedHead) -> None:
        with write_transaction(self._engine, self._retry) as conn:
            conn.execute(insert(schema.custody_heads).values(asdict(head)))

    def custody_heads(self) -> list[SignedHead]:
        table = schema.custody_heads
        query = select(*[c for c in table.c if c.name != "seq"]).order_by(table.c.seq)
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [SignedHead(**row) for row in rows]

    def use_head_signer(self, signer: HeadSigner | None, every: int) -> None:
        self._heads.attach(signer, every)
