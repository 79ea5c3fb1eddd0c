"""How a judged bank match is shown: the entity it links by, its score, evidence and sentence.

Shared by every detector that reports bank matches (media observations, panic-report frames), so
that a match reads the same wherever it was found.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from vigil.identifiers import EntityKind
from vigil.media.index.base import Match, match_score
from vigil.model import EntityRef, JSONValue
from vigil.signal_types import signal_type


class Thresholds(Protocol):
    """Where a bank's PDQ threshold is looked up (a :class:`~.lookup.MediaLookup` is one)."""

    def threshold(self, bank: str) -> int: ...


def media_ref(match: Match) -> EntityRef:
    """The matched bank hash as an entity, e.g. ``media:pdq:<64 hex>``: it links every sighting."""
    return EntityRef.of(EntityKind.MEDIA, f"{match.entry.signal_type}:{match.entry.hash}")


def match_threshold(match: Match, thresholds: Thresholds) -> int:
    """The distance the match was allowed: its bank's threshold for PDQ, 0 for exact hashes."""
    if signal_type(match.entry.signal_type).is_similarity():
        return thresholds.threshold(match.entry.bank)
    return 0


def match_evidence(match: Match, thresholds: Thresholds) -> dict[str, JSONValue]:
    entry = match.entry
    return {"bank": entry.bank, "label": entry.label, "hash": entry.hash,
            "signal_type": entry.signal_type, "distance": match.distance,
            "threshold": match_threshold(match, thresholds), "bank_source": entry.source}


def best_match(matches: Sequence[Match], thresholds: Thresholds) -> tuple[Match, float]:
    """The highest-scoring match and its score (ties: the first, as the index sorted them)."""
    scored = [(match_score(m.distance, match_threshold(m, thresholds)), i) for i, m in
              enumerate(matches)]
    score, position = max(scored, key=lambda pair: (pair[0], -pair[1]))
    return matches[position], score


def describe_match(match: Match, thresholds: Thresholds, what: str) -> str:
    """One sentence an analyst reads, e.g. "PDQ hash of X is 6 bits from a hash in bank ..."."""
    entry = match.entry
    label = f" (label '{entry.label}')" if entry.label else ""
    kind = signal_type(entry.signal_type)
    if kind.is_similarity():
        return (f"{kind.label} hash of {what} is {match.distance} bits from a hash in bank "
                f"'{entry.bank}'{label}, threshold {match_threshold(match, thresholds)}.")
    return f"{kind.label} of {what} equals a hash in bank '{entry.bank}'{label}."
