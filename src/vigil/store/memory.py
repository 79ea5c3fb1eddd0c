"""An in-memory store: the reference behaviour the SQL stores are tested against."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace

from vigil.audit import AuditEvent
from vigil.case_lineage import members_of
from vigil.checkpoints import MemoryCheckpoints
from vigil.custody.entry import GENESIS, CustodyEntry, seal
from vigil.custody.heads import HeadSigner, SignedHead
from vigil.custody.log import PeriodicHeads
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.model import Case, CaseStatus, Signal, content_hash
from vigil.outbox.model import Delivery
from vigil.outbox.store import MemoryOutbox
from vigil.quarantine import QuarantineEntry
from vigil.records import Payment, Record, RecordKind
from vigil.retention.store import MemoryDeletes
from vigil.store import record_ids
from vigil.store.interfaces import (
    RECORD_BATCH_ROWS,
    SCORE_PAGE,
    AddResult,
    BankEntryCount,
    CaseScore,
)


class MemoryStore(MemoryCheckpoints, MemoryOutbox, MemoryDeletes):
    """Implements every store interface with dicts; nothing survives the process."""

    def __init__(self) -> None:
        self._records: dict[str, Record] = {}
        self._by_id: dict[str, str] = {}  # natural key -> content hash
        self._quarantine: dict[tuple[str, int, str], QuarantineEntry] = {}
        self._signals: dict[str, Signal] = {}
        self._cases: dict[str, Case] = {}
        self._statuses: dict[str, CaseStatus] = {}
        self._members: dict[str, str] = {}
        self._banks: dict[str, BankInfo] = {}
        self._bank_entries: dict[tuple[str, str, str], BankEntry] = {}
        self._audit: list[CustodyEntry] = []
        self._audit_lock = threading.Lock()
        self._custody_heads: list[SignedHead] = []
        self._heads = PeriodicHeads()
        self._deliveries: dict[str, Delivery] = {}
        MemoryCheckpoints.__init__(self)

    def add_records(self, records: Sequence[Record]) -> AddResult:
        added, conflicts = 0, []
        for position, record in enumerate(records):
            digest = record.content_hash()
            if digest in self._records:
                continue
            key = record_ids.natural_key(record.kind, record_ids.record_id(record)[1])
            if key in self._by_id:
                conflicts.append(position)
                continue
            self._records[digest], self._by_id[key] = record, digest
            added += 1
        return AddResult(added, len(records) - added - len(conflicts), tuple(conflicts))

    def records(self, kind: RecordKind) -> list[Record]:
        return [r for r in self._records.values() if r.kind is kind]

    def payments_of(self, accounts: Collection[str]) -> list[Payment]:
        wanted = set(accounts)
        return [r for r in self._records.values() if isinstance(r, Payment)
                and (r.sender in wanted or r.beneficiary in wanted)]

    def record_batches(self, kind: RecordKind,
                       batch_rows: int = RECORD_BATCH_ROWS) -> Iterator[list[Record]]:
        found = self.records(kind)
        for start in range(0, len(found), batch_rows):
            yield found[start:start + batch_rows]

    def add_quarantine(self, entries: Sequence[QuarantineEntry]) -> AddResult:
        before = len(self._quarantine)
        for entry in entries:
            self._quarantine.setdefault((entry.source, entry.line, entry.line_sha256), entry)
        added = len(self._quarantine) - before
        return AddResult(added, len(entries) - added)

    def quarantine(self, limit: int | None = None) -> list[QuarantineEntry]:
        return list(itertools.islice(self._quarantine.values(), limit))

    def quarantine_count(self) -> int:
        return len(self._quarantine)

    def add_signals(self, signals: Sequence[Signal]) -> AddResult:
        before = len(self._signals)
        for signal in signals:
            self._signals.setdefault(signal.id, signal)
        added = len(self._signals) - before
        return AddResult(added, len(signals) - added)

    def signals(self) -> list[Signal]:
        return list(self._signals.values())

    def replace_cases(self, cases: Iterable[Case],
                      inherited: Mapping[str, CaseStatus] | None = None, *,
                      signals_stored: bool = False) -> None:
        # A case here holds its signals itself, so ``signals_stored`` changes nothing.
        held = list(cases)
        self._statuses.update(inherited or {})
        self._cases = {c.id: self._stored(c) for c in held}
        self._members = members_of(held)

    def update_cases(self, cases: Iterable[Case], replaced: Collection[str],
                     inherited: Mapping[str, CaseStatus] | None = None, *,
                     signals_stored: bool = False) -> None:
        cases = list(cases)
        self._statuses.update(inherited or {})
        gone = set(replaced) | {c.id for c in cases}
        self._cases = {i: c for i, c in self._cases.items() if i not in gone}
        self._cases.update({c.id: self._stored(c) for c in cases})
        self._members = {k: i for k, i in self._members.items() if i not in gone}
        self._members.update(members_of(cases))

    def _stored(self, case: Case) -> Case:
        """``case`` as the SQL store reads it back: its kept status, and its signals as stored
        (one not stored yet is added; a stored one of the same id wins, as in ``signals``)."""
        signals = tuple(self._signals.setdefault(s.id, s) for s in case.signals)
        return replace(case, status=self._statuses.get(case.id, case.status), signals=signals)

    def case_members(self) -> dict[str, str]:
        return dict(self._members)

    def reviewed_statuses(self) -> dict[str, CaseStatus]:
        return dict(self._statuses)

    def cases(self) -> list[Case]:
        return sorted(self._cases.values(), key=lambda c: (-c.priority, c.id))

    def case(self, case_id: str) -> Case | None:
        return self._cases.get(case_id)

    def case_count(self) -> int:
        return len(self._cases)

    def case_scores(self) -> list[CaseScore]:
        return [CaseScore(c.id, c.priority, c.reasons,
                          max((s.observed_at for s in c.signals), default=None))
                for c in self._cases.values()]

    def case_score_pages(self, size: int = SCORE_PAGE, marked: str | None = None,
                         ) -> Iterator[list[CaseScore]]:
        scores = sorted((score for score in self.case_scores() if marked is None
                         or not score.reasons or any(marked in r.text for r in score.reasons)),
                        key=lambda score: score.id)
        for start in range(0, len(scores), size):
            yield scores[start:start + size]

    def set_case_scores(self, scores: Sequence[CaseScore]) -> None:
        for score in scores:
            if score.id in self._cases:
                self._cases[score.id] = replace(self._cases[score.id], priority=score.priority,
                                                reasons=score.reasons)

    def set_status(self, case_id: str, status: CaseStatus) -> None:
        if case_id not in self._cases:
            raise KeyError(f"no case {case_id!r}")
        self._statuses[case_id] = status
        self._cases[case_id] = replace(self._cases[case_id], status=status)

    def add_bank(self, bank: BankInfo) -> None:
        """Insert or update ``bank``; an existing bank keeps its enabled state (see BankInfo)."""
        stored = self._banks.get(bank.name)
        if stored is not None:
            bank = replace(bank, enabled=stored.enabled, state_reason=stored.state_reason,
                           state_by=stored.state_by)
        self._banks[bank.name] = bank

    def banks(self) -> list[BankInfo]:
        return sorted(self._banks.values(), key=lambda b: b.name)

    def add_bank_entries(self, entries: Sequence[BankEntry]) -> AddResult:
        before = len(self._bank_entries)
        for entry in entries:
            if entry.bank not in self._banks:
                raise KeyError(f"no bank {entry.bank!r}; add it before its hashes")
            self._bank_entries.setdefault((entry.bank, entry.signal_type, entry.hash), entry)
        added = len(self._bank_entries) - before
        return AddResult(added, len(entries) - added)

    def bank_entries(self, bank: str | None = None) -> list[BankEntry]:
        return [e for e in self._bank_entries.values() if bank is None or e.bank == bank]

    def set_bank_enabled(self, name: str, enabled: bool, *, reason: str, actor: str) -> None:
        if name not in self._banks:
            raise KeyError(f"no bank {name!r}")
        self._banks[name] = replace(self._banks[name], enabled=enabled, state_reason=reason,
                                    state_by=actor)

    def set_bank_entry_enabled(
        self, bank: str, signal_type: str, hash: str, enabled: bool, *, reason: str, actor: str
    ) -> None:
        key = (bank, signal_type, hash)
        if key not in self._bank_entries:
            raise KeyError(f"no {signal_type} hash {hash!r} in bank {bank!r}")
        self._bank_entries[key] = replace(self._bank_entries[key], enabled=enabled,
                                          state_reason=reason, state_by=actor)

    def remove_bank_entries(self, bank: str, keys: Sequence[tuple[str, str]]) -> int:
        gone = [k for k in {(bank, t, h) for t, h in keys} if k in self._bank_entries]
        for key in gone:
            del self._bank_entries[key]
        return len(gone)

    def remove_bank(self, name: str) -> int:
        if name not in self._banks:
            raise KeyError(f"no bank {name!r}")
        keys = [(t, h) for (b, t, h) in self._bank_entries if b == name]
        del self._banks[name]
        return self.remove_bank_entries(name, keys)

    def append_audit(self, event: AuditEvent) -> None:
        with self._audit_lock:
            seq = self._append_locked(event)
        self._after_append(seq)

    def _append_locked(self, event: AuditEvent) -> int:
        """Seal ``event`` as the next entry; the caller holds the audit lock."""
        previous = self._audit[-1].leaf_hash if self._audit else GENESIS
        entry = seal(len(self._audit) + 1, event, previous)
        self._audit.append(entry)
        return entry.seq

    def _after_append(self, seq: int) -> None:
        self._heads.after_append(self, seq)

    def audit_events(self) -> list[AuditEvent]:
        return [entry.event() for entry in self.custody_entries()]

    def custody_entries(self, limit: int | None = None) -> list[CustodyEntry]:
        with self._audit_lock:
            return self._audit[:limit]

    def add_custody_head(self, head: SignedHead) -> None:
        with self._audit_lock:
            self._custody_heads.append(head)

    def custody_heads(self) -> list[SignedHead]:
        return list(self._custody_heads)

    def use_head_signer(self, signer: HeadSigner | None, every: int) -> None:
        self._heads.attach(signer, every)

    def close(self) -> None:
        """Nothing to release."""

    def bank_entry_counts(self) -> dict[str, BankEntryCount]:
        """Counts per bank; the marker digests every key and state (the memory store is small)."""
        grouped: dict[str, list[BankEntry]] = {}
        for entry in self._bank_entries.values():
            grouped.setdefault(entry.bank, []).append(entry)
        return {bank: BankEntryCount(len(entries), sum(not e.enabled for e in entries),
                                     content_hash(sorted([e.signal_type, e.hash, e.label,
                                                          e.source, e.enabled] for e in entries)))
                for bank, entries in sorted(grouped.items())}
