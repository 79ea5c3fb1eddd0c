"""One query path for every media entry point: variants in, policed matches out.

The detector (hash only), ``vigil match`` (the picture itself), report frames and the live-stream
monitor all ask the same question: which bank entries does this content match, by which dihedral
variant, after negative banks, pauses and flood quarantine? Each PDQ query tries the 8
rotations/flips of the content (cheap to compute, pdq/README.md): from the picture when vigil has it
(:func:`vigil.media.hashing.dihedral.query_hashes_of_image`, near-exact), from the hash alone
otherwise (:func:`vigil.media.hashing.dihedral.dihedral_variants_of_hash`, approximate).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from vigil.media.banks.flood import FloodAlert, FloodState
from vigil.media.banks.matcher import BankMatcher
from vigil.media.banks.policy import Suppressed, apply_policies, entry_key
from vigil.media.banks.records import BankInfo
from vigil.media.hashing.dihedral import dihedral_variants_of_hash
from vigil.media.index.base import Match, pack_pdq_hex
from vigil.signal_types import PdqSignal

IDENTITY = "r0"


@dataclass(frozen=True)
class VariantMatch:
    """A bank match and the variant of the query that reached it (``r0``: as observed)."""

    match: Match
    variant: str


@dataclass(frozen=True)
class QueryOutcome:
    """Matches kept after policies, those held back with their reasons, and any flood alerts."""

    kept: list[VariantMatch]
    suppressed: list[Suppressed] = field(default_factory=list)
    alerts: list[FloodAlert] = field(default_factory=list)


def match_variants(matcher: BankMatcher, signal_type: str,
                   variants: Iterable[tuple[str, str]]) -> list[VariantMatch]:
    """Every entry reached by any variant, once, at its nearest variant (the identity on ties)."""
    named = list(variants)
    if signal_type == PdqSignal.name and len(named) > 1:  # one batched search for all variants
        found = matcher.match_many(pack_pdq_hex([hex_hash for _, hex_hash in named]))
    else:
        found = [matcher.match(signal_type, hex_hash) for _, hex_hash in named]
    best: dict[tuple[str, str, str], VariantMatch] = {}
    for (variant, _), matches in zip(named, found, strict=True):
        for match in matches:
            key = entry_key(match)
            seen = best.get(key)
            if seen is None or match.distance < seen.match.distance:
                best[key] = VariantMatch(match, variant)
    return sorted(best.values(), key=lambda v: (v.match.distance, v.match.entry.bank,
                                                v.match.entry.hash))


def pdq_hash_variants(pdq_hex: str, dihedral: bool = True) -> list[tuple[str, str]]:
    """The observed hash first, then its approximate rotations and flips."""
    if not dihedral:
        return [(IDENTITY, pdq_hex)]
    return [(IDENTITY, pdq_hex), *((name, h) for name, h in dihedral_variants_of_hash(pdq_hex)
                                   if name != IDENTITY)]


def police(found: Sequence[VariantMatch], banks: Mapping[str, BankInfo],
           flood: FloodState | None, now: datetime) -> QueryOutcome:
    """Apply negative banks, pauses and flood quarantine to one piece of content's matches."""
    outcome = apply_policies([v.match for v in found], banks, flood, now)
    kept_keys = {entry_key(m) for m in outcome.kept}
    kept = [v for v in found if entry_key(v.match) in kept_keys]
    return QueryOutcome(kept, list(outcome.suppressed), list(outcome.alerts))
