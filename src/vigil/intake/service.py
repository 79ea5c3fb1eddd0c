"""Taking records in one request at a time: validate, match at once, commit, then re-run later.

:class:`Intake` is what the web service's intake routes call (and what a test can call without
HTTP). The order is the durability contract: an answer is built only after the ledger committed
the request's records, signals and answer in one transaction, so an acknowledged record is on
disk, and a retry with the same ``Idempotency-Key`` (or the same records) stores nothing twice.

Reports and media observations are matched against the banks at once, by the same detectors a
run uses (``reports.panic``, ``media.hash_match``) over one in-memory lookup, so the client gets
the judged matches in the answer; the detectors' signals are stored with the records. Cases are
brought up to date by a debounced full run (:mod:`vigil.intake.rerun`) a few seconds later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vigil.columnar.background import records_for_run
from vigil.intake.group import GroupCommitter
from vigil.intake.ledger import (
    Committed,
    IntakeLedger,
    MemoryIntakeLedger,
    Pending,
    SqlIntakeLedger,
    own_id,
)
from vigil.intake.lookups import LookupCache
from vigil.intake.parse import IntakeRejected, validate_items
from vigil.intake.payments import IntakePaymentScoring
from vigil.intake.rerun import DebouncedRun
from vigil.media.banks.flood import FloodConfig
from vigil.model import JSONValue, Signal, content_hash
from vigil.plugin import DetectionContext, Detector
from vigil.records import Record, RecordKind
from vigil.registry import Registry
from vigil.runs import run
from vigil.settings import Settings
from vigil.store.interfaces import Store
from vigil.store.retry import RetryPolicy
from vigil.store.sql import SqlStore

POSTGRES_COMMITTERS = 2
"""Group-commit threads per tenant on PostgreSQL (:mod:`vigil.intake.group`)."""

INLINE_DETECTORS = ("reports.panic", "media.hash_match")
"""Detectors whose signal for a record depends on that record alone, so they can run per request
and give what a run gives; the others (conversations, payments) need the other records."""
RUN_ACTOR = "vigil:intake"
"""Who the background runs are audited as."""


@dataclass(frozen=True)
class Receipt:
    """The answer to one intake request; ``replayed`` when an earlier request stored it."""

    body: dict[str, Any]
    replayed: bool


class Intake:
    """Durable intake of records into one store (one tenant's)."""

    def __init__(self, store: Store, settings: Settings, registry: Registry,
                 lookups: LookupCache | None = None, *, background: bool = True,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 tenant: str | None = None) -> None:
        self._store = store
        self.tenant = tenant
        """Stamped on every record taken in (the API key's tenant); ``None`` stamps nothing."""
        self._settings = settings
        self._registry = registry
        self.lookups = lookups or LookupCache(store, settings.media_index,
                                              settings.lookup_refresh_s)
        self._ledger = _ledger_for(store, settings)
        self.committer = GroupCommitter(self._ledger.commit_many, self._commit_one,
                                        committers=_committers_for(store))
        self._clock = clock
        self._detectors = [kind.from_settings(settings) for kind
                           in registry.enabled_detectors(settings.detector_names())
                           if kind.name in INLINE_DETECTORS]
        self.rerun = DebouncedRun(self.run_now, settings.intake_rerun_delay_s) \
            if background else None
        self._payments = (IntakePaymentScoring(store, settings, registry)
                          if settings.inline_payments else None)

    def accept(self, kind: RecordKind, items: Sequence[Any],
               idempotency_key: str | None = None) -> Receipt:
        """Validate, match and commit ``items`` as records of ``kind``; the answer to send back.

        Raises :class:`~vigil.intake.parse.IntakeRejected` (nothing stored) or
        :class:`~vigil.intake.ledger.IdempotencyConflict` (a key or record id reused for other
        content).
        """
        prepared = self.prepare(kind, items, idempotency_key)
        if isinstance(prepared, Receipt):
            return prepared
        committed = self.committer.commit(prepared)
        if self.rerun is not None and not committed.replayed:
            self.rerun.poke()
        return Receipt(committed.response, committed.replayed)

    async def accept_async(self, kind: RecordKind, items: Sequence[Any],
                           idempotency_key: str | None = None) -> Receipt:
        """:meth:`accept` for an event loop, holding no thread while the commit is under way.

        Validation and matching run on the loop (CPU only, once the bank index is loaded); the
        stored answer to a key is looked up inside the commit's transaction rather than before
        it (one query less per request), and before it only for a request that validation
        refuses, so a replay is answered as stored even if its records would be refused now.
        """
        if self._matches(kind) and self.lookups.current() is None:
            await asyncio.to_thread(self.lookups.get)
        try:
            prepared = self.prepare(kind, items, idempotency_key, check_stored=False)
        except IntakeRejected:
            stored = None if idempotency_key is None else await asyncio.to_thread(
                self.stored, kind, items, idempotency_key)
            if stored is None:
                raise
            return stored
        assert isinstance(prepared, Pending)
        # shielded: a cancelled request must not cancel the commit it shares with others
        committed = await asyncio.shield(asyncio.wrap_future(self.committer.enqueue(prepared)))
        if self.rerun is not None and not committed.replayed:
            self.rerun.poke()
        return Receipt(committed.response, committed.replayed)

    def stored(self, kind: RecordKind, items: Sequence[Any], key: str) -> Receipt | None:
        """The answer stored for ``key`` (IdempotencyConflict if it was another request)."""
        found = self._ledger.answered(key, _request_hash(kind, items))
        return None if found is None else Receipt(found.response, True)

    def prepare(self, kind: RecordKind, items: Sequence[Any],
                idempotency_key: str | None = None, *,
                check_stored: bool = True) -> Receipt | Pending:
        """Everything before the commit: a stored answer to replay, or a validated request.

        Validation and matching happen here, before the request is queued for a group commit,
        so a request that is rejected never shares (or fails) another request's transaction.
        ``check_stored=False`` leaves the stored answer to the commit's transaction.
        """
        request_hash = _request_hash(kind, items)
        if idempotency_key is not None and check_stored:
            found = self._ledger.answered(idempotency_key, request_hash)
            if found is not None:
                return Receipt(found.response, True)
        records = validate_items(kind, items, now=self._clock(),
                                 max_skew=self._settings.max_future_skew,
                                 max_batch=self._settings.api_max_batch, tenant=self.tenant)
        signals = self._inline_signals(kind, records)
        hashes = [record.content_hash() for record in records]  # once: answer, rows, claims
        answer = _answer(kind, records, hashes, signals, self.tenant)
        if kind is RecordKind.PAYMENT and self._payments is not None:
            answer["alerts"] = [a.to_json() for a in self._payments.alerts(records)]
        return Pending(idempotency_key, request_hash, records, signals, answer, hashes)

    def run_now(self) -> None:
        """Bring cases up to date with everything stored (what ``vigil run`` does); with
        ``VIGIL_RECORD_STORE=parquet`` the waiting records are moved into parts first."""
        run(self._store, self._settings, self._registry, actor=RUN_ACTOR,
            records_from=records_for_run(self._store, self._settings))

    def close(self) -> None:
        """Commit what is queued, finish a pending run, then stop the workers."""
        self.committer.close()
        if self.rerun is not None:
            self.rerun.close()
        self.lookups.close()

    def _commit_one(self, pending: Pending) -> Committed:
        return self._ledger.commit(pending.key, pending.request_hash, pending.records,
                                   pending.signals, pending.response)

    def _matches(self, kind: RecordKind) -> bool:
        """Whether records of ``kind`` are matched against the banks at once."""
        return any(d.consumes == kind for d in self._detectors)

    def _inline_signals(self, kind: RecordKind, records: Sequence[Record]) -> list[Signal]:
        detectors = [d for d in self._detectors if d.consumes == kind]
        if not detectors:
            return []
        context = DetectionContext(banks=self._store)
        lookup = self.lookups.current()  # no lock on the hot path; get() rebuilds when stale
        if lookup is None:
            lookup = self.lookups.get()
        context.share_lookup(lookup, self._settings.media_index, FloodConfig())
        return [signal for detector in detectors
                for signal in _detect(detector, records, context)]


def _request_hash(kind: RecordKind, items: Sequence[Any]) -> str:
    return content_hash({"kind": kind.value, "items": list(items)})


def _detect(detector: Detector, records: Sequence[Record],
            context: DetectionContext) -> list[Signal]:
    return list(detector.detect(records, context))


def _ledger_for(store: Store, settings: Settings) -> IntakeLedger:
    if isinstance(store, SqlStore):
        return SqlIntakeLedger(store.engine, RetryPolicy(budget_s=settings.store_timeout))
    return MemoryIntakeLedger(store)


def _matches_of(signal: Signal) -> list[JSONValue]:
    """The judged bank matches a signal carries (a report's frames, or an observation's)."""
    found = signal.evidence.get("frame_matches", signal.evidence.get("matches", []))
    return list(found) if isinstance(found, list) else []


def _subject_id(signal: Signal) -> str | None:
    for name in ("report_id", "observation_id"):
        value = signal.evidence.get(name)
        if isinstance(value, str):
            return value
    return None


def _answer(kind: RecordKind, records: Sequence[Record], hashes: Sequence[str],
            signals: Sequence[Signal], tenant: str | None) -> dict[str, Any]:
    by_record = {_subject_id(s): s for s in signals}
    rows: list[dict[str, Any]] = []
    for record, record_hash in zip(records, hashes, strict=True):
        signal = by_record.get(own_id(record))
        rows.append({"id": own_id(record), "record_hash": record_hash,
                     "signal_id": signal.id if signal else None,
                     "matches": _matches_of(signal) if signal else []})
    tenant_part = {"tenant": tenant} if tenant is not None else {}
    return {"kind": kind.value, **tenant_part, "accepted": len(records), "records": rows}


def _committers_for(store: Store) -> int:
    """Group-commit threads: two on PostgreSQL (a batch written while the last one's fsync
    runs; measured by ``make bench-api``), one where the database has one writer (SQLite)."""
    if isinstance(store, SqlStore) and store.engine.dialect.name == "postgresql":
        return POSTGRES_COMMITTERS
    return 1
