"""The retention job: delete what is past its profile's period and under no hold.

*What* goes is a pure function (:func:`retention_plan`) of the stored items, the profile, the
holds and the time; :func:`run_retention` carries it out through the store's delete methods and
writes one audit event per batch (records, signals, cases) with the count and the content ids.
A hold on a case protects the case, its signals, and every record that names one of its
identifiers or the identifiers reported with it (18 U.S.C. § 2258A(h)(2): the context of the
report is preserved too). A signal a case that stays still names is never deleted (the case's
row names its signals by id); it goes with its case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from vigil.audit import AuditEvent
from vigil.columnar.prune import prune_parts
from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import COLUMNAR_KINDS, ColumnarRecords
from vigil.model import Case, Signal
from vigil.records import Record, RecordKind, identifiers_of, record_times
from vigil.retention.holds import Hold, preservation_holds
from vigil.retention.profiles import Jurisdiction
from vigil.retention.store import RetentionStore
from vigil.store.interfaces import RecordStore

SYSTEM_ACTOR = "vigil:retention"


@dataclass(frozen=True)
class RetentionPlan:
    """Ids to delete per kind, and how many past-period items a hold kept."""

    records: list[str] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    held: dict[str, int] = field(default_factory=dict)
    in_cases: list[str] = field(default_factory=list)
    """Past-period signals kept because a case that stays names them (a case's row holds its
    signals by id since migration 0013: deleting one would take it out of the case)."""

    def counts(self) -> dict[str, int]:
        return {"records": len(self.records), "signals": len(self.signals),
                "cases": len(self.cases)}


def record_time(record: Record) -> datetime | None:
    """The latest time the record holds (``None``: undated, never deleted by age)."""
    times = [t for _name, t in record_times(record)]
    return max(times) if times else None


def case_time(case: Case) -> datetime | None:
    return max((s.observed_at for s in case.signals), default=None)


def _past(moment: datetime | None, period: timedelta | None, now: datetime) -> bool:
    return moment is not None and period is not None and moment + period <= now


@dataclass(frozen=True)
class HeldScope:
    """What the holds in force protect: cases, the identifiers they name, their signals."""

    cases: frozenset[str]
    identifiers: frozenset[str]
    signals: frozenset[str]


def held_scope(signals: list[Signal], cases: list[Case], holds: Mapping[str, Hold],
               now: datetime) -> HeldScope:
    in_force = [h for h in holds.values() if h.in_force(now)]
    held_cases = {h.case_id for h in in_force}
    held_ids = {i for h in in_force for i in h.identifiers}
    for case in cases:
        if case.id in held_cases:
            held_ids |= {str(e) for e in case.entities}
    held_signals = {s.id for c in cases if c.id in held_cases for s in c.signals}
    held_signals |= {s.id for s in signals if any(str(e) in held_ids for e in s.subjects)}
    return HeldScope(frozenset(held_cases), frozenset(held_ids), frozenset(held_signals))


def record_fate(record: Record, profile: Jurisdiction, scope: HeldScope,
                now: datetime) -> str | None:
    """``None`` (within its period), ``"held"`` (past it, under a hold) or ``"delete"``."""
    if not _past(record_time(record), profile.retention("records"), now):
        return None
    held = any(str(e) in scope.identifiers for e in identifiers_of(record))
    return "held" if held else "delete"


def retention_plan(records: list[Record], signals: list[Signal], cases: list[Case],
                   profile: Jurisdiction, holds: Mapping[str, Hold],
                   now: datetime) -> RetentionPlan:
    """What ``profile`` lets go at ``now``, leaving out all that a hold in force protects."""
    scope = held_scope(signals, cases, holds, now)
    plan = RetentionPlan(held={"records": 0, "signals": 0, "cases": 0})
    for record in records:
        fate = record_fate(record, profile, scope, now)
        if fate is not None:
            _choose(plan, "records", record.content_hash(), fate == "held")
    for case in cases:
        if _past(case_time(case), profile.retention("cases"), now):
            _choose(plan, "cases", case.id, case.id in scope.cases)
    gone = set(plan.cases)
    named = {s.id for c in cases if c.id not in gone for s in c.signals}
    for signal in signals:
        if not _past(signal.observed_at, profile.retention("signals"), now):
            continue
        if signal.id in named and signal.id not in scope.signals:
            plan.in_cases.append(signal.id)
        else:
            _choose(plan, "signals", signal.id, signal.id in scope.signals)
    return plan


def _choose(plan: RetentionPlan, kind: str, item: str, held: bool) -> None:
    if held:
        plan.held[kind] += 1
    else:
        getattr(plan, kind).append(item)


def run_retention(store: RetentionStore, profile: Jurisdiction, *, dry_run: bool = False,
                  now: datetime | None = None,
                  record_store: RecordStore | None = None) -> RetentionPlan:
    """Plan and (unless ``dry_run``) delete; one audit event per non-empty batch.

    ``record_store``: the record store ``VIGIL_RECORD_STORE`` names; when it keeps Parquet parts
    (``parquet``), their records are pruned a part at a time by the same rule as the records
    in the operational store (those waiting to be moved).
    """
    at = now or datetime.now(UTC)
    columnar = record_store.columnar if isinstance(record_store, SplitRecordStore) else None
    signals, cases = store.signals(), store.cases()
    holds = preservation_holds(store.audit_events())
    records = [r for kind in RecordKind for r in store.records(kind)]
    plan = retention_plan(records, signals, cases, profile, holds, at)
    deleted = {"records": 0, "signals": 0, "cases": 0}
    if not dry_run and plan.records:
        deleted["records"] = store.delete_records(plan.records)
    if columnar is not None:
        pruned = _prune_columnar(columnar, profile, held_scope(signals, cases, holds, at), at,
                                 plan, dry_run)
        deleted["records"] += pruned
    if dry_run:
        return plan
    # Cases first: a case read between the two never names a signal already gone.
    deleted["cases"] = store.delete_cases(plan.cases) if plan.cases else 0
    deleted["signals"] = store.delete_signals(plan.signals) if plan.signals else 0
    for kind, ids in (("records", plan.records), ("signals", plan.signals),
                      ("cases", plan.cases)):
        if ids:
            store.append_audit(_deletion_event(profile, kind, ids, deleted[kind],
                                               plan.held[kind], at))
    return plan


def _prune_columnar(columnar: ColumnarRecords, profile: Jurisdiction, scope: HeldScope,
                    now: datetime, plan: RetentionPlan, dry_run: bool) -> int:
    """Prune each columnar kind's parts; their hashes and held counts join ``plan``."""
    def doomed(batch: Sequence[Record]) -> list[bool]:
        fates = [record_fate(record, profile, scope, now) for record in batch]
        plan.held["records"] += fates.count("held")
        return [fate == "delete" for fate in fates]

    gone = [h for kind in sorted(COLUMNAR_KINDS, key=lambda k: k.value)
            for h in prune_parts(columnar, kind, doomed, dry_run=dry_run)]
    plan.records.extend(gone)
    return 0 if dry_run else len(gone)


def _deletion_event(profile: Jurisdiction, kind: str, ids: list[str], deleted: int, held: int,
                    at: datetime) -> AuditEvent:
    return AuditEvent(
        SYSTEM_ACTOR, "retention_delete", kind, at,
        {"jurisdiction": profile.code, "deleted": deleted, "ids": list(ids),
         "held": held, "retention_days": profile.retention_days[kind]},
        justification=f"past the {profile.code} retention period ({profile.source.strip()})")
