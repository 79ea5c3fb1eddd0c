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
from vigil.store import redact


@dataclass(frozen=True)
class AddResult:
    """How many items were new and how many were already stored (idempotent writes).

    ``conflicts`` (records only) are the positions, in the sequence given, of records whose id
    (``txn_id``, ``message_id``...) is already stored with different content: they are not
    stored, and the caller says so (the importer quarantines them).
    """

    added: int
    duplicates: int
    conflicts: tuple[int, ...] = ()


@dataclass(frozen=True)
class QuarantineEntry:
    """A row an importer could not accept: where it came from, why, and never its payload.

    ``excerpt`` is a short, sanitised view of the line and ``line_sha256`` the SHA-256 of its raw
    bytes (see :mod:`vigil.store.redact`); the raw line itself is never kept, because it could
    hold media. Both the excerpt and the reason are bounded and sanitised here, whoever builds
    the entry. Build one from a raw line with :meth:`of`.
    """

    kind: RecordKind
    source: str
    line: int
    excerpt: str
    reason: str
    line_sha256: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "excerpt", redact.sanitise(self.excerpt))
        object.__setattr__(self, "reason", redact.bound_reason(self.reason))

    @classmethod
    def of(cls, kind: RecordKind, source: str, line: int, raw: bytes | str,
           reason: str) -> QuarantineEntry:
        """The entry for raw line ``raw``: its excerpt and SHA-256, not the line itself."""
        return cls(kind, source, line, redact.excerpt_of(raw), reason, redact.sha256_of(raw))


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
    def add_records(self, records: Sequence[Record]) -> AddResult:
        """Store new records; same content is a duplicate, same id with other content a
        conflict (reported by position in :attr:`AddResult.conflicts`, not stored)."""

    def records(self, kind: RecordKind) -> list[Record]: ...

    def add_quarantine(self, entries: Sequence[QuarantineEntry]) -> AddResult:
        """Store entries; one per (source, line, line SHA-256): a repeat is a duplicate."""

    def quarantine(self, limit: int | None = None) -> list[QuarantineEntry]:
        """The oldest ``limit`` entries (all when ``None``), in the order they were added."""

    def quarantine_count(self) -> int: ...


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

    def set_bank_enabled(self, name: str, enabled: bool, *, reason: str, actor: str) -> None:
        """Pause or resume a bank (``KeyError`` if unknown); the caller writes the audit event."""

    def set_bank_entry_enabled(
        self, bank: str, signal_type: str, hash: str, enabled: bool, *, reason: str, actor: str
    ) -> None:
        """Pause or resume one hash of a bank (``KeyError`` if unknown); audit as above."""


class AuditStore(Protocol):
    def append_audit(self, event: AuditEvent) -> None: ...
    def audit_events(self) -> list[AuditEvent]: ...


class Store(RecordStore, SignalStore, CaseStore, BankStore, AuditStore, Protocol):
    """All interfaces together, as the CLI opens them; library functions take the narrow ones."""

    def close(self) -> None: ...
