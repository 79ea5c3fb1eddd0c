"""The SQL store: every store interface on SQLite or PostgreSQL through SQLAlchemy Core.

It behaves exactly like :class:`vigil.store.memory.MemoryStore` (one test body checks both), with
one difference: :meth:`SqlStore.add_bank_entries` checks every entry's bank before writing any,
so a missing bank leaves the store unchanged instead of half-written.

Adds are one ``INSERT ... ON CONFLICT DO NOTHING`` executemany per call (psycopg 3 pipelines it),
so importing a large file costs no round trip per row, and the summed row count says exactly how
many rows were new; the rest were already stored (or repeated within the call). Records are
also looked up by natural key (kind + source id) first, in the same transaction, so a stored id
with different content is reported as a conflict instead of stored twice.
Open it with :func:`vigil.store.open.open_store`, which brings the schema up to date first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Engine, Table, case, delete, func, select, update

from vigil.custody.log import PeriodicHeads
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.model import Signal, content_hash
from vigil.outbox.sql import SqlOutbox
from vigil.quarantine import QuarantineEntry
from vigil.records import Record, RecordKind
from vigil.retention.store import SqlDeletes
from vigil.store import codec, record_ids, schema
from vigil.store.dialect_insert import dialect_insert
from vigil.store.interfaces import RECORD_BATCH_ROWS, AddResult, BankEntryCount
from vigil.store.retry import RetryPolicy, write_transaction
from vigil.store.sql_audit import SqlAuditLog
from vigil.store.sql_cases import SqlCases
from vigil.store.sql_checkpoints import SqlCheckpoints
from vigil.store.sql_payments import SqlPayments

Row = dict[str, Any]
# SQLAlchemy 2 reads an INSERT's row count only when asked (docs: CursorResult.rowcount).
_COUNT_ROWS = {"preserve_rowcount": True}


def _quarantine_key(entry: QuarantineEntry) -> str:
    return content_hash([entry.source, entry.line, entry.line_sha256])


class SqlStore(SqlCases, SqlCheckpoints, SqlAuditLog, SqlOutbox, SqlDeletes, SqlPayments):
    """All store interfaces over one SQLAlchemy engine, which the store owns and disposes."""

    def __init__(self, engine: Engine, retry: RetryPolicy | None = None) -> None:
        self._engine = engine
        self._retry = retry or RetryPolicy()  # writes wait for other writers within its budget
        self._dialect = engine.dialect.name
        dialect_insert(self._dialect, schema.records)  # fail now on an unsupported backend
        self._heads = PeriodicHeads()

    @property
    def engine(self) -> Engine:
        return self._engine

    def _add_new(self, table: Table, key: Sequence[Column[Any]], rows: Sequence[Row]) -> AddResult:
        """Insert the rows whose ``key`` is not stored yet; count them against all given."""
        if not rows:
            return AddResult(0, 0)
        statement = dialect_insert(self._dialect, table).on_conflict_do_nothing(
            index_elements=list(key))
        with write_transaction(self._engine, self._retry) as conn:
            # An executemany; sqlite3 and psycopg 3 both sum each row's changes into rowcount, and
            # a row skipped by ON CONFLICT DO NOTHING changes nothing (their Cursor.rowcount docs).
            added = conn.execute(statement, list(rows), execution_options=_COUNT_ROWS).rowcount
        return AddResult(added, len(rows) - added)

    def add_records(self, records: Sequence[Record]) -> AddResult:
        """New records in one transaction; a stored id with other content is a conflict."""
        if not records:
            return AddResult(0, 0)
        rows = [_record_row(r) for r in records]
        with write_transaction(self._engine, self._retry) as conn:
            stored = record_ids.stored_keys(conn, {row["natural_key"] for row in rows})
            new_rows, conflicts = record_ids.classify(rows, stored)
            added = 0
            if new_rows:
                statement = dialect_insert(self._dialect, schema.records).on_conflict_do_nothing()
                added = conn.execute(statement, new_rows, execution_options=_COUNT_ROWS).rowcount
        return AddResult(added, len(rows) - added - len(conflicts), conflicts)

    def records(self, kind: RecordKind) -> list[Record]:
        table = schema.records
        query = select(table.c.data).where(table.c.kind == kind.value).order_by(table.c.seq)
        with self._engine.connect() as conn:
            return [codec.record_from_json(kind, data) for data in conn.scalars(query)]

    def record_batches(self, kind: RecordKind,
                       batch_rows: int = RECORD_BATCH_ROWS) -> Iterator[list[Record]]:
        """:meth:`records` a page at a time, by ``seq`` (keyset paging: each page is one
        indexed range query, so the history is never held and no cursor stays open)."""
        table, last = schema.records, 0
        while True:
            query = (select(table.c.seq, table.c.data)
                     .where(table.c.kind == kind.value, table.c.seq > last)
                     .order_by(table.c.seq).limit(batch_rows))
            with self._engine.connect() as conn:
                page = conn.execute(query).all()
            if not page:
                return
            last = page[-1][0]
            yield [codec.record_from_json(kind, data) for _, data in page]

    def add_quarantine(self, entries: Sequence[QuarantineEntry]) -> AddResult:
        rows = [
            {"entry_key": _quarantine_key(e), **codec.quarantine_to_dict(e)} for e in entries
        ]
        return self._add_new(schema.quarantine, [schema.quarantine.c.entry_key], rows)

    def quarantine(self, limit: int | None = None) -> list[QuarantineEntry]:
        table = schema.quarantine
        columns = [table.c.kind, table.c.source, table.c.line, table.c.excerpt,
                   table.c.line_sha256, table.c.reason]
        query = select(*columns).order_by(table.c.seq).limit(limit)
        with self._engine.connect() as conn:
            return [codec.quarantine_from_dict(dict(row)) for row in conn.execute(query).mappings()]

    def quarantine_count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(schema.quarantine)) or 0)

    def add_signals(self, signals: Sequence[Signal]) -> AddResult:
        rows = [
            {"id": s.id, "kind": s.kind.value, "data": codec.signal_to_json(s)} for s in signals
        ]
        return self._add_new(schema.signals, [schema.signals.c.id], rows)

    def signals(self) -> list[Signal]:
        query = select(schema.signals.c.data).order_by(schema.signals.c.seq)
        with self._engine.connect() as conn:
            return [codec.signal_from_json(data) for data in conn.scalars(query)]

    def add_bank(self, bank: BankInfo) -> None:
        """Insert or update ``bank``; an existing bank keeps its enabled state (see BankInfo)."""
        row = _bank_row(bank)
        upsert = dialect_insert(self._dialect, schema.banks).values(row)
        changes = {name: value for name, value in row.items() if name not in _KEPT_ON_UPDATE}
        with write_transaction(self._engine, self._retry) as conn:
            conn.execute(
                upsert.on_conflict_do_update(index_elements=[schema.banks.c.name], set_=changes)
            )

    def banks(self) -> list[BankInfo]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(schema.banks)).mappings().all()
        return sorted((_bank_from_row(dict(row)) for row in rows), key=lambda b: b.name)

    def add_bank_entries(self, entries: Sequence[BankEntry]) -> AddResult:
        self._require_banks({entry.bank for entry in entries})
        table = schema.bank_entries
        rows = [_bank_entry_row(entry) for entry in entries]
        return self._add_new(table, [table.c.bank, table.c.signal_type, table.c.hash], rows)

    def set_bank_enabled(self, name: str, enabled: bool, *, reason: str, actor: str) -> None:
        table = schema.banks
        statement = (update(table).where(table.c.name == name)
                     .values(enabled=enabled, state_reason=reason, state_by=actor))
        with write_transaction(self._engine, self._retry) as conn:
            if conn.execute(statement).rowcount == 0:
                raise KeyError(f"no bank {name!r}")

    def set_bank_entry_enabled(
        self, bank: str, signal_type: str, hash: str, enabled: bool, *, reason: str, actor: str
    ) -> None:
        table = schema.bank_entries
        statement = (
            update(table)
            .where(table.c.bank == bank, table.c.signal_type == signal_type, table.c.hash == hash)
            .values(enabled=enabled, state_reason=reason, state_by=actor)
        )
        with write_transaction(self._engine, self._retry) as conn:
            if conn.execute(statement).rowcount == 0:
                raise KeyError(f"no {signal_type} hash {hash!r} in bank {bank!r}")

    def remove_bank_entries(self, bank: str, keys: Sequence[tuple[str, str]]) -> int:
        table = schema.bank_entries
        removed = 0
        with write_transaction(self._engine, self._retry) as conn:
            for signal_type, digest in sorted(set(keys)):
                removed += conn.execute(delete(table).where(
                    table.c.bank == bank, table.c.signal_type == signal_type,
                    table.c.hash == digest)).rowcount
        return removed

    def remove_bank(self, name: str) -> int:
        with write_transaction(self._engine, self._retry) as conn:
            removed = conn.execute(delete(schema.bank_entries)
                                   .where(schema.bank_entries.c.bank == name)).rowcount
            if conn.execute(delete(schema.banks).where(schema.banks.c.name == name)).rowcount == 0:
                raise KeyError(f"no bank {name!r}")
        return int(removed)

    def _require_banks(self, names: Iterable[str]) -> None:
        wanted = set(names)
        if not wanted:
            return
        query = select(schema.banks.c.name).where(schema.banks.c.name.in_(wanted))
        with self._engine.connect() as conn:
            missing = wanted - set(conn.scalars(query))
        if missing:
            raise KeyError(f"no bank {min(missing)!r}; add it before its hashes")

    def bank_entries(self, bank: str | None = None) -> list[BankEntry]:
        table = schema.bank_entries
        query = select(*[c for c in table.c if c.name != "seq"]).order_by(table.c.seq)
        if bank is not None:
            query = query.where(table.c.bank == bank)
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [_bank_entry_from_row(dict(row)) for row in rows]

    def close(self) -> None:
        self._engine.dispose()

    def bank_entry_counts(self) -> dict[str, BankEntryCount]:
        """One GROUP BY. Entries are never deleted or edited but for their state, so the newest
        sequence number and the paused entries' sequence numbers mark every change; the lowest
        and highest hash and the label and source lengths tell a database rebuilt with other
        entries of the same count apart (a cache outlives the database it was built from)."""
        t = schema.bank_entries
        query = (select(t.c.bank, func.count(), func.sum(case((t.c.enabled, 0), else_=1)),
                        func.max(t.c.seq), func.sum(case((t.c.enabled, 0), else_=t.c.seq)),
                        func.min(t.c.hash), func.max(t.c.hash),
                        func.sum(func.length(t.c.label) + func.length(t.c.source)))
                 .group_by(t.c.bank).order_by(t.c.bank))
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return {bank: BankEntryCount(int(count), int(paused), ":".join(map(str, marks)))
                for bank, count, paused, *marks in rows}


def _record_row(record: Record, content: str | None = None) -> Row:
    """The row of ``record``; ``content``: its content hash, when the caller has it already."""
    return {
        "content_hash": content or record.content_hash(),
        "kind": record.kind.value,
        "data": codec.record_to_json(record),
        "natural_key": record_ids.natural_key(record.kind, record_ids.record_id(record)[1]),
    }


_KEPT_ON_UPDATE = frozenset({"name", "enabled", "state_reason", "state_by"})
"""Columns re-adding a bank leaves alone: its name, and the state only an analyst may change."""


def _bank_row(bank: BankInfo) -> Row:
    row = codec.bank_to_dict(bank)
    return {**row, "labels": codec.dump_json(row["labels"])}


def _bank_from_row(row: Mapping[str, Any]) -> BankInfo:
    return codec.bank_from_dict({**row, "labels": codec.load_json(row["labels"])})


def _bank_entry_row(entry: BankEntry) -> Row:
    row = codec.bank_entry_to_dict(entry)
    return {**row, "metadata": codec.dump_json(row["metadata"])}


def _bank_entry_from_row(row: Mapping[str, Any]) -> BankEntry:
    return codec.bank_entry_from_dict({**row, "metadata": codec.load_json(row["metadata"])})

