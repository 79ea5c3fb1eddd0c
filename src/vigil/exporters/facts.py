"""Facts a filing states about a case, read from its signals' evidence: live streaming,
sextortion, a stated minor, and which IP addresses and devices were seen with which account."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from vigil.identifiers import EntityKind
from vigil.model import Case, EntityRef, Signal, SignalKind


def is_live(signal: Signal) -> bool:
    """A media signal about a frame of a live stream (the monitor's, or an imported frame)."""
    return signal.kind is SignalKind.MEDIA and bool(signal.evidence.get("stream_id"))


def live_media(case: Case) -> set[EntityRef]:
    """Bank hashes of ``case`` matched on a live stream's frame."""
    return {e for s in case.signals if is_live(s) for e in s.subjects if e.kind is EntityKind.MEDIA}


def conversation_categories(case: Case) -> set[str]:
    found: set[str] = set()
    for signal in case.signals:
        categories = signal.evidence.get("categories")
        if signal.kind is SignalKind.CONVERSATION and isinstance(categories, dict):
            found.update(str(c) for c in categories)
    return found


def has_sextortion(case: Case) -> bool:
    """A chat threat to share images (the lexicon's ``threat_to_share`` category)."""
    return "threat_to_share" in conversation_categories(case)


def has_stated_minor(case: Case) -> bool:
    """A chat participant in the ``victim`` role: a stated minor who received indicators."""
    return any(s.kind is SignalKind.CONVERSATION and "victim" in
               {str(r) for r in dict(s.evidence.get("roles", {})).values()} for s in case.signals)


def has_panic_report(case: Case) -> bool:
    return any(s.kind is SignalKind.REPORT for s in case.signals)


def seen_with(case: Case, account: EntityRef, kind: EntityKind) -> Iterator[tuple[EntityRef,
                                                                                  Signal]]:
    """``(identifier of kind, signal)`` for each signal naming both ``account`` and the identifier:
    an IP or device with the time it was seen with the account."""
    for signal in sorted(case.signals, key=lambda s: (s.observed_at, s.id)):
        if account in signal.subjects:
            yield from ((e, signal) for e in signal.subjects if e.kind is kind)


def first_seen(case: Case) -> datetime | None:
    return min((s.observed_at for s in case.signals), default=None)
