"""Flood quarantine: a bank entry that suddenly matches far more than usual is paused.

HMA's roadmap asks for flood prevention / quarantine of a hash that suddenly matches a lot
(HMA roadmap; ThreatExchange #1873). :class:`FloodState` counts each entry's matches in time
buckets and raises a :class:`FloodAlert` (a proposed pause) when a window's count is far above the
entry's own history; :mod:`vigil.media.banks.policy` applies it as rule 3. Only a named analyst
resumes a paused entry (:func:`resume_entry`). Deterministic: no wall clock is read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from vigil.store.interfaces import BankStore

EntryKey = tuple[str, str, str]
"""A bank entry as ``(bank, signal_type, hash)``, the key the store keeps it under."""
FLOOD_ACTOR = "vigil:flood-check"
"""Who the store records as having paused an entry for a flood (never a person)."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FloodConfig:
    """When a bank entry's matches count as a flood. All defaults are vigil's choice.

    No published figure sets these; the reasons:

    - ``window`` 1 h, counted in ``bucket`` 5-min steps: short enough that a burst stands out
      against the entry's own history, and the check runs on every match, so the pause lands on
      the match that crosses the line (HMA's target to stop matching a disabled hash is < 10 min,
      HMA ``goals.md``). Memory: at most (history + window) / bucket = 2,028 counters per entry.
    - ``history`` 7 days: one full weekly cycle of traffic as the entry's baseline.
    - ``ratio`` 10: an order of magnitude over the entry's usual matches per window; a steadily
      common hash is not paused by ordinary variation (at 5 an hour, 50 in an hour is far outside
      Poisson noise).
    - ``min_matches`` 20: a floor, so a hash with no history (baseline 0) or a rare one does not
      alert on a handful of matches. At HMA's human-review scale of 1-10 lookups/s (HMA
      goals.md), 20 matches of one known item within an hour is already exceptional; a deployment
      matching far more should raise it.
    """

    window: timedelta = timedelta(hours=1)
    history: timedelta = timedelta(days=7)
    bucket: timedelta = timedelta(minutes=5)
    ratio: float = 10.0
    min_matches: int = 20

    def __post_init__(self) -> None:
        if self.bucket <= timedelta(0) or self.window < self.bucket:
            raise ValueError("flood bucket must be positive and no longer than the window")
        if self.window % self.bucket or self.history % self.bucket:
            raise ValueError("flood window and history must be whole numbers of buckets")
        if self.ratio < 1 or self.min_matches < 1:
            raise ValueError("flood ratio and min_matches must be at least 1")


@dataclass(frozen=True)
class FloodAlert:
    """Bank entry ``hash`` matched ``count`` times in ``window``; its usual was ``baseline``."""

    bank: str
    hash: str
    count: int
    window: timedelta
    baseline: float
    signal_type: str
    at: datetime

    def reason(self) -> str:
        hours = self.window / timedelta(hours=1)
        return (f"flood: {self.count} matches in {hours:g} h against a usual "
                f"{self.baseline:.1f} per {hours:g} h; paused until an analyst reviews it")


class FloodState:
    """Per-entry match counts in time buckets, and the entries it paused for floods.

    Updated in place by :func:`apply_policies`; deterministic given the ``now`` of each call.
    """

    def __init__(self, config: FloodConfig | None = None) -> None:
        self.config = config or FloodConfig()
        self.paused: dict[EntryKey, FloodAlert] = {}
        self._counts: dict[EntryKey, Counter[int]] = {}
        self._accepted: dict[EntryKey, float] = {}
        self._first_bucket: int | None = None
        self._window = self.config.window // self.config.bucket
        self._history = self.config.history // self.config.bucket

    def _bucket(self, now: datetime) -> int:
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"flood check needs a tz-aware time, got {now.isoformat()}")
        return (now - _EPOCH) // self.config.bucket

    def record(self, key: EntryKey, now: datetime) -> FloodAlert | None:
        """Count one match of ``key`` at ``now``; an alert (and a pause) if that makes a flood."""
        bucket = self._bucket(now)
        first = self._first_bucket
        self._first_bucket = bucket if first is None else min(first, bucket)
        counts = self._counts.setdefault(key, Counter())
        counts[bucket] += 1
        for old in [b for b in counts if b <= bucket - self._window - self._history]:
            del counts[old]
        count, baseline = self.window_count(key, now), self.baseline(key, now)
        usual = max(baseline, self._accepted.get(key, 0.0))
        if count < self.config.min_matches or count < self.config.ratio * usual:
            return None
        alert = FloodAlert(key[0], key[2], count, self.config.window, round(baseline, 3), key[1],
                           now)
        self.paused[key] = alert
        return alert

    def window_count(self, key: EntryKey, now: datetime) -> int:
        """Matches of ``key`` in the window ending at ``now`` (rounded to whole buckets)."""
        end = self._bucket(now)
        counts = self._counts.get(key, Counter())
        return sum(n for b, n in counts.items() if end - self._window < b <= end)

    def baseline(self, key: EntryKey, now: datetime) -> float:
        """Usual matches per window before the current one; 0 with under a window of history."""
        end = self._bucket(now) - self._window
        seen = 0 if self._first_bucket is None else end - self._first_bucket + 1
        observed = min(self._history, seen)
        if observed < self._window:
            return 0.0
        counts = self._counts.get(key, Counter())
        before = sum(n for b, n in counts.items() if end - observed < b <= end)
        return before * self._window / observed

    def release(self, key: EntryKey, now: datetime) -> None:
        """An analyst resumed ``key``: its current rate becomes the accepted one.

        Only a further ``ratio``-fold surge over that rate alerts again, so a hash an analyst
        found to be benign but popular is not paused again every hour.
        """
        self.paused.pop(key, None)
        self._accepted[key] = float(self.window_count(key, now))


def pause_flooded_entries(banks: BankStore, alerts: Sequence[FloodAlert]) -> None:
    """Store each alert's pause, so that it outlives the process; the caller writes the audit."""
    for alert in alerts:
        banks.set_bank_entry_enabled(alert.bank, alert.signal_type, alert.hash, False,
                                     reason=alert.reason(), actor=FLOOD_ACTOR)


def resume_entry(banks: BankStore, flood: FloodState | None, key: EntryKey, *, analyst: str,
                 reason: str, now: datetime) -> None:
    """A named analyst resumes a paused entry; its current rate becomes the accepted one.

    Only a person may resume: the flood check never resumes what it paused. The caller writes
    the audit event (who, which hash, why).
    """
    if not analyst.strip() or analyst == FLOOD_ACTOR:
        raise ValueError("resuming a paused hash needs the name of the analyst who reviewed it")
    if not reason.strip():
        raise ValueError("say why the hash is resumed; the reason is kept with the bank entry")
    bank, signal_type, digest = key
    banks.set_bank_entry_enabled(bank, signal_type, digest, True, reason=reason, actor=analyst)
    if flood is not None:
        flood.release(key, now)
