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
   :class:`~vigil.media.banks.flood.FloodState`; an entry that suddenly matches far more than
   usual raises a :class:`~vigil.media.banks.flood.FloodAlert`, is paused at once (this match and
   every later one suppressed), and stays paused until a named analyst resumes it
   (:func:`~vigil.media.banks.flood.resume_entry`). Suppressed matches are returned with their
   reasons, never dropped: a real surge of known material reaches an analyst through the alert
   instead of silently disappearing.

Everything here is deterministic: no wall clock is read; the caller passes ``now`` (for a batch,
each observation's own time, in order).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from vigil.media.banks.flood import EntryKey, FloodAlert, FloodState
from vigil.media.banks.records import BankInfo, BankKind
from vigil.media.index.base import Match

__all__ = [
    "PolicyOutcome", "Suppressed", "apply_policies", "entry_key", "suppress_known_false_positives",
]


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
    :func:`vigil.media.banks.lookup.store_flood_pauses`.
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
