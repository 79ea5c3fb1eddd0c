"""Workspace actions that combine library steps: assigning a case moves its claim; bulk dismiss.

Each step is the library's own (:func:`vigil.assign_case`, :func:`vigil.dismiss_case`), audited
as it always is; these functions only put them together so the pages decide nothing themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from vigil.confirmation import dismiss_case
from vigil.review import UnknownCaseError, assign_case
from vigil.store.interfaces import AuditStore, CaseStore
from vigil.workspace.claims import Claim, ClaimStore


def assign_and_hand_over(claims: ClaimStore, cases: CaseStore, audit: AuditStore, case_id: str,
                         assignee: str, *, actor: str, reason: str = "") -> None:
    """Assign ``case_id`` to ``assignee`` (audited, with ``reason``) and make them the case's
    holder."""
    event = assign_case(cases, audit, case_id, assignee, actor=actor, reason=reason)
    claims.hand_over(Claim(case_id, str(event.details["assignee"]), datetime.now(UTC)))


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk dismissal did: the cases dismissed, and why the others were not."""

    dismissed: tuple[str, ...]
    refused: dict[str, str]


def dismiss_cases(cases: CaseStore, audit: AuditStore, case_ids: Sequence[str], *, actor: str,
                  role: str, justification: str) -> BulkOutcome:
    """Dismiss each case in ``case_ids`` with one justification; each is its own audited
    decision, and a case that cannot be dismissed (unknown) is reported, not fatal."""
    if not justification.strip():
        raise ValueError("a bulk dismissal needs a justification")
    done: list[str] = []
    refused: dict[str, str] = {}
    for case_id in dict.fromkeys(case_ids):
        try:
            dismiss_case(cases, audit, case_id, actor=actor, note=justification, role=role)
            done.append(case_id)
        except (UnknownCaseError, ValueError) as exc:
            refused[case_id] = str(exc)
    return BulkOutcome(tuple(done), refused)
