"""What happens to bank matches before they become findings: pauses, negative banks, floods.

HMA adopters' top complaints are false positives from exchange lists and "overzealous" matches;
HMA's roadmap asks for negative banks and for flood prevention / quarantine of a hash that
suddenly matches a lot (HMA roadmap; ThreatExchange #1873). :func:`apply_policies` does all three
for the matches of one piece of content, in this order:

1. **Paused.** A match whose bank or entry is paused (``enabled`` False: by an analyst, or by
   the flood check below) is suppressed, whatever its kind.
2. **Known false positives.** A positive match is suppressed when the same content also matches
   an entry of a negative bank (within that bank's own threshold) at the *same or a smaller*
   distance: the content is at least as close to something known to be harmless as to the known
   material. A positive match strictly nearer than every negative match is kept: a near-exact hit
   on known material outranks a looser resemblance to a false positive. Equal distance suppresses,
   so a hash listed in both a positive and a negative bank raises nothing; pytx likewise
   aggregates a positive and a negative opinion on one signal to ``DISPUTED``, not
   ``POSITIVE_CLASS`` (pytx ``exchanges/fetch_state.py``). Exact types (MD5, SHA-256) match at
   distance 0, so a known-false-positive file suppresses every positive match of that file, and
   no PDQ resemblance to a false positive can suppress an exact hit. Pass *all* the matches of one
   piece of content (its PDQ and MD5 matches together); negative matches are never findings.
3. **Floods.** Each remaining positive match counts against its bank entry in a
   :class:`FloodState`; an entry that suddenly matches far more than usual raises a
   :class:`FloodAlert`, is paused at once (this match and every later one suppressed), and stays
   paused until a named analyst resumes it (:func:`resume_entry`). Suppressed matches are returned
   with their reasons, never dropped: a real surge of known material reaches an analyst through
   the alert instead of silently disappearing.

Everything here is deterministic: no wall clock is read; the caller passes ``now`` (for a batch,
each observation's own time, in order).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from vigil.media.matching import Match
from vigil.store.interfaces import BankInfo, BankKind, BankStore

__all__ = [
    "FLOOD_ACTOR", "EntryKey", "FloodAlert", "FloodConfig", "FloodState", "PolicyOutcome",
    "Suppressed", "apply_policies", "entry_key", "pause_flooded_entries", "resume_entry",
    "suppress_known_false_positives",
]


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


@dataclass(frozen=True)
class Suppressed:
    """A match held back, the rule that held it (``paused``, ``negative_bank``, ``flood``), why."""

    match: Match
    rule: str
    reason: str


class PolicyOutcome(NamedTuple):
    kept: list[Match]
    suppressed: list[Suppressed]
    alerts: list[FloodAlert]


def entry_key(match: Match) -> EntryKey:
    return (match.entry.bank, match.entry.signal_type, match.entry.hash)


def _kind(match: Match, banks: Mapping[str, BankInfo]) -> BankKind:
    """A bank stored without its info is positive, as BankMatcher gives it the default threshold."""
    info = banks.get(match.entry.bank)
    return info.kind if info is not None else BankKind.POSITIVE


def _pause_reason(match: Match, banks: Mapping[str, BankInfo], flood: FloodState | None) -> str:
    """Why the match's bank or entry is paused, or "" if it is in force."""
    entry, info = match.entry, banks.get(match.entry.bank)
    if info is not None and not info.enabled:
        return f"bank {entry.bank} is paused ({info.state_reason or 'no reason given'})"
    if not entry.enabled:
        why = entry.state_reason or "no reason given"
        return f"hash {entry.hash} of bank {entry.bank} is paused ({why})"
    alert = flood.paused.get(entry_key(match)) if flood is not None else None
    return f"hash {entry.hash} of bank {entry.bank} is paused ({alert.reason()})" if alert else ""


def suppress_known_false_positives(
    matches: Sequence[Match], banks: Mapping[str, BankInfo]
) -> tuple[list[Match], list[Suppressed]]:
    """Positive matches kept and suppressed by negative matches (rule 2 of the module doc)."""
    negatives = [m for m in matches if _kind(m, banks) is BankKind.NEGATIVE]
    positives = [m for m in matches if _kind(m, banks) is not BankKind.NEGATIVE]
    if not negatives:
        return positives, []
    nearest = min(negatives, key=lambda m: (m.distance, m.entry.bank, m.entry.hash))
    kept = [m for m in positives if m.distance < nearest.distance]
    reason = (f"known false positive: the content is {nearest.distance} bits from hash "
              f"{nearest.entry.hash} of negative bank {nearest.entry.bank}")
    held = [Suppressed(m, "negative_bank", f"{reason}, no farther than this match "
                                           f"({m.distance} bits)")
            for m in positives if m.distance >= nearest.distance]
    return kept, held


def apply_policies(
    matches: Sequence[Match],
    banks: Mapping[str, BankInfo],
    flood: FloodState | None,
    now: datetime,
) -> PolicyOutcome:
    """The matches of one piece of content observed at ``now``, after rules 1-3 (module doc).

    ``banks`` maps bank names to their info (``{b.name: b for b in store.banks()}``); ``flood``
    is updated in place (``None`` skips the flood check). Persist the alerts' pauses with
    :func:`pause_flooded_entries`.
    """
    active: list[Match] = []
    suppressed: list[Suppressed] = []
    for match in matches:
        reason = _pause_reason(match, banks, flood)
        if reason:
            suppressed.append(Suppressed(match, "paused", reason))
        else:
            active.append(match)
    positives, held = suppress_known_false_positives(active, banks)
    suppressed += held
    if flood is None:
        return PolicyOutcome(positives, suppressed, [])
    kept: list[Match] = []
    alerts: list[FloodAlert] = []
    for match in positives:
        alert = flood.record(entry_key(match), now)
        if alert is None:
            kept.append(match)
        else:
            alerts.append(alert)
            suppressed.append(Suppressed(match, "flood", alert.reason()))
    return PolicyOutcome(kept, suppressed, alerts)


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
