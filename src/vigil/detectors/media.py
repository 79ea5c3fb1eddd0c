"""Media observations whose PDQ or MD5 hash matches a bank of known material.

One signal per matching observation, carrying every bank hash it matched: a signal is one finding
("this frame is known material"), and triage counts signals, so a frame that matches several
near-identical entries (the same item hashed from several encodes, or listed by two banks) must
not count several times. Every matched bank hash is still a subject, so linking loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import UTC
from typing import ClassVar, Self

from vigil.identifiers import EntityKind
from vigil.media.bank_policy import FloodConfig, FloodState, pause_flooded_entries
from vigil.media.hashing import PDQ_QUALITY_THRESHOLD
from vigil.media.matching import BankMatcher, Match, match_score
from vigil.media.query import (
    IDENTITY,
    QueryOutcome,
    VariantMatch,
    match_variants,
    pdq_hash_variants,
    police,
)
from vigil.model import EntityRef, JSONValue, Signal, SignalKind
from vigil.plugin import DetectionContext, Detector
from vigil.records import MediaObservation, Record, RecordKind, identifiers_of
from vigil.settings import Settings

log = logging.getLogger(__name__)


def media_ref(match: Match) -> EntityRef:
    """The matched bank hash as an entity, e.g. ``media:pdq:<64 hex>``: it links every sighting."""
    return EntityRef.of(EntityKind.MEDIA, f"{match.entry.signal_type}:{match.entry.hash}")


def match_threshold(match: Match, matcher: BankMatcher) -> int:
    """The distance the match was allowed: its bank's threshold for PDQ, 0 for exact hashes."""
    return matcher.threshold(match.entry.bank) if match.entry.signal_type == "pdq" else 0


def match_evidence(match: Match, matcher: BankMatcher) -> dict[str, JSONValue]:
    entry = match.entry
    return {"bank": entry.bank, "label": entry.label, "hash": entry.hash,
            "signal_type": entry.signal_type, "distance": match.distance,
            "threshold": match_threshold(match, matcher), "bank_source": entry.source}


def best_match(matches: Sequence[Match], matcher: BankMatcher) -> tuple[Match, float]:
    """The highest-scoring match and its score (ties: the first, as the index sorted them)."""
    scored = [(match_score(m.distance, match_threshold(m, matcher)), i) for i, m in
              enumerate(matches)]
    score, position = max(scored, key=lambda pair: (pair[0], -pair[1]))
    return matches[position], score


def describe_match(match: Match, matcher: BankMatcher, what: str) -> str:
    """One sentence an analyst reads, e.g. "PDQ hash of X is 6 bits from a hash in bank ..."."""
    entry = match.entry
    label = f" (label '{entry.label}')" if entry.label else ""
    if entry.signal_type == "pdq":
        return (f"PDQ hash of {what} is {match.distance} bits from a hash in bank "
                f"'{entry.bank}'{label}, threshold {match_threshold(match, matcher)}.")
    return f"{entry.signal_type.upper()} of {what} equals a hash in bank '{entry.bank}'{label}."


def _observations(records: Sequence[Record]) -> Iterator[MediaObservation]:
    for record in records:
        if not isinstance(record, MediaObservation):
            raise TypeError(f"media.hash_match takes media observations, got {type(record)}")
        yield record


def observation_matches(observation: MediaObservation, matcher: BankMatcher,
                        dihedral: bool = True) -> list[VariantMatch]:
    """PDQ matches (with dihedral variants) unless the hasher reported quality < 50, plus MD5.

    A PDQ hash without a reported quality is matched: banks and some clients send bare hashes,
    and the threshold still bounds the distance (the evidence records the missing quality).
    """
    found: list[VariantMatch] = []
    if observation.pdq is not None and not _low_quality(observation):
        found += match_variants(matcher, "pdq", pdq_hash_variants(observation.pdq, dihedral))
    if observation.md5 is not None:
        found += match_variants(matcher, "md5", [(IDENTITY, observation.md5)])
    return found


def _low_quality(observation: MediaObservation) -> bool:
    # pdq/README.md: quality <= 49 is unreliable; pytx QUALITY_THRESHOLD = 50.
    return observation.quality is not None and observation.quality < PDQ_QUALITY_THRESHOLD


def _what(observation: MediaObservation) -> str:
    if observation.stream_id is not None:
        at = f" at {observation.frame_time_s:g} s" if observation.frame_time_s is not None else ""
        return f"a frame of stream '{observation.stream_id}'{at}"
    return f"media '{observation.observation_id}'"


class MediaHashDetector(Detector):
    """Matches every media observation against every bank in the store.

    Observations are taken in time order so that flood quarantine sees matches as they happened;
    an entry it pauses is stored as paused (``BankStore.set_bank_entry_enabled``) and logged.
    """

    name: ClassVar[str] = "media.hash_match"
    version: ClassVar[str] = "2"
    description: ClassVar[str] = ("PDQ (8 dihedral variants, distance <= bank threshold) and MD5 "
                                  "matches, after negative banks and flood quarantine")
    consumes: ClassVar[RecordKind] = RecordKind.MEDIA

    def __init__(self, pdq_index: str = "brute", dihedral: bool = True,
                 flood: FloodConfig | None = None) -> None:
        self.pdq_index = pdq_index
        self.dihedral = dihedral
        self.flood = flood or FloodConfig()

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(pdq_index=settings.media_index)

    def detect(self, records: Sequence[Record], context: DetectionContext) -> Iterator[Signal]:
        matcher = BankMatcher.from_store(context.banks, self.pdq_index)
        if len(matcher) == 0:
            return
        banks = {bank.name: bank for bank in context.banks.banks()}
        flood = FloodState(self.flood)
        ordered = sorted(_observations(records), key=lambda o: (o.observed_at, o.observation_id))
        for observation in ordered:
            found = observation_matches(observation, matcher, self.dihedral)
            outcome = police(found, banks, flood, observation.observed_at)
            if outcome.alerts:
                pause_flooded_entries(context.banks, outcome.alerts)
                for alert in outcome.alerts:
                    log.warning("flood quarantine: %s", alert.reason())
            if outcome.kept:
                yield self._signal(observation, outcome, matcher)

    def _signal(self, observation: MediaObservation, outcome: QueryOutcome,
                matcher: BankMatcher) -> Signal:
        matches = [v.match for v in outcome.kept]
        best, score = best_match(matches, matcher)
        variant = next(v.variant for v in outcome.kept if v.match is best)
        account = EntityRef(EntityKind.ACCOUNT, observation.account)
        evidence: dict[str, JSONValue] = {
            "roles": {str(account): "suspect"},
            "observation_id": observation.observation_id,
            **match_evidence(best, matcher),
            "variant": variant,
            "matches": [{**match_evidence(v.match, matcher), "variant": v.variant}
                        for v in outcome.kept],
            "suppressed": [{"bank": s.match.entry.bank, "hash": s.match.entry.hash,
                            "rule": s.rule, "reason": s.reason} for s in outcome.suppressed],
            "pdq_quality": observation.quality,
            "pdq_skipped_low_quality": observation.pdq is not None and _low_quality(observation),
        }
        if observation.stream_id is not None:
            evidence["stream_id"] = observation.stream_id
        if observation.frame_time_s is not None:
            evidence["frame_time_s"] = observation.frame_time_s
        explanation = describe_match(best, matcher, _what(observation))
        if variant != IDENTITY:
            explanation += f" Matched as its {variant} variant (rotated or flipped)."
        if len(matches) > 1:
            explanation += f" {len(matches) - 1} more bank hash(es) matched as well."
        return Signal(
            source=self.name, kind=SignalKind.MEDIA,
            subjects=(*identifiers_of(observation), *(media_ref(m) for m in matches)),
            score=score, observed_at=observation.observed_at.astimezone(UTC),
            evidence=evidence, explanation=explanation, detector_version=self.version,
        )
