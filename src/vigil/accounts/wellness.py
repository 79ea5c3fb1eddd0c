"""Reviewer wellness: every reveal of a masked message is authorised, counted and audited.

Lewitzka et al. (Psychological Research, 2026) found that blur and greyscale alone did not
reduce reviewers' anxiety or intrusions, so the main control is fewer exposures: vigil counts
each reviewer's reveals per UTC day and, past a configurable daily cap
(``VIGIL_REVEAL_DAILY_CAP``), tells the page to prompt a break. The cap is soft: a reveal past it
still happens (a case may be urgent) but is audited as over the cap. Each reveal is a custody
event with the reviewer's role, the case and the stated justification (FBI CJIS Security
Policy v5.9.5 AU-2 access events; OWASP ASVS 5.0 V16.3.2 sensitive data accessed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC

from vigil.accounts.model import Account, Clock, utc_now
from vigil.accounts.policy import Target, can
from vigil.accounts.store import AccountStore
from vigil.audit import AuditEvent
from vigil.store.interfaces import AuditStore


class RevealRefused(PermissionError):
    """The account may not reveal messages of that case, or gave no justification."""


@dataclass(frozen=True)
class Reveal:
    """The outcome of a reveal: today's count including this one, the cap, and whether the
    page should prompt a break (count past the cap)."""

    count: int
    cap: int

    @property
    def take_a_break(self) -> bool:
        return self.count > self.cap


def reveal_message(accounts: AccountStore, audit: AuditStore, account: Account,
                   target: Target, message_id: str, justification: str, *, cap: int,
                   clock: Clock = utc_now) -> Reveal:
    """Authorise, count and audit one reveal of ``message_id`` in ``target``'s case; refused
    reveals (no right, no justification) are audited as denied and raise
    :class:`RevealRefused`."""
    now = clock()
    event = AuditEvent(account.username, "message.reveal", message_id, now,
                       role=account.role.value, case_id=target.case_id,
                       justification=justification.strip())
    if not can(account, "message.reveal", target) or not justification.strip():
        why = "no justification given" if can(account, "message.reveal", target) else (
            "not allowed for this role, tenant or case")
        audit.append_audit(replace(event, outcome="denied", details={"reason": why}))
        raise RevealRefused(f"reveal refused: {why}")
    count = accounts.count_reveal(account.username, now.astimezone(UTC).date())
    result = Reveal(count, cap)
    audit.append_audit(replace(event, details={"count_today": count, "cap": cap,
                                             "over_cap": result.take_a_break}))
    return result
