"""Narrow storage interfaces; each function takes only the one it uses.

Three implementations ship: :mod:`vigil.store.memory` (tests), and :mod:`vigil.store.sql` for
SQLite (default) and PostgreSQL. One test body runs against all of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
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


class BankKind(StrEnum):
    """What a match against the bank means (see :mod:`vigil.media.bank_policy` for the rule)."""

    POSITIVE = "positive"
    """Known material: a match is a finding."""
    NEGATIVE = "negative"
    """Known false positives (pytx ``NEGATIVE_CLASS``): a match suppresses positive matches."""


@dataclass(frozen=True)
class BankInfo:
    """A named list of hashes, with the threshold its matches use and whether it is in force.

    ``enabled`` is False while the bank is paused; ``state_reason`` and ``state_by`` say why and
    who (an analyst's name, or the flood check) changed it last. Adding a bank again updates its
    description but never its state: only :meth:`BankStore.set_bank_enabled` does that, so a
    re-import cannot silently resume a bank an analyst paused.
    """

    name: str
    signal_type: str = "pdq"
    threshold: int = 31
    source: str = ""
    description: str = ""
    kind: BankKind = BankKind.POSITIVE
    labels: tuple[str, ...] = ()
    enabled: bool = True
    state_reason: str = ""
    state_by: str = ""


@dataclass(frozen=True)
class BankEntry:
    """One hash in a bank (``hash`` is lower-case hex; ``signal_type`` pdq, md5 or sha256).

    ``metadata`` keeps what a third-party list said about the hash (its record ids, tags,
    category), namespaced by format (``{"pytx": {...}}``, ``{"vics": {...}}``), so a match can
    show it. ``enabled`` is False while the entry is paused, e.g. by flood quarantine.
    """

    bank: str
    hash: str
    signal_type: str
    label: str = ""
    source: str = ""
    metadata: Mapping[str, JSONValue] = field(default_factory=dict, hash=False)
    enabled: bool = True
    state_reason: str = ""
    state_by: str = ""


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


@dataclass(frozen=True)
class BankEntryCount:
    """A bank's size read without loading its entries (``vigil bank list``, the index cache).

    ``marker`` changes whenever an entry of the bank is added, paused or resumed, and tells apart
    (all but surely) two databases holding as many different entries, so the bank names with
    their markers form a cheap checkpoint of everything an index is built from.
    """

    entries: int
    paused: int
    marker: str


class BankStore(Protocol):
    def add_bank(self, bank: BankInfo) -> None: ...
    def banks(self) -> list[BankInfo]: ...
    def add_bank_entries(self, entries: Sequence[BankEntry]) -> AddResult: ...
    def bank_entries(self, bank: str | None = None) -> list[BankEntry]: ...

    def set_bank_enabled(self, name: str, enabled: bool, *, reason: str, actor: str) -> None:
        """Pause or resume a bank (``KeyError`` if unknown); the caller writes the audit event."""

    def set_bank_entry_enabled(
        self, bank: str, signal_type: str, hash: str, enabled: bool, *, reason: str, actor: str
    ) -> None:
        """Pause or resume one hash of a bank (``KeyError`` if unknown); audit as above."""

    def bank_entry_counts(self) -> dict[str, BankEntryCount]:
        """Entries per bank that has any, counted by the store (one query, no rows loaded)."""


class AuditStore(Protocol):
    def append_audit(self, event: AuditEvent) -> None: ...
    def audit_events(self) -> list[AuditEvent]: ...


class Store(RecordStore, SignalStore, CaseStore, BankStore, AuditStore, Protocol):
    """All interfaces together, as the CLI opens them; library functions take the narrow ones."""

    def close(self) -> None: ...
