"""The retention job: delete what is past its profile's period and under no hold.

*What* goes is a pure function (:func:`retention_plan`) of the stored items, the profile, the
holds and the time; :func:`run_retention` carries it out through the store's delete methods and
writes one audit event per batch (records, signals, cases) with the count and the content ids.
A hold on a case protects the case, its signals, and every record that names one of its
identifiers or the identifiers reported with it (18 U.S.C. § 2258A(h)(2): the context of the
report is preserved too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from vigil.audit import AuditEvent
from vigil.model import Case, Signal
from vigil.records import Record, RecordKind, identifiers_of, record_times
from vigil.retention.holds import Hold, preservation_holds
from vigil.retention.profiles import Jurisdiction
from vigil.retention.store import RetentionStore

SYSTEM_ACTOR = "vigil:retention"


@dataclass(frozen=True)
class RetentionPlan:
    """Ids to delete per kind, and how many past-period items a hold kept."""

    records: list[str] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    held: dict[str, int] = field(default_factory=dict)

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


def retention_plan(records: list[Record], signals: list[Signal], cases: list[Case],
                   profile: Jurisdiction, holds: Mapping[str, Hold],
                   now: datetime) -> RetentionPlan:
    """What ``profile`` lets go at ``now``, leaving out all that a hold in force protects."""
    in_force = [h for h in holds.values() if h.in_force(now)]
    held_cases = {h.case_id for h in in_force}
    held_ids = {i for h in in_force for i in h.identifiers}
    for case in cases:
        if case.id in held_cases:
            held_ids |= {str(e) for e in case.entities}
    held_signals = {s.id for c in cases if c.id in held_cases for s in c.signals}
    held_signals |= {s.id for s in signals if any(str(e) in held_ids for e in s.subjects)}
    plan = RetentionPlan(held={"records": 0, "signals": 0, "cases": 0})
    for record in records:
        if _past(record_time(record), profile.retention("records"), now):
            _choose(plan, "records", record.content_hash(),
                    any(str(e) in held_ids for e in identifiers_of(record)))
    for signal in signals:
        if _past(signal.observed_at, profile.retention("signals"), now):
            _choose(plan, "signals", signal.id, signal.id in held_signals)
    for case in cases:
        if _past(case_time(case), profile.retention("cases"), now):
            _choose(plan, "cases", case.id, case.id in held_cases)
    return plan


def _choose(plan: RetentionPlan, kind: str, item: str, held: bool) -> None:
    if held:
        plan.held[kind] += 1
    else:
        getattr(plan, kind).append(item)


def run_retention(store: RetentionStore, profile: Jurisdiction, *, dry_run: bool = False,
                  now: datetime | None = None) -> RetentionPlan:
    """Plan and (unless ``dry_run``) delete; one audit event per non-empty batch."""
    at = now or datetime.now(UTC)
    records = [r for kind in RecordKind for r in store.records(kind)]
    plan = retention_plan(records, store.signals(), store.cases(), profile,
                          preservation_holds(store.audit_events()), at)
    if dry_run:
        return plan
    deleters = {"records": store.delete_records, "signals": store.delete_signals,
                "cases": store.delete_cases}
    for kind, ids in (("records", plan.records), ("signals", plan.signals),
                      ("cases", plan.cases)):
        if not ids:
            continue
        deleted = deleters[kind](ids)
        store.append_audit(AuditEvent(
            SYSTEM_ACTOR, "retention_delete", kind, at,
            {"jurisdiction": profile.code, "deleted": deleted, "ids": list(ids),
             "held": plan.held[kind], "retention_days": profile.retention_days[kind]},
            justification=f"past the {profile.code} retention period ({profile.source.strip()})"))
    return plan
