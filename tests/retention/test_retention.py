"""Retention and preservation holds, with a fake clock: a hold survives retention, cannot be
shortened or lifted early, and retention deletes exactly what is past its period."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.core.factories import T0, signal
from tests.exporters.cases import full_case
from tests.outbox.helpers import cases as chat_cases
from vigil.confirmation import confirm_case
from vigil.exporters.cybertip import CyberTipExporter
from vigil.exporters.export import export_cases
from vigil.model import SignalKind
from vigil.records import PanicReport, RecordKind
from vigil.retention.holds import (
    HoldRefusedError,
    lift_hold,
    one_year_after,
    preservation_holds,
    set_hold_until,
)
from vigil.retention.profiles import Jurisdiction
from vigil.retention.run import run_retention
from vigil.store.interfaces import Store

DAYS_90 = Jurisdiction("test", "Test", "a test profile", {"records": 90, "signals": 90,
                                                          "cases": 90})


def report(report_id: str, reporter: str, reported: str, days: int) -> PanicReport:
    return PanicReport(report_id=report_id, reporter=reporter, reported=reported,
                       session_id="s1", reported_at=T0 + timedelta(days=days),
                       reason="asked my age")


def world(store: Store) -> tuple[str, str]:
    """A case reported as CyberTipline XML at T0, an unreported one, and records around them."""
    held, (other,) = full_case(), chat_cases(1, "o")
    store.replace_cases([held, other])
    store.add_signals([*held.signals, *other.signals])
    store.add_records([report("r-held", "vidchat:w1", "vidchat:streamer", 0),
                       report("r-old", "vidchat:a", "vidchat:b", 0),
                       report("r-new", "vidchat:c", "vidchat:d", 50)])
    for case in (held, other):
        confirm_case(store, store, case.id, actor="B. Lead", role="lead", note="checked")
    export_cases(store, store, [held.id], CyberTipExporter, "A. Analyst",
                 reporter_email="reports@platform.example", now=T0)
    return held.id, other.id


def report_ids(store: Store) -> set[str]:
    return {r.report_id for r in store.records(RecordKind.REPORT)}  # type: ignore[attr-defined]


def test_a_hold_survives_retention_and_expiry_releases_exactly_it(store: Store) -> None:
    held, other = world(store)
    (hold,) = preservation_holds(store.audit_events()).values()
    assert (hold.case_id, hold.until) == (held, datetime(2027, 1, 1, tzinfo=UTC))
    assert "2258A(h)" in hold.basis and "account:vidchat:streamer" in hold.identifiers
    held_signals = {s.id for s in full_case().signals}

    plan = run_retention(store, DAYS_90, now=T0 + timedelta(days=100))
    assert {c.id for c in store.cases()} == {held}
    assert {s.id for s in store.signals()} == held_signals
    assert report_ids(store) == {"r-held", "r-new"}  # r-new is 50 days old; r-held names him
    assert plan.held == {"records": 1, "signals": len(held_signals), "cases": 1}
    batches = [e for e in store.audit_events() if e.action == "retention_delete"]
    assert [(e.target, e.details["deleted"]) for e in batches] == [
        ("records", 1), ("signals", 1), ("cases", 1)]
    assert {e.actor for e in batches} == {"vigil:retention"}

    run_retention(store, DAYS_90, now=datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
    assert {c.id for c in store.cases()} == {held}  # a minute before the year is out

    run_retention(store, DAYS_90, now=datetime(2027, 1, 1, tzinfo=UTC))
    assert store.cases() == [] and store.signals() == [] and report_ids(store) == set()
    assert other not in {c.id for c in store.cases()}


def test_a_dry_run_deletes_nothing_and_says_what_would_go(store: Store) -> None:
    world(store)
    before = (len(store.cases()), len(store.signals()), len(store.audit_events()))
    plan = run_retention(store, DAYS_90, dry_run=True, now=T0 + timedelta(days=100))
    assert plan.counts() == {"records": 1, "signals": 1, "cases": 1}
    assert (len(store.cases()), len(store.signals()), len(store.audit_events())) == before


def test_retention_deletes_exactly_what_is_past_its_period(store: Store) -> None:
    signals = [signal(f"account:vc:s{d}", kind=SignalKind.REPORT, days=d, tag=str(d))
               for d in (0, 9, 10, 11, 30)]
    store.add_signals(signals)
    profile = Jurisdiction("t", "T", "s", {"records": None, "signals": 20, "cases": None})
    run_retention(store, profile, now=T0 + timedelta(days=30))
    # observed + 20 days <= now is past: days 0, 9 and 10 go; 11 and 30 stay.
    assert sorted(s.evidence["tag"] for s in store.signals()) == ["11", "30"]


def test_a_hold_can_be_extended_never_shortened_or_lifted_early(store: Store) -> None:
    held, _ = world(store)
    now = T0 + timedelta(days=10)
    with pytest.raises(HoldRefusedError, match="never shortened"):
        set_hold_until(store, held, datetime(2026, 6, 1, tzinfo=UTC), "C. Admin", "tidy up",
                       now=now)
    with pytest.raises(HoldRefusedError, match="cannot be lifted early"):
        lift_hold(store, held, "C. Admin", "tidy up", now=now)
    denied = [e for e in store.audit_events() if e.outcome == "denied"]
    assert [(e.action, e.actor) for e in denied] == [("extend_hold", "C. Admin"),
                                                     ("lift_hold", "C. Admin")]
    assert preservation_holds(store.audit_events())[held].until == datetime(2027, 1, 1,
                                                                            tzinfo=UTC)
    longer = set_hold_until(store, held, datetime(2028, 1, 1, tzinfo=UTC), "B. Lead",
                            "police asked for more time (18 U.S.C. 2258A(h)(5))", now=now)
    assert longer.until == datetime(2028, 1, 1, tzinfo=UTC)
    run_retention(store, DAYS_90, now=datetime(2027, 6, 1, tzinfo=UTC))
    assert {c.id for c in store.cases()} == {held}
    # A later report on the case never moves the end earlier.
    export_cases(store, store, [held], CyberTipExporter, "A. Analyst",
                 reporter_email="reports@platform.example", now=datetime(2026, 2, 1, tzinfo=UTC))
    assert preservation_holds(store.audit_events())[held].until == datetime(2028, 1, 1,
                                                                            tzinfo=UTC)


def test_one_year_is_a_calendar_year() -> None:
    assert one_year_after(datetime(2028, 2, 29, tzinfo=UTC)) == datetime(2029, 3, 1, tzinfo=UTC)
    assert one_year_after(T0) == datetime(2027, 1, 1, tzinfo=UTC)


def test_a_signal_a_kept_case_names_is_never_deleted(store: Store) -> None:
    """A case's row names its signals by id: a signal past its period stays while a case that
    stays holds it, and goes with its case."""
    old, new = (signal("account:vc:a", "account:vc:b", days=d, tag=str(d)) for d in (0, 95))
    lone = signal("account:vc:z", days=0, tag="lone")
    store.add_signals([old, new, lone])
    case = full_case()
    case = replace(case, signals=(old, new), entities=tuple(sorted({*old.subjects,
                                                                    *new.subjects})))
    store.replace_cases([case])
    plan = run_retention(store, DAYS_90, now=T0 + timedelta(days=100))
    assert (plan.signals, plan.in_cases, plan.cases) == ([lone.id], [old.id], [])
    assert store.case(case.id) == case and [s.id for s in store.cases()[0].signals] == [
        old.id, new.id]
    assert {s.id for s in store.signals()} == {old.id, new.id}
    plan = run_retention(store, DAYS_90, now=T0 + timedelta(days=200))
    assert (plan.cases, sorted(plan.signals)) == ([case.id], sorted([old.id, new.id]))
    assert store.cases() == [] and store.signals() == []
