"""The custody trail of one case: every custody-log event that names it, newest first, and
whether the whole log verifies.

An event names a case through its ``case_id`` field (a comma-separated list for an export of
several cases) or, for older kinds of event such as a confirmation, as its ``target``. The
verification is of the whole log (the chain and any signed heads, :mod:`vigil.custody.verify`):
a trail is only as good as the log it was read from, so the page shows both together.
"""

from __future__ import annotations

from typing import TypedDict

from vigil.custody.entry import CustodyEntry
from vigil.custody.verify import VerifyReport, verify
from vigil.store.interfaces import AuditStore

TRAIL_LIMIT = 500


class TrailEvent(TypedDict):
    """One custody entry, as stored (times ISO 8601 UTC)."""

    seq: int
    at: str
    recorded_at: str
    actor: str
    role: str
    action: str
    target: str
    outcome: str
    justification: str


class CaseTrail(TypedDict):
    """The ``trail.html`` partial's context."""

    case_id: str
    events: list[TrailEvent]
    total: int
    verified: bool
    verify_line: str
    log_entries: int


def names_case(entry: CustodyEntry, case_id: str) -> bool:
    """Whether ``entry`` is about ``case_id`` (its case list or its target)."""
    return case_id in entry.case_id.split(",") or entry.target == case_id


def case_trail(audit: AuditStore, case_id: str, public_key: str | None = None,
               limit: int = TRAIL_LIMIT, report: VerifyReport | None = None) -> CaseTrail:
    """The newest ``limit`` events naming ``case_id``, and the verification of the log they are
    read from (``public_key``: the key heads must be signed with, as ``vigil audit verify``).

    Verifying hashes every entry of the log; a page that already holds a :class:`VerifyReport`
    of the log (say, one made a moment ago) passes it as ``report`` and no entry is re-hashed.
    """
    entries = audit.custody_entries()
    if report is None:
        report = verify(entries, audit.custody_heads(), public_key)
    mine = [e for e in reversed(entries) if names_case(e, case_id)]
    events = [TrailEvent(seq=e.seq, at=e.at, recorded_at=e.recorded_at, actor=e.actor,
                         role=e.role, action=e.action, target=e.target, outcome=e.outcome,
                         justification=e.justification) for e in mine[:limit]]
    return CaseTrail(case_id=case_id, events=events, total=len(mine), verified=report.ok,
                     verify_line=report.line(), log_entries=report.entries)
