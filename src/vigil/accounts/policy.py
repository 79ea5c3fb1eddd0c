"""Who may do what to which object: the one server-side authorisation policy of the workspace.

Every page and API route asks :func:`can` before it reads or changes anything; no other module
decides access. The table below is the whole policy: a role may take an action on a target in
the listed scopes and nowhere else, so anything not listed is refused (deny by default, OWASP
Authorization Cheat Sheet; object-level checks against BOLA, OWASP API Security Top 10 2023
API1; tenant isolation, OWASP ASVS 5.0 V8.2.2/V8.4.1). Separation of duties and least
privilege (FBI CJIS Security Policy v5.9.5 AC-5, AC-6): admins manage accounts and banks but
never reveal messages or decide cases; auditors read but change nothing; reviewers work only
on cases assigned to them; nobody reaches another tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from vigil.accounts.model import Account, Role

ACTIONS = (
    "queue.view", "case.view", "case.claim", "case.confirm", "case.dismiss", "case.assign",
    "case.note", "case.export", "case.file", "bank.view", "bank.pause", "audit.view",
    "admin.accounts", "message.reveal", "outbox.view",
)
"""Every action the workspace checks; :func:`can` refuses any other name."""


class Scope(StrEnum):
    """Where a target lies as seen from an account."""

    OWN = "own"  # own tenant; for a case, one assigned to this account
    OTHER_CASE = "other_case"  # own tenant, a case not assigned to this account
    OTHER_TENANT = "other_tenant"  # another tenant's object


@dataclass(frozen=True)
class Target:
    """The object of an action: its tenant and, for case actions, the case and its assignee
    (empty when unassigned). Queue, bank, audit and account targets name the tenant only."""

    tenant: str
    case_id: str = ""
    assignee: str = ""


_TENANT = frozenset({Scope.OWN, Scope.OTHER_CASE})
_ASSIGNED = frozenset({Scope.OWN})

_ALLOWED: dict[Role, dict[str, frozenset[Scope]]] = {
    Role.ADMIN: {
        "queue.view": _TENANT, "case.view": _TENANT, "case.assign": _TENANT,
        "bank.view": _TENANT, "bank.pause": _TENANT, "audit.view": _TENANT,
        "admin.accounts": _TENANT, "outbox.view": _TENANT,
    },
    Role.ANALYST: {
        "queue.view": _TENANT, "case.view": _TENANT, "case.claim": _TENANT,
        "case.confirm": _TENANT, "case.dismiss": _TENANT, "case.assign": _TENANT,
        "case.note": _TENANT, "case.export": _TENANT, "case.file": _TENANT,
        "bank.view": _TENANT, "message.reveal": _TENANT, "outbox.view": _TENANT,
    },
    Role.REVIEWER: {
        "queue.view": _TENANT, "case.view": _ASSIGNED, "case.confirm": _ASSIGNED,
        "case.dismiss": _ASSIGNED, "case.note": _ASSIGNED, "message.reveal": _ASSIGNED,
    },
    Role.AUDITOR: {
        "queue.view": _TENANT, "case.view": _TENANT, "bank.view": _TENANT,
        "audit.view": _TENANT, "outbox.view": _TENANT,
    },
}


def scope_of(account: Account, target: Target) -> Scope:
    """Whether ``target`` is the account's own, another case of its tenant, or another tenant's."""
    if target.tenant != account.tenant:
        return Scope.OTHER_TENANT
    if target.case_id and target.assignee != account.username:
        return Scope.OTHER_CASE
    return Scope.OWN


def can(account: Account, action: str, target: Target) -> bool:
    """Whether ``account`` may take ``action`` on ``target``; unknown actions, locked or
    disabled accounts and empty tenants are refused."""
    if account.locked or account.disabled or not account.tenant or not target.tenant:
        return False
    allowed = _ALLOWED.get(account.role, {}).get(action, frozenset())
    return scope_of(account, target) in allowed
