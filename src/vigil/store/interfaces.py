"""Narrow storage interfaces; each function takes only the one it uses.

Three implementations ship: :mod:`vigil.store.memory` (tests), and :mod:`vigil.store.sql` for
SQLite (default) and PostgreSQL. One test body runs against all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from vigil.model import Case, CaseStatus, JSONValue, Signal
from vigil.records import Record, RecordKind


@dataclass(frozen=True)
class AddResult:
    """How many items were new and how many were already stored (idempotent writes)."""

    added: int
    duplicates: int


@dataclass(frozen=True)
class QuarantineEntry:
    """A row an importer could not accept, kept verbatim with where it came from and why."""

    kind: RecordKind
    source: str
    line: int
    raw: str
    reason: str


@dataclass(frozen=True)
class BankInfo:
    """A named list of hashes of known material, with the threshold its matches use."""

    name: str
    signal_type: str = "pdq"
    threshold: int = 31
    source: str = ""
    description: str = ""


@dataclass(frozen=True)
class BankEntry:
    """One hash in a bank (``hash`` is hex, ``signal_type`` pdq or md5)."""

    bank: str
    hash: str
    signal_type: str
    label: str = ""
    source: str = ""


@dataclass(frozen=True)
class AuditEvent:
    """Who did what to which object, when; appended, never edited."""

    actor: str
    action: str
    target: str
    at: datetime
    details: dict[str, JSONValue] = field(default_factory=dict)


class RecordStore(Protocol):
    def add_records(self, records: Sequence[Record]) -> AddResult: ...
    def records(self, kind: RecordKind) -> list[Record]: ...
    def add_quarantine(self, entries: Sequence[QuarantineEntry]) -> AddResult: ...
    def quarantine(self) -> list[QuarantineEntry]: ...


class SignalStore(Protocol):
    def add_signals(self, signals: Sequence[Signal]) -> AddResult: ...
    def signals(self) -> list[Signal]: ...


class CaseStore(Protocol):
    def replace_cases(self, cases: Sequence[Case]) -> None:
        """Store a fresh set of cases; the review status of a case id seen before is kept."""

    def cases(self) -> list[Case]:
        """All cases, highest priority first (ties by id)."""

    def case(self, case_id: str) -> Case | None: ...
    def set_status(self, case_id: str, status: CaseStatus) -> None: ...


class BankStore(Protocol):
    def add_bank(self, bank: BankInfo) -> None: ...
    def banks(self) -> list[BankInfo]: ...
    def add_bank_entries(self, entries: Sequence[BankEntry]) -> AddResult: ...
    def bank_entries(self, bank: str | None = None) -> list[BankEntry]: ...


class AuditStore(Protocol):
    def append_audit(self, event: AuditEvent) -> None: ...
    def audit_events(self) -> list[AuditEvent]: ...


class Store(RecordStore, SignalStore, CaseStore, BankStore, AuditStore, Protocol):
    """All interfaces together, as the CLI opens them; library functions take the narrow ones."""

    def close(self) -> None: ...
