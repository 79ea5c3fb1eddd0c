"""The one media lookup: content's hashes in, bank matches out, already judged by bank policy.

Every path that asks "is this known material?" goes through :class:`MediaLookup`: the media
detector, panic-report frames, ``vigil match``, the live-stream monitor (and later the API). It
is built from a bank store and applies, in one place and one order, each bank's threshold, the
pauses of banks and entries, negative (known false-positive) banks, and flood quarantine
(:mod:`vigil.media.banks.policy`). Before it existed each path built its own matcher, and the
panic-report path skipped the policies: a frame equal to a negative-bank entry counted as a match.

The lookup never writes bank state. An entry that floods is paused inside the lookup at once (so
its next matches are suppressed) and returned as a proposed pause (:meth:`take_pauses`); the
caller (the pipeline, or the monitor command) stores the pause and writes the audit event, with
:func:`store_flood_pauses`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime

from vigil.audit import AuditEvent
from vigil.media.banks.flood import (
    FLOOD_ACTOR,
    FloodAlert,
    FloodConfig,
    FloodState,
    pause_flooded_entries,
)
from vigil.media.banks.matcher import BankMatcher
from vigil.media.banks.query import (
    IDENTITY,
    QueryOutcome,
    VariantMatch,
    match_variants,
    pdq_hash_variants,
    police,
)
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.media.index.base import HashIndex, Match
from vigil.media.index.factory import PdqIndexChoice
from vigil.signal_types import Md5Signal, PdqSignal
from vigil.store.interfaces import AuditStore, BankStore

__all__ = ["MediaLookup", "QueryOutcome", "VariantMatch", "store_flood_pauses"]


class MediaLookup:
    """Bank matches of content, judged by thresholds, pauses, negative banks and floods.

    ``flood`` None turns flood counting off (an analyst's one-off ``vigil match`` is not
    traffic); entries already paused, by an analyst or by an earlier flood, are suppressed
    either way. Thread-safe: the flood state is updated under a lock.
    """

    def __init__(self, banks: Sequence[BankInfo], entries: Sequence[BankEntry],
                 pdq_index: PdqIndexChoice | HashIndex = "brute",
                 flood: FloodConfig | None = None) -> None:
        self._matcher = BankMatcher(banks, entries, pdq_index)
        self._banks = {bank.name: bank for bank in banks}
        self._flood = FloodState(flood) if flood is not None else None
        self._pauses: list[FloodAlert] = []
        self._lock = threading.Lock()

    @classmethod
    def from_store(cls, store: BankStore, pdq_index: PdqIndexChoice = "brute",
                   flood: FloodConfig | None = None) -> MediaLookup:
        """A lookup of every bank and entry in ``store`` as they are now (paused ones too)."""
        return cls(store.banks(), store.bank_entries(), pdq_index, flood)

    def __len__(self) -> int:
        return len(self._matcher)

    def threshold(self, bank: str) -> int:
        """The bank's PDQ threshold (the default 31 for a bank stored without its info)."""
        return self._matcher.threshold(bank)

    def judge(self, pdq_variants: Sequence[tuple[str, str]] = (), md5: str | None = None, *,
              now: datetime) -> QueryOutcome:
        """One piece of content, observed at ``now``: its PDQ variants and MD5, judged together.

        ``pdq_variants`` are ``(variant name, hex)`` with the observed hash first (see
        :func:`~vigil.media.banks.query.pdq_hash_variants`); PDQ and MD5 matches are judged as
        one set, so a negative MD5 entry suppresses a PDQ match of the same content.
        """
        found = self.candidates(pdq_variants, md5)
        if not found:
            return QueryOutcome([])
        with self._lock:
            outcome = police(found, self._banks, self._flood, now)
            self._pauses += outcome.alerts
        return outcome

    def candidates(self, pdq_variants: Sequence[tuple[str, str]] = (),
                   md5: str | None = None) -> list[VariantMatch]:
        """The raw matches :meth:`judge` would police, with no policy applied and no state
        touched: content with none is content :meth:`judge` does nothing with (the media
        detector's first pass keeps only observations that have some)."""
        found: list[VariantMatch] = []
        if pdq_variants:
            found += match_variants(self._matcher, PdqSignal.name, pdq_variants)
        if md5 is not None:
            found += match_variants(self._matcher, Md5Signal.name, [(IDENTITY, md5)])
        return found

    def judge_pdq(self, pdq_hex: str, *, now: datetime, dihedral: bool = True) -> QueryOutcome:
        """A bare PDQ hash, with its 8 dihedral variants unless ``dihedral`` is False."""
        return self.judge(pdq_hash_variants(pdq_hex, dihedral), now=now)

    def __call__(self, pdq_hex: str) -> list[Match]:
        """The monitor's matcher (:data:`vigil.monitor.events.Matcher`): kept matches, now."""
        return [v.match for v in self.judge_pdq(pdq_hex, now=datetime.now(UTC)).kept]

    def take_pauses(self) -> list[FloodAlert]:
        """The flood pauses proposed since the last call, for the caller to store and audit."""
        with self._lock:
            pauses, self._pauses = self._pauses, []
        return pauses


def store_flood_pauses(banks: BankStore, audit: AuditStore,
                       pauses: Sequence[FloodAlert]) -> None:
    """Store each proposed pause and append one audit event per pause (actor: the flood check)."""
    pause_flooded_entries(banks, pauses)
    for alert in pauses:
        audit.append_audit(AuditEvent(
            FLOOD_ACTOR, "pause_entry", f"{alert.bank}/{alert.signal_type}:{alert.hash}",
            datetime.now(UTC), {"reason": alert.reason(), "count": alert.count,
                                "baseline": alert.baseline, "at": alert.at.isoformat()},
            role="system", justification=alert.reason()))
