"""An analyst's decisions on a case (status, assignment, notes), each refused without a name.

The CLI and the web API both call these, so a decision is checked and audited the same way
whichever door it came through: a blank actor is refused before anything changes, an unknown
case is a :class:`UnknownCaseError`, and every decision appends one :class:`~vigil.audit.
AuditEvent` naming the analyst.

The case store keeps only a case's status. Assignments and notes have no column of their own:
they are stored as audit events and read back by :func:`case_history`, so the trail of a case is
exactly what was audited, and nothing can change it afterwards. A case keeps its id across runs
while it grows (:mod:`vigil.case_ids`), and a case that absorbed others in a merge also shows
their history, so its trail follows it from run to run.
"""

from __future__ import annotations

from datetime import UTC, datetime

from vigil.audit import AuditEvent
from vigil.case_lineage import concerns, lineage
from vigil.model import Case, CaseStatus, JSONValue
from vigil.store.interfaces import AuditStore, CaseStore

SYSTEM_PREFIX = "vigil:"
"""Actors vigil's own machinery signs with (``vigil:flood-check``); never a person's name."""

ANALYST_ROLE = "analyst"
"""The custody log's role for decisions a named person makes through the CLI or the API."""

CASE_ACTIONS = ("set_status", "assign", "note", "confirm", "dismiss")
"""The audit actions :func:`case_history` reads back for a case."""


class AnonymousActorError(ValueError):
    """A decision came without the name of the person making it."""


class UnknownCaseError(KeyError):
    """No stored case has this id (a ``KeyError``, as the stores raise)."""

    def __init__(self, case_id: str) -> None:
        super().__init__(case_id)
        self.case_id = case_id

    def __str__(self) -> str:
        return f"no case {self.case_id!r}"


def require_actor(actor: str) -> str:
    """The actor's name, stripped; refused when blank or a name vigil's own machinery uses.

    An audit trail is only worth keeping if each entry names someone who can be asked why.
    """
    name = actor.strip()
    if not name:
        raise AnonymousActorError("a decision needs the name of the person making it")
    if name.startswith(SYSTEM_PREFIX):
        raise AnonymousActorError(f"{name!r} is a name vigil's own checks sign with, not a "
                                  "person's")
    return name


def set_case_status(cases: CaseStore, audit: AuditStore, case_id: str, status: CaseStatus, *,
                    actor: str, reason: str = "") -> AuditEvent:
    """Record an analyst's review status for a case (kept across runs by case id), audited
    with ``reason`` as the custody log's justification."""
    name = require_actor(actor)
    try:
        cases.set_status(case_id, status)
    except KeyError:
        raise UnknownCaseError(case_id) from None
    return _audit(audit, name, "set_status", case_id, {"status": status.value},
                  justification=reason.strip())


def assign_case(cases: CaseStore, audit: AuditStore, case_id: str, assignee: str, *,
                actor: str, reason: str = "") -> AuditEvent:
    """Assign a case to an analyst; the assignment is the audit event (see the module note),
    with ``reason`` as its justification."""
    name = require_actor(actor)
    who = assignee.strip()
    if not who or who.startswith(SYSTEM_PREFIX):
        raise ValueError(f"a case is assigned to a person by name, not {assignee!r}")
    _require_case(cases, case_id)
    return _audit(audit, name, "assign", case_id, {"assignee": who},
                  justification=reason.strip())


def add_case_note(cases: CaseStore, audit: AuditStore, case_id: str, text: str, *,
                  actor: str) -> AuditEvent:
    """Add an analyst's note to a case; notes are audit events, so they are never edited."""
    name = require_actor(actor)
    if not text.strip():
        raise ValueError("a note needs some text")
    _require_case(cases, case_id)
    return _audit(audit, name, "note", case_id, {"text": text.strip()})


def open_case(cases: CaseStore, audit: AuditStore, case_id: str, *, actor: str,
              reason: str = "") -> Case:
    """A case's full evidence, for a named reader; the read is kept in the custody log.

    Opening a case shows identifiers and signals about real people, a sensitive read that
    CJIS AU-2 and OWASP ASVS 5.0 V16.3.2 (at L3) ask to be logged like a write.
    """
    name = require_actor(actor)
    case = cases.case(case_id)
    if case is None:
        raise UnknownCaseError(case_id)
    _audit(audit, name, "view_case", case_id, {}, justification=reason.strip())
    return case


def case_history(audit: AuditStore, case_id: str) -> list[AuditEvent]:
    """Every status change, assignment, note and decision on a case, in the order they were
    audited, with those of the cases merged into it (an entry whose ``target`` is not
    ``case_id`` came from an absorbed case) and the pipeline's merges and splits that name it."""
    events = audit.audit_events()
    ids = lineage(events, case_id)
    return [e for e in events
            if (e.target in ids and e.action in CASE_ACTIONS) or concerns(e, ids)]


def current_assignee(audit: AuditStore, case_id: str) -> str | None:
    """Who the case was last assigned to, if anyone."""
    assigned = [e for e in case_history(audit, case_id) if e.action == "assign"]
    return str(assigned[-1].details["assignee"]) if assigned else None


def _require_case(cases: CaseStore, case_id: str) -> None:
    if cases.case(case_id) is None:
        raise UnknownCaseError(case_id)


def _audit(audit: AuditStore, actor: str, action: str, target: str,
           details: dict[str, JSONValue], justification: str = "") -> AuditEvent:
    """Append a decision on case ``target`` to the custody log, by an analyst."""
    event = AuditEvent(actor, action, target, datetime.now(UTC), details, role=ANALYST_ROLE,
                       case_id=target, justification=justification)
    audit.append_audit(event)
    return event
