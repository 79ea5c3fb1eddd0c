"""Narrow storage interfaces; each function takes only the one it uses.

Three implementations ship: :mod:`vigil.store.memory` (tests), and :mod:`vigil.store.sql` for
SQLite (default) and PostgreSQL. One test body runs against all of them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from vigil.audit import AuditEvent
from vigil.checkpoints import CheckpointStore
from vigil.custody.entry import CustodyEntry
from vigil.custody.heads import HeadSigner, SignedHead
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.model import Case, CaseStatus, Reason, Signal
from vigil.outbox.store import OutboxStore
from vigil.quarantine import QuarantineEntry
from vigil.records import Payment, Record, RecordKind

RECORD_BATCH_ROWS = 10_000
"""Records per batch a streaming reader holds (:meth:`RecordStore.record_batches`): about 30 MB
of record objects, and few enough round trips that reading stays as fast as one list."""

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


class RecordStore(Protocol):
    def add_records(self, records: Sequence[Record]) -> AddResult:
        """Store new records; same content is a duplicate, same id with other content a
        conflict (reported by position in :attr:`AddResult.conflicts`, not stored)."""

    def records(self, kind: RecordKind) -> list[Record]: ...

    def record_batches(self, kind: RecordKind,
                       batch_rows: int = RECORD_BATCH_ROWS) -> Iterator[list[Record]]:
        """Every record of ``kind``, as :meth:`records` has them, in lists of at most
        ``batch_rows``: a reader holds one batch, not the history (detectors stream these)."""

    def payments_of(self, accounts: Collection[str]) -> list[Payment]:
        """The stored payments sent from or to one of ``accounts`` (a query by account: the
        case page reads its accounts' payments, not every payment stored)."""

    def add_quarantine(self, entries: Sequence[QuarantineEntry]) -> AddResult:
        """Store entries; one per (source, line, line SHA-256): a repeat is a duplicate."""

    def quarantine(self, limit: int | None = None) -> list[QuarantineEntry]:
        """The oldest ``limit`` entries (all when ``None``), in the order they were added."""

    def quarantine_count(self) -> int: ...


class SignalStore(Protocol):
    def add_signals(self, signals: Sequence[Signal]) -> AddResult: ...
    def signals(self) -> list[Signal]: ...


SCORE_PAGE = 20_000
"""Case rankings a page of :meth:`CaseStore.case_score_pages` holds by default."""


@dataclass(frozen=True)
class CaseScore:
    """A stored case's ranking without its signals: what a run whose moment moved re-ranks."""

    id: str
    priority: float
    reasons: tuple[Reason, ...]
    latest: datetime | None
    """Its newest signal's time; ``None`` for a case stored before the store kept it."""


class CaseStore(Protocol):
    def replace_cases(self, cases: Iterable[Case],
                      inherited: Mapping[str, CaseStatus] | None = None, *,
                      signals_stored: bool = False) -> None:
        """Store a fresh set of cases; the review status of a case id seen before is kept.
        ``cases`` is read once and may be a generator (a run's, which reads each case's signals
        from this store: none is held after it is encoded where ``signals_stored``).

        ``inherited``: review statuses to record with them (a merged case's, vigil.case_ids).
        Each case's identifiers (its signals' ids when it has none) are remembered as its
        members, which :meth:`case_members` reads back for the next run's ids. A case's signals
        this store lacks are stored with it, unless the caller says it stored them all
        (``signals_stored``: a run links only stored signals, and a check of every id would cost
        it an index look-up per signal).
        """

    def update_cases(self, cases: Iterable[Case], replaced: Collection[str],
                     inherited: Mapping[str, CaseStatus] | None = None, *,
                     signals_stored: bool = False) -> None:
        """Replace the cases ``replaced`` (ids) by ``cases``, members included, and keep every
        other case as it is (an incremental run rewrites only the cases it rebuilt);
        ``inherited`` and ``signals_stored`` as for :meth:`replace_cases`. A sequence's cases
        replace the stored cases of their ids too; ``cases`` may also be any iterable, read once
        as :meth:`replace_cases` reads it (a run's generator, which reads their signals from
        this store), whose cases must then take ids of ``replaced`` or ids no stored case has
        (as stable ids do: :func:`vigil.case_lineage.assign_stable_ids`)."""

    def case_members(self) -> dict[str, str]:
        """The last stored cases' members (identifier, or signal id) -> case id."""

    def reviewed_statuses(self) -> dict[str, CaseStatus]:
        """Every status a person set (or a merge inherited), by case id, past cases included."""

    def cases(self) -> list[Case]:
        """All cases, highest priority first (ties by id)."""

    def case_count(self) -> int: ...

    def case_scores(self) -> list[CaseScore]:
        """Every stored case's ranking, without decoding its signals."""

    def case_score_pages(self, size: int = SCORE_PAGE, marked: str | None = None,
                         ) -> Iterator[list[CaseScore]]:
        """:meth:`case_scores` ``size`` at a time, in id order, so a caller need not hold them
        all (383,451 cases at 10M payments took 2.5 GB); with ``marked``, only the cases whose
        stored reasons hold that text, and those with none stored. The store may be written
        between pages (each page is read on its own)."""

    def set_case_scores(self, scores: Sequence[CaseScore]) -> None:
        """Set the priority and reasons of the stored cases ``scores`` name (not their
        ``latest``: their signals did not change); ids not stored are left out."""

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

    def remove_bank_entries(self, bank: str, keys: Sequence[tuple[str, str]]) -> int:
        """Delete the ``(signal_type, hash)`` entries of ``bank``; how many were stored."""

    def remove_bank(self, name: str) -> int:
        """Delete a bank and its entries; how many entries went (``KeyError`` if unknown)."""


class AuditStore(Protocol):
    """The audit trail, kept as the custody log (:mod:`vigil.custody`)."""

    def append_audit(self, event: AuditEvent) -> None:
        """Seal ``event`` as the next custody entry; concurrent appends never fork the chain."""

    def audit_events(self) -> list[AuditEvent]: ...

    def custody_entries(self, limit: int | None = None) -> list[CustodyEntry]:
        """The sealed entries in sequence order; the first ``limit`` only, if given."""

    def add_custody_head(self, head: SignedHead) -> None: ...
    def custody_heads(self) -> list[SignedHead]: ...

    def use_head_signer(self, signer: HeadSigner | None, every: int) -> None:
        """Sign a head after every ``every``-th append with ``signer`` (``None``: stop)."""


class DeletingStore(Protocol):
    """Deletes for the retention job (:mod:`vigil.retention.run`), which leaves out all held."""

    def delete_records(self, content_hashes: Collection[str]) -> int:
        """Delete the records with these content hashes; how many there were."""

    def delete_signals(self, signal_ids: Collection[str]) -> int: ...

    def delete_cases(self, case_ids: Collection[str]) -> int:
        """Delete these cases and their review status; how many there were."""


class Store(RecordStore, SignalStore, CaseStore, BankStore, AuditStore, OutboxStore,
            DeletingStore, CheckpointStore, Protocol):
    """All interfaces together, as the CLI opens them; library functions take the narrow ones."""

    def close(self) -> None: ...
