"""Deleting what retention lets go: a narrow interface and its memory and SQL mixins.

Only the retention job calls these; it has already left out everything under a hold.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from sqlalchemy import Engine, delete

from vigil.model import Case, CaseStatus, Signal
from vigil.records import Record
from vigil.store import schema
from vigil.store.interfaces import (
    AuditStore,
    CaseStore,
    DeletingStore,
    RecordStore,
    SignalStore,
)
from vigil.store.retry import RetryPolicy, write_transaction


class RetentionStore(RecordStore, SignalStore, CaseStore, AuditStore, DeletingStore, Protocol):
    """What the retention job reads, deletes and audits."""


class MemoryDeletes:
    """``DeletingStore`` for :class:`vigil.store.memory.MemoryStore`."""

    _records: dict[str, Record]
    _by_id: dict[str, str]
    _signals: dict[str, Signal]
    _cases: dict[str, Case]
    _statuses: dict[str, CaseStatus]

    def delete_records(self, content_hashes: Collection[str]) -> int:
        gone = [h for h in set(content_hashes) if self._records.pop(h, None) is not None]
        for key in [k for k, h in self._by_id.items() if h in gone]:
            del self._by_id[key]
        return len(gone)

    def delete_signals(self, signal_ids: Collection[str]) -> int:
        return sum(self._signals.pop(i, None) is not None for i in set(signal_ids))

    def delete_cases(self, case_ids: Collection[str]) -> int:
        for case_id in case_ids:
            self._statuses.pop(case_id, None)
        return sum(self._cases.pop(i, None) is not None for i in set(case_ids))


class SqlDeletes:
    """``DeletingStore`` for :class:`vigil.store.sql.SqlStore`: one transaction per call."""

    _engine: Engine
    _retry: RetryPolicy

    def delete_records(self, content_hashes: Collection[str]) -> int:
        table = schema.records
        return self._delete(table.delete().where(table.c.content_hash.in_(set(content_hashes))))

    def delete_signals(self, signal_ids: Collection[str]) -> int:
        table = schema.signals
        return self._delete(table.delete().where(table.c.id.in_(set(signal_ids))))

    def delete_cases(self, case_ids: Collection[str]) -> int:
        statuses = schema.case_statuses
        with write_transaction(self._engine, self._retry) as conn:
            conn.execute(delete(statuses).where(statuses.c.case_id.in_(set(case_ids))))
            table = schema.cases
            return int(conn.execute(delete(table).where(table.c.id.in_(set(case_ids)))).rowcount)

    def _delete(self, statement: object) -> int:
        with write_transaction(self._engine, self._retry) as conn:
            return int(conn.execute(statement).rowcount)  # type: ignore[call-overload]
