"""Sending a partner our pseudonymised identifiers, and matching theirs against ours.

Sending is outbound, so it asks the human gate (:func:`vigil.gate.outbound_allowed`) for every
case: only the reported identifiers (suspect, payer, payee; never a victim's) of cases it lets
out are pseudonymised. Matching raises one ``share.partner`` signal per local identifier whose
pseudonym the partner sent; the pipeline reads stored ``share.partner`` signals back on every run
(:data:`vigil.pipeline.LIVE_SOURCES`), so they link into cases on the next run. Both are audited
with the person's name and the list's SHA-256.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from vigil.audit import AuditEvent
from vigil.confirmation import decisions
from vigil.exporters.parties import reported_identifiers
from vigil.gate import outbound_allowed
from vigil.model import EntityRef, Signal, SignalKind
from vigil.records import RecordKind, identifiers_of
from vigil.review import require_actor
from vigil.sharing.pseudonyms import SharedList, pseudonym, pseudonymise, read_shared_list
from vigil.store.interfaces import AuditStore, CaseStore, RecordStore, SignalStore

SHARE_SOURCE = "share.partner"
SHARE_VERSION = "1"
PARTNER_SIGNAL_SCORE = 0.5
"""A partner's word is a lead, not proof (Tech Coalition Lantern: signals "are not definitive
proof of abuse" and need the receiver's own human review), so it scores in the middle."""


@dataclass(frozen=True)
class ShareExport:
    text: str
    sha256: str
    cases: list[str]
    identifiers: int


def share_export(cases: CaseStore, audit: AuditStore, partner: str, key: bytes, *, actor: str,
                 now: datetime | None = None) -> ShareExport:
    """Pseudonymise the reported identifiers of every case the gate lets out, for ``partner``."""
    name = require_actor(actor)
    on_record = decisions(audit)
    allowed = [c for c in cases.cases() if outbound_allowed(c, on_record).allowed]
    entities = {e for case in allowed for e in reported_identifiers(case)}
    shared = pseudonymise(key, partner, entities, now or datetime.now(UTC))
    text = shared.to_json()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    audit.append_audit(AuditEvent(name, "share_export", partner, shared.created, {
        "partner": partner, "cases": [c.id for c in allowed], "identifiers": len(shared.items),
        "sha256": digest}))
    return ShareExport(text, digest, [c.id for c in allowed], len(shared.items))


def local_identifiers(records: RecordStore, signals: SignalStore) -> set[EntityRef]:
    """Every identifier vigil holds: in any record, or a subject of any stored signal."""
    found = {e for kind in RecordKind for r in records.records(kind) for e in identifiers_of(r)}
    found.update(e for s in signals.signals() for e in s.subjects)
    return found


def match_shared(shared: SharedList, key: bytes, mine: set[EntityRef],
                 list_sha256: str) -> list[Signal]:
    """A signal for each of ``mine`` whose pseudonym is in ``shared``; nothing else."""
    theirs = set(shared.items)
    signals = []
    for entity in sorted(mine):
        digest = pseudonym(key, entity)
        if (entity.kind.value, digest) not in theirs:
            continue
        signals.append(Signal(
            source=SHARE_SOURCE, kind=SignalKind.REPORT, subjects=(entity,),
            score=PARTNER_SIGNAL_SCORE, observed_at=shared.created,
            evidence={"roles": {str(entity): "suspect"}, "partner": shared.partner,
                      "hmac": digest, "list_sha256": list_sha256},
            explanation=f"Partner '{shared.partner}' shared this {entity.kind.value} as "
                        "reported (keyed-hash match); review before acting.",
            detector_version=SHARE_VERSION))
    return signals


def share_import(records: RecordStore, signals: SignalStore, audit: AuditStore, text: str,
                 partner: str, key: bytes, *, actor: str, origin: str = "<shared list>") \
        -> list[Signal]:
    """Match a partner's list against local identifiers; store and return the signals raised."""
    name = require_actor(actor)
    shared = read_shared_list(text, origin)
    shared = SharedList(partner, shared.created, shared.items)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    found = match_shared(shared, key, local_identifiers(records, signals), digest)
    signals.add_signals(found)
    audit.append_audit(AuditEvent(name, "share_import", partner, datetime.now(UTC), {
        "partner": partner, "origin": origin, "sha256": digest, "received": len(shared.items),
        "matched": len(found)}))
    return found
