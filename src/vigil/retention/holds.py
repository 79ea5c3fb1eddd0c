"""Preservation holds, read from the custody log so that nothing can shorten them.

A case reported to the US clearing house (exported as ``cybertip``, or delivered to a
``clearing_house`` destination) is held for one year after that moment: 18 U.S.C. § 2258A(h)(1)
as amended by the REPORT Act 2024 treats a CyberTipline report as a request to preserve its
contents for one year after submission. A person may extend a hold ((h)(5) allows voluntary
longer preservation), never shorten or lift it early.

Holds are not a table anyone can edit: each is computed from the append-only, tamper-evident
audit log (the ``export``, ``enqueue_delivery``/``deliver`` and ``extend_hold`` events), so the
only way to shorten one is to rewrite the log, which ``vigil audit verify`` detects. Attempts
through vigil to shorten or lift a hold are refused and audited with outcome ``denied``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from vigil.audit import AuditEvent
from vigil.review import require_actor
from vigil.store.interfaces import AuditStore

CYBERTIP_FORMAT = "cybertip"
CLEARING_HOUSE = "clearing_house"


def one_year_after(moment: datetime) -> datetime:
    """The same date a year later (29 February to 1 March), never less than a year."""
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:
        return moment.replace(year=moment.year + 1, month=3, day=1)


@dataclass(frozen=True)
class Hold:
    """A case held until ``until``; ``identifiers`` were reported with it; ``basis`` says why."""

    case_id: str
    until: datetime
    basis: str
    identifiers: frozenset[str] = frozenset()

    def in_force(self, now: datetime) -> bool:
        return now < self.until


class HoldRefusedError(PermissionError):
    """An attempt to shorten or lift a hold (it was audited as denied)."""


def preservation_holds(events: Sequence[AuditEvent]) -> dict[str, Hold]:
    """Every case's hold, from the custody log (the latest end wins; none ever moves earlier)."""
    holds: dict[str, Hold] = {}
    clearing = _clearing_house_deliveries(events)
    for event in events:
        for case_id, until, basis, reported in _holds_from(event, clearing):
            _extend(holds, Hold(case_id, until, basis, frozenset(reported)))
    return holds


def _clearing_house_deliveries(events: Iterable[AuditEvent]) -> set[str]:
    return {e.target for e in events if e.action == "enqueue_delivery"
            and e.details.get("kind") == CLEARING_HOUSE}


def _holds_from(event: AuditEvent,
                clearing: set[str]) -> Iterable[tuple[str, datetime, str, list[str]]]:
    details = event.details
    if event.action == "export" and details.get("format") == CYBERTIP_FORMAT:
        reported = details.get("reported")
        reported = reported if isinstance(reported, dict) else {}
        for case_id in _cases(details.get("cases")):
            ids = reported.get(case_id)
            yield (case_id, one_year_after(event.at),
                   f"CyberTipline report exported {event.at.isoformat()} (18 U.S.C. § 2258A(h))",
                   [str(i) for i in ids] if isinstance(ids, list) else [])
    elif event.action == "deliver" and event.target in clearing:
        for case_id in filter(None, event.case_id.split(",")):
            yield (case_id, one_year_after(event.at),
                   f"delivered to the clearing house {event.at.isoformat()} "
                   "(18 U.S.C. § 2258A(h))", [])
    elif event.action == "extend_hold" and event.outcome == "success":
        until = datetime.fromisoformat(str(details.get("until")))
        yield event.case_id, until, f"extended by {event.actor}: {event.justification}", []


def _cases(value: object) -> list[str]:
    return [str(c) for c in value] if isinstance(value, list) else []


def _extend(holds: dict[str, Hold], new: Hold) -> None:
    old = holds.get(new.case_id)
    if old is None:
        holds[new.case_id] = new
        return
    later = new if new.until > old.until else old
    holds[new.case_id] = Hold(new.case_id, later.until, later.basis,
                              old.identifiers | new.identifiers)


def set_hold_until(audit: AuditStore, case_id: str, until: datetime, analyst: str,
                   justification: str, now: datetime | None = None) -> Hold:
    """Extend ``case_id``'s hold to ``until`` (or place one); a shorter end is refused.

    Every call is audited: ``extend_hold`` with outcome ``success``, or ``denied`` with the hold
    that stands, before :class:`HoldRefusedError` is raised.
    """
    actor = require_actor(analyst)
    if not justification.strip():
        raise ValueError("extending a hold needs a reason")
    at = now or datetime.now(UTC)
    if until.tzinfo is None:
        raise ValueError("the hold's end needs a time zone")
    current = preservation_holds(audit.audit_events()).get(case_id)
    refused = current is not None and until < current.until
    audit.append_audit(AuditEvent(
        actor, "extend_hold", case_id, at,
        {"until": until.isoformat(),
         "standing_until": current.until.isoformat() if current else None},
        role="analyst", case_id=case_id, outcome="denied" if refused else "success",
        justification=justification.strip()))
    if refused and current is not None:
        raise HoldRefusedError(f"case {case_id} is held until {current.until.isoformat()} "
                               f"({current.basis}); a hold can be extended, never shortened")
    return preservation_holds(audit.audit_events())[case_id]


def lift_hold(audit: AuditStore, case_id: str, analyst: str, justification: str,
              now: datetime | None = None) -> None:
    """Always refused while a hold is in force (audited as denied); a hold ends by itself."""
    actor = require_actor(analyst)
    at = now or datetime.now(UTC)
    current = preservation_holds(audit.audit_events()).get(case_id)
    in_force = current is not None and current.in_force(at)
    audit.append_audit(AuditEvent(
        actor, "lift_hold", case_id, at,
        {"standing_until": current.until.isoformat() if current else None},
        role="analyst", case_id=case_id, outcome="denied" if in_force else "success",
        justification=justification.strip()))
    if in_force and current is not None:
        raise HoldRefusedError(f"case {case_id} is held until {current.until.isoformat()}; "
                               "a preservation hold cannot be lifted early")
