"""A named person's confirmation or dismissal of a case: the record the human gate reads.

A confirmation says who decided (name and role), when, why (the justification), and what they
saw: the ids of the case's signals and identifiers at that moment, and their own answer to NCMEC's
"viewed by provider" question (``fileViewedByEsp``, NCMEC CyberTipline Reporting API
documentation). vigil never shows media, so that answer is the person's statement about what they
looked at elsewhere, recorded as given; ``None`` means they did not say.

Each decision is one :class:`~vigil.audit.AuditEvent` (action ``confirm`` or ``dismiss``) with
structured details, so it is stored by every store without a table of its own, is never edited,
and follows the case across runs by id (as notes do, see :mod:`vigil.review`). The details also
name each contributing detector and version, which is what :mod:`vigil.ledger` counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from vigil.audit import AuditEvent
from vigil.model import Case, CaseStatus, JSONValue
from vigil.review import UnknownCaseError, require_actor
from vigil.store.interfaces import AuditStore, CaseStore

CONFIRM = "confirm"
DISMISS = "dismiss"
DECISION_ACTIONS = (CONFIRM, DISMISS)
"""The audit actions that are decisions on a case."""


@dataclass(frozen=True)
class Confirmation:
    """One person's decision on one case, and what the case held when they made it."""

    case_id: str
    decision: str
    """``confirm`` or ``dismiss``."""
    actor: str
    role: str
    at: datetime
    justification: str
    viewed_by_provider: bool | None
    signal_ids: tuple[str, ...]
    entities: tuple[str, ...]
    detectors: tuple[tuple[str, str], ...]
    """``(source, detector_version)`` of every signal the person judged, once each."""

    @property
    def confirmed(self) -> bool:
        return self.decision == CONFIRM

    def to_details(self) -> dict[str, JSONValue]:
        return {"decision": self.decision, "role": self.role, "note": self.justification,
                "viewed_by_provider": self.viewed_by_provider,
                "signal_ids": list(self.signal_ids), "entities": list(self.entities),
                "detectors": [{"source": s, "version": v} for s, v in self.detectors]}

    @classmethod
    def from_event(cls, event: AuditEvent) -> Confirmation:
        d = event.details
        viewed = d.get("viewed_by_provider")
        return cls(
            case_id=event.target, decision=event.action, actor=event.actor,
            role=str(d.get("role", "")), at=event.at, justification=str(d.get("note", "")),
            viewed_by_provider=viewed if isinstance(viewed, bool) else None,
            signal_ids=tuple(str(s) for s in d.get("signal_ids", [])),
            entities=tuple(str(e) for e in d.get("entities", [])),
            detectors=tuple((str(x["source"]), str(x["version"]))
                            for x in d.get("detectors", [])))


def contributing_detectors(case: Case) -> tuple[tuple[str, str], ...]:
    """Each detector and version that produced a signal of ``case``, sorted, once each."""
    return tuple(sorted({(s.source, s.detector_version) for s in case.signals}))


def confirm_case(cases: CaseStore, audit: AuditStore, case_id: str, *, actor: str, role: str,
                 note: str, viewed_by_provider: bool | None = None,
                 now: datetime | None = None) -> Confirmation:
    """Record that a named person confirmed ``case_id``; its status becomes ``confirmed``.

    The role and the justification are required: a report filed on someone's word must say whose
    word and why (EU 2021/1232 Art. 3 asks for human oversight before reporting).
    """
    return _decide(cases, audit, case_id, CONFIRM, actor=actor, role=role, note=note,
                   viewed_by_provider=viewed_by_provider, now=now)


def dismiss_case(cases: CaseStore, audit: AuditStore, case_id: str, *, actor: str, note: str,
                 role: str = "analyst", now: datetime | None = None) -> Confirmation:
    """Record that a named person dismissed ``case_id`` (a false alarm); status ``dismissed``."""
    return _decide(cases, audit, case_id, DISMISS, actor=actor, role=role, note=note,
                   viewed_by_provider=None, now=now)


def _decide(cases: CaseStore, audit: AuditStore, case_id: str, decision: str, *, actor: str,
            role: str, note: str, viewed_by_provider: bool | None,
            now: datetime | None) -> Confirmation:
    name = require_actor(actor)
    if not role.strip():
        raise ValueError("a decision needs the role of the person making it (--role)")
    if not note.strip():
        raise ValueError("a decision needs a justification (--note)")
    case = cases.case(case_id)
    if case is None:
        raise UnknownCaseError(case_id)
    record = Confirmation(
        case_id=case_id, decision=decision, actor=name, role=role.strip(),
        at=now or datetime.now(UTC), justification=note.strip(),
        viewed_by_provider=viewed_by_provider,
        signal_ids=tuple(sorted(s.id for s in case.signals)),
        entities=tuple(str(e) for e in case.entities),
        detectors=contributing_detectors(case))
    status = CaseStatus.CONFIRMED if decision == CONFIRM else CaseStatus.DISMISSED
    cases.set_status(case_id, status)
    audit.append_audit(AuditEvent(name, decision, case_id, record.at, record.to_details(),
                                  role=record.role, case_id=case_id,
                                  justification=record.justification))
    return record


def decisions(audit: AuditStore, case_id: str | None = None) -> list[Confirmation]:
    """Every confirmation and dismissal (of one case, when given), oldest first."""
    return [Confirmation.from_event(e) for e in audit.audit_events()
            if e.action in DECISION_ACTIONS and (case_id is None or e.target == case_id)]


def latest_decision(records: Sequence[Confirmation]) -> Confirmation | None:
    """The decision that stands: the last one audited (a later dismissal withdraws a
    confirmation, and a later confirmation overrules a dismissal)."""
    return records[-1] if records else None
