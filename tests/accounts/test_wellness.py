"""Reveals are authorised, counted per reviewer per UTC day, audited, and prompt a break past
the cap."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import FakeClock
from vigil.accounts.model import Account, Role
from vigil.accounts.policy import Target
from vigil.accounts.store import account_store
from vigil.accounts.wellness import RevealRefused, reveal_message
from vigil.store.interfaces import Store

ASSIGNED = Target("ngo-1", case_id="case-1", assignee="rev")


def _reviewer(clock: FakeClock) -> Account:
    return Account("rev", Role.REVIEWER, "ngo-1", "hash", "secret", created_at=clock.now)


def test_past_the_cap_a_break_is_prompted_and_every_reveal_audited(
        store: Store, clock: FakeClock) -> None:
    accounts, reviewer = account_store(store), _reviewer(clock)
    results = [reveal_message(accounts, store, reviewer, ASSIGNED, f"msg-{n}", "checking age",
                              cap=3, clock=clock) for n in range(4)]
    assert [r.count for r in results] == [1, 2, 3, 4]
    assert [r.take_a_break for r in results] == [False, False, False, True]
    events = [e for e in store.audit_events() if e.action == "message.reveal"]
    assert [e.target for e in events] == ["msg-0", "msg-1", "msg-2", "msg-3"]
    assert {(e.actor, e.role, e.case_id, e.justification, e.outcome) for e in events} == {
        ("rev", "reviewer", "case-1", "checking age", "success")}
    assert events[-1].details["over_cap"] is True


def test_the_count_starts_again_on_the_next_utc_day(store: Store, clock: FakeClock) -> None:
    accounts, reviewer = account_store(store), _reviewer(clock)
    reveal_message(accounts, store, reviewer, ASSIGNED, "m1", "why", cap=1, clock=clock)
    clock.advance(hours=15)  # 09:00 + 15 h: the next day
    again = reveal_message(accounts, store, reviewer, ASSIGNED, "m2", "why", cap=1, clock=clock)
    assert (again.count, again.take_a_break) == (1, False)


@pytest.mark.parametrize(("target", "justification", "reason"), [
    (Target("ngo-1", case_id="case-2", assignee="other"), "why", "not allowed"),
    (Target("ngo-2", case_id="case-1", assignee="rev"), "why", "not allowed"),
    (ASSIGNED, "  ", "no justification"),
])
def test_refused_reveals_are_audited_as_denied_and_not_counted(
        store: Store, clock: FakeClock, target: Target, justification: str, reason: str) -> None:
    accounts, reviewer = account_store(store), _reviewer(clock)
    with pytest.raises(RevealRefused, match=reason):
        reveal_message(accounts, store, reviewer, target, "m1", justification, cap=5,
                       clock=clock)
    denied = store.audit_events()[-1]
    assert (denied.action, denied.outcome) == ("message.reveal", "denied")
    ok = reveal_message(accounts, store, reviewer, ASSIGNED, "m2", "why", cap=5, clock=clock)
    assert ok.count == 1
