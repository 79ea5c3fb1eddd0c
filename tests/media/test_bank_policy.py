"""Bank match policies: pauses, negative-bank suppression and flood quarantine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vigil.media.banks.flood import (
    FLOOD_ACTOR,
    FloodConfig,
    FloodState,
    pause_flooded_entries,
    resume_entry,
)
from vigil.media.banks.policy import apply_policies, entry_key, suppress_known_false_positives
from vigil.media.banks.records import BankEntry, BankInfo, BankKind
from vigil.media.index.base import Match
from vigil.store.memory import MemoryStore

T0 = datetime(2024, 6, 3, 0, 0, tzinfo=UTC)
BANKS = {"known": BankInfo("known"), "also": BankInfo("also"),
         "fp": BankInfo("fp", kind=BankKind.NEGATIVE),
         "fp-md5": BankInfo("fp-md5", "md5", 0, kind=BankKind.NEGATIVE)}


def _match(bank: str, distance: int, signal_type: str = "pdq", tag: str = "") -> Match:
    width = 64 if signal_type == "pdq" else 32
    digest = (f"{bank}{distance}{tag}".encode().hex() * width)[:width]
    return Match(BankEntry(bank, digest, signal_type), distance)


@pytest.mark.parametrize(("matches", "kept", "held"), [
    ([_match("known", 5), _match("known", 12), _match("also", 20), _match("fp", 12)],
     [_match("known", 5)], [_match("known", 12), _match("also", 20)]),
    ([_match("known", 3), _match("known", 0, "md5"), _match("fp-md5", 0, "md5")],
     [], [_match("known", 3), _match("known", 0, "md5")]),
    ([_match("known", 0, "md5"), _match("known", 9), _match("fp", 4)],
     [_match("known", 0, "md5")], [_match("known", 9)]),
    ([_match("known", 7), _match("unlisted-bank", 30)],
     [_match("known", 7), _match("unlisted-bank", 30)], []),
    ([_match("fp", 2), _match("fp", 9)], [], []),
])
def test_negative_match_suppresses_positives_at_the_same_or_larger_distance(
        matches: list[Match], kept: list[Match], held: list[Match]) -> None:
    kept_now, suppressed = suppress_known_false_positives(matches, BANKS)
    assert kept_now == kept
    assert [s.match for s in suppressed] == held
    assert all(s.rule == "negative_bank" and "known false positive" in s.reason
               for s in suppressed)


def test_a_hash_listed_as_known_and_as_false_positive_raises_nothing() -> None:
    entry = _match("known", 6).entry
    both = [Match(entry, 6), Match(BankEntry("fp", entry.hash, "pdq"), 6)]
    outcome = apply_policies(both, BANKS, None, T0)
    assert outcome.kept == [] and [s.match for s in outcome.suppressed] == both[:1]
    assert f"6 bits from hash {entry.hash} of negative bank fp" in outcome.suppressed[0].reason


def test_paused_banks_and_entries_are_suppressed_and_a_paused_negative_bank_suppresses_nothing(
) -> None:
    banks = {**BANKS, "fp": BankInfo("fp", kind=BankKind.NEGATIVE, enabled=False,
                                     state_reason="list under review", state_by="ana"),
             "also": BankInfo("also", enabled=False, state_reason="partner withdrew it")}
    paused_entry = BankEntry("known", "ab" * 32, "pdq", enabled=False, state_reason="flood")
    matches = [_match("known", 9), _match("also", 1), _match("fp", 2), Match(paused_entry, 0)]
    outcome = apply_policies(matches, banks, FloodState(), T0)
    assert outcome.kept == [_match("known", 9)]
    assert [(s.match, s.rule) for s in outcome.suppressed] == [
        (matches[1], "paused"), (matches[2], "paused"), (matches[3], "paused")]
    assert "bank also is paused (partner withdrew it)" in outcome.suppressed[0].reason
    assert f"hash {'ab' * 32} of bank known is paused (flood)" in outcome.suppressed[2].reason


def _run(state: FloodState, match: Match, times: list[datetime]) -> list[tuple[int, str]]:
    """(index, rule) of every suppressed call; alerts come back through state.paused."""
    out = []
    for i, now in enumerate(times):
        outcome = apply_policies([match], BANKS, state, now)
        assert len(outcome.kept) + len(outcome.suppressed) == 1
        out += [(i, s.rule) for s in outcome.suppressed]
    return out


def _every(start: datetime, step: timedelta, count: int) -> list[datetime]:
    return [start + step * i for i in range(count)]


def test_a_burst_far_above_a_hashs_own_baseline_pauses_it() -> None:
    state, match = FloodState(), _match("known", 4)
    steady = _every(T0, timedelta(minutes=20), 3 * 24 * 8)  # 3 an hour for 8 days
    assert _run(state, match, steady) == []
    burst_start = steady[-1] + timedelta(minutes=1)
    burst = _every(burst_start, timedelta(seconds=10), 40)
    suppressed = _run(state, match, burst)
    alert = state.paused[entry_key(match)]
    threshold = FloodConfig().ratio * alert.baseline
    assert alert.baseline == pytest.approx(3.0, abs=0.1)
    assert alert.count == pytest.approx(threshold, abs=1.0)
    first = next(i for i, _ in suppressed)
    assert suppressed == [(first, "flood")] + [(i, "paused") for i in range(first + 1, 40)]
    assert (alert.bank, alert.hash, alert.signal_type, alert.window) == (
        "known", match.entry.hash, "pdq", timedelta(hours=1))
    assert "flood: " in alert.reason() and "per 1 h" in alert.reason()


@pytest.mark.parametrize(("per_hour", "hours", "alerts"), [
    (15, 3, False),   # under the floor, hour after hour
    (20, 1, True),    # a new hash at the floor
    (4, 48, False),   # steady and common
])
def test_flood_floor_and_steady_rates(per_hour: int, hours: int, alerts: bool) -> None:
    state, match = FloodState(), _match("known", 1)
    step = timedelta(hours=1) / per_hour
    _run(state, match, _every(T0, step, per_hour * hours))
    assert (entry_key(match) in state.paused) is alerts


def test_a_flood_on_one_hash_leaves_the_others_alone() -> None:
    state, loud, quiet = FloodState(), _match("known", 2), _match("also", 2)
    _run(state, loud, _every(T0, timedelta(seconds=5), 25))
    outcome = apply_policies([quiet, loud], BANKS, state, T0 + timedelta(minutes=3))
    assert outcome.kept == [quiet] and outcome.suppressed[0].rule == "paused"


def test_flood_check_is_deterministic_given_the_times() -> None:
    times = _every(T0, timedelta(seconds=30), 60)
    runs = []
    for _ in range(2):
        state = FloodState()
        alerts = [a for t in times for a in apply_policies([_match("known", 3)], BANKS, state,
                                                           t).alerts]
        runs.append(alerts)
    assert runs[0] == runs[1] and len(runs[0]) == 1
    assert runs[0][0].at == times[19] and runs[0][0].count == 20


def test_pause_is_stored_and_only_a_named_analyst_resumes_it() -> None:
    store, state, match = MemoryStore(), FloodState(), _match("known", 0)
    store.add_bank(BANKS["known"])
    store.add_bank_entries([match.entry])
    times = _every(T0, timedelta(seconds=30), 20)
    alerts = [a for t in times for a in apply_policies([match], BANKS, state, t).alerts]
    pause_flooded_entries(store, alerts)
    (stored,) = store.bank_entries()
    assert (stored.enabled, stored.state_by) == (False, FLOOD_ACTOR)
    assert stored.state_reason == alerts[0].reason()
    key, later = entry_key(match), times[-1] + timedelta(minutes=1)
    for analyst, reason in [("", "ok"), (FLOOD_ACTOR, "ok"), ("ana", " ")]:
        with pytest.raises(ValueError):
            resume_entry(store, state, key, analyst=analyst, reason=reason, now=later)
    resume_entry(store, state, key, analyst="ana@ngo", reason="benign meme", now=later)
    (resumed,) = store.bank_entries()
    assert (resumed.enabled, resumed.state_by, resumed.state_reason) == (True, "ana@ngo",
                                                                         "benign meme")
    assert _run(state, match, _every(later, timedelta(seconds=30), 20)) == []
    surge = _every(later + timedelta(minutes=11), timedelta(seconds=1), 400)
    assert _run(state, match, surge)[0][1] == "flood"  # ten times the accepted rate


def test_flood_state_refuses_naive_times_and_bad_configs() -> None:
    with pytest.raises(ValueError, match="tz-aware"):
        FloodState().record(("b", "pdq", "0" * 64), datetime(2024, 1, 1))
    for bad in [dict(bucket=timedelta(0)), dict(window=timedelta(minutes=7)),
                dict(bucket=timedelta(hours=2)), dict(ratio=0.5), dict(min_matches=0)]:
        with pytest.raises(ValueError):
            FloodConfig(**bad)  # type: ignore[arg-type]
