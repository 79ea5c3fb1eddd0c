"""Media observations whose PDQ or MD5 hash matches a bank of known material.

One signal per matching observation, carrying every bank hash it matched: a signal is one finding
("this frame is known material"), and triage counts signals, so a frame that matches several
near-identical entries (the same item hashed from several encodes, or listed by two banks) must
not count several times. Every matched bank hash is still a subject, so linking loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import ClassVar, Self

from vigil.identifiers import EntityKind
from vigil.media.banks.evidence import best_match, describe_match, match_evidence, media_ref
from vigil.media.banks.flood import FloodConfig
from vigil.media.banks.lookup import MediaLookup
from vigil.media.banks.query import IDENTITY, QueryOutcome, pdq_hash_variants
from vigil.media.hashing.pdq import PDQ_QUALITY_THRESHOLD
from vigil.model import EntityRef, JSONValue, Signal, SignalKind
from vigil.plugin import DetectionContext, Detector, IndexPlugin, PluginTables
from vigil.records import MediaObservation, Record, RecordKind, identifiers_of
from vigil.settings import Settings


def _observations(records: Iterable[Record]) -> Iterator[MediaObservation]:
    for record in records:
        if not isinstance(record, MediaObservation):
            raise TypeError(f"media.hash_match takes media observations, got {type(record)}")
        yield record


def judge_observation(observation: MediaObservation, lookup: MediaLookup,
                      dihedral: bool = True) -> QueryOutcome:
    """PDQ (with dihedral variants) unless the hasher reported quality < 50, plus MD5, judged.

    A PDQ hash without a reported quality is matched: banks and some clients send bare hashes,
    and the threshold still bounds the distance (the evidence records the missing quality).
    """
    return lookup.judge(_variants(observation, dihedral), observation.md5,
                        now=observation.observed_at)


def _variants(observation: MediaObservation, dihedral: bool) -> list[tuple[str, str]]:
    if observation.pdq is None or _low_quality(observation):
        return []
    return pdq_hash_variants(observation.pdq, dihedral)


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

    Observations with a match are taken in time order so that flood quarantine sees matches as
    they happened; an entry that floods is suppressed from then on, and the pause is proposed to
    the pipeline (through the run's :class:`~vigil.media.banks.lookup.MediaLookup`), which
    stores and audits it.
    """

    name: ClassVar[str] = "media.hash_match"
    version: ClassVar[str] = "2"
    description: ClassVar[str] = ("PDQ (8 dihedral variants, distance <= bank threshold) and MD5 "
                                  "matches, after negative banks and flood quarantine")
    consumes: ClassVar[RecordKind] = RecordKind.MEDIA
    emits: ClassVar[SignalKind] = SignalKind.MEDIA

    def __init__(self, pdq_index: str | IndexPlugin = "brute", dihedral: bool = True,
                 flood: FloodConfig | None = None) -> None:
        self.pdq_index = pdq_index
        self.dihedral = dihedral
        self.flood = flood or FloodConfig()

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(pdq_index=settings.media_index)

    @classmethod
    def from_registry(cls, settings: Settings, registry: PluginTables) -> Self:
        """The index ``VIGIL_MEDIA_INDEX`` names, as registered (a third-party one included)."""
        return cls(pdq_index=registry.index(settings.media_index))

    def detect(self, records: Iterable[Record], context: DetectionContext) -> Iterator[Signal]:
        """One pass over ``records`` keeps the observations with any raw bank match (the rest
        would be judged to nothing, and judging them touches no state); only those are put in
        time order and judged, so memory follows the matches, not the observations."""
        lookup = context.media_lookup(self.pdq_index, self.flood)
        if len(lookup) == 0:
            return
        candidates = [o for o in _observations(records)
                      if lookup.candidates(_variants(o, self.dihedral), o.md5)]
        ordered = sorted(candidates, key=lambda o: (o.observed_at, o.observation_id))
        for observation in ordered:
            outcome = judge_observation(observation, lookup, self.dihedral)
            if outcome.kept:
                yield self._signal(observation, outcome, lookup)

    def _signal(self, observation: MediaObservation, outcome: QueryOutcome,
                lookup: MediaLookup) -> Signal:
        matches = [v.match for v in outcome.kept]
        best, score = best_match(matches, lookup)
        variant = next(v.variant for v in outcome.kept if v.match is best)
        account = EntityRef(EntityKind.ACCOUNT, observation.account)
        evidence: dict[str, JSONValue] = {
            "roles": {str(account): "suspect"},
            "observation_id": observation.observation_id,
            **match_evidence(best, lookup),
            "variant": variant,
            "matches": [{**match_evidence(v.match, lookup), "variant": v.variant}
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
        explanation = describe_match(best, lookup, _what(observation))
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
