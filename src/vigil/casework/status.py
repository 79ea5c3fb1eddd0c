"""Bank and detector status for the workspace's status page.

Per bank: kind, entries (and how many are paused), the size of the loaded index, the last
audited change and whether the index is stale. A bank's entries are loaded without an audit
event, so "last change" is the last *audited* one (a pause or resume of the bank or one of its
entries); a bank never paused or resumed shows none. The index is stale when it holds another
number of a bank's entries than the store does, or when it is older than ``stale_after`` (the
service rebuilds its lookup after ``refresh_s``, :mod:`vigil.intake.lookups`); with no index
loaded, staleness is unknown.

Per detector: the registered version, the last run's signal count and time (the pipeline's
``run`` custody event), the signals stored, and the confirmed errors of the error ledger
(:func:`vigil.ledger.error_ledger`): false and true positives over all its versions, and per
version as its signals name it (a configured detector adds its rules' or lexicon's version to
the class's, as in ``1+lexicon.2026.1``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TypedDict

from vigil.audit import AuditEvent
from vigil.ledger import LedgerRow, error_ledger
from vigil.plugin import Detector
from vigil.store.interfaces import AuditStore, BankStore, SignalStore

BANK_ACTIONS = frozenset({"pause_bank", "resume_bank", "pause_entry", "resume_entry"})


class BankStatus(TypedDict):
    """One bank's row; times are ISO 8601 (UTC) or ``None``."""

    name: str
    kind: str
    signal_type: str
    threshold: int
    entries: int
    paused_entries: int
    paused: bool
    state_reason: str
    state_by: str
    index_size: int | None
    last_change: str | None
    last_change_by: str
    stale: bool | None
    staleness: str


class LedgerCount(TypedDict):
    version: str
    true_positives: int
    false_positives: int
    precision: float | None


class DetectorStatus(TypedDict):
    """One registered detector's row: ``false_positives``, ``true_positives`` and ``precision``
    over all its versions, ``ledger`` per version that has decided cases."""

    name: str
    version: str
    description: str
    consumes: str
    last_run: str | None
    last_run_signals: int | None
    stored_signals: int
    false_positives: int
    true_positives: int
    precision: float | None
    ledger: list[LedgerCount]


def _last_changes(events: list[AuditEvent]) -> dict[str, AuditEvent]:
    latest: dict[str, AuditEvent] = {}
    for event in events:
        if event.action in BANK_ACTIONS:
            bank = event.target.split("/", 1)[0]
            if bank not in latest or event.at >= latest[bank].at:
                latest[bank] = event
    return latest


def bank_status(banks: BankStore, audit: AuditStore, *, now: datetime,
                stale_after: timedelta, index_sizes: Mapping[str, int] | None = None,
                index_built_at: datetime | None = None) -> list[BankStatus]:
    """A row per bank, by name; ``index_sizes`` (entries per bank in the loaded index) and
    ``index_built_at`` come from the service's lookup, ``None`` when none is loaded."""
    counts = banks.bank_entry_counts()
    changes = _last_changes(audit.audit_events())
    rows: list[BankStatus] = []
    for bank in sorted(banks.banks(), key=lambda b: b.name):
        count = counts.get(bank.name)
        entries, paused = (count.entries, count.paused) if count else (0, 0)
        size = None if index_sizes is None else index_sizes.get(bank.name, 0)
        stale, why = _staleness(entries, size, index_built_at, now, stale_after)
        change = changes.get(bank.name)
        rows.append(BankStatus(
            name=bank.name, kind=bank.kind.value, signal_type=bank.signal_type,
            threshold=bank.threshold, entries=entries, paused_entries=paused,
            paused=not bank.enabled, state_reason=bank.state_reason, state_by=bank.state_by,
            index_size=size, last_change=change.at.isoformat() if change else None,
            last_change_by=change.actor if change else "", stale=stale, staleness=why))
    return rows


def _staleness(entries: int, size: int | None, built_at: datetime | None, now: datetime,
               stale_after: timedelta) -> tuple[bool | None, str]:
    if size is None or built_at is None:
        return None, "no index loaded"
    age = now - built_at
    built = f"built {max(age.total_seconds(), 0.0) / 60:.0f} min ago"
    if size != entries:
        return True, f"index holds {size} entries, the store {entries} ({built})"
    if age > stale_after:
        return True, f"{built}, older than {stale_after.total_seconds() / 60:.0f} min"
    return False, f"current ({built})"


def _last_run(events: list[AuditEvent]) -> AuditEvent | None:
    runs = [e for e in events if e.action == "run" and e.target == "pipeline"]
    return max(runs, key=lambda e: e.at) if runs else None


def detector_status(detectors: Mapping[str, type[Detector]], signals: SignalStore,
                    audit: AuditStore) -> list[DetectorStatus]:
    """A row per detector in ``detectors`` (a registry's table), by name."""
    run = _last_run(audit.audit_events())
    ran = run.details.get("signals") if run is not None else None
    per_run = ran if isinstance(ran, dict) else {}
    stored = Counter(s.source for s in signals.signals())
    ledger: dict[str, list[LedgerRow]] = {}
    for row in error_ledger(audit):
        ledger.setdefault(row.detector, []).append(row)
    rows: list[DetectorStatus] = []
    for name in sorted(detectors):
        cls = detectors[name]
        mine = ledger.get(name, [])
        right, wrong = sum(r.true_positives for r in mine), sum(r.false_positives for r in mine)
        count = per_run.get(name)
        rows.append(DetectorStatus(
            name=name, version=cls.version, description=cls.description,
            consumes=cls.consumes.value, last_run=run.at.isoformat() if run else None,
            last_run_signals=count if isinstance(count, int) else None,
            stored_signals=stored[name], false_positives=wrong, true_positives=right,
            precision=right / (right + wrong) if right + wrong else None,
            ledger=[LedgerCount(version=r.version, true_positives=r.true_positives,
                                false_positives=r.false_positives, precision=r.precision)
                    for r in mine]))
    return rows
