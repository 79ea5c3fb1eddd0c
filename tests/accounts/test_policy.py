"""The authorisation table: every role x action x scope, against an expectation written out
independently of vigil.accounts.policy; zero unexpected allows."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product

import pytest

from vigil.accounts.model import Account, Role
from vigil.accounts.policy import ACTIONS, Scope, Target, can, scope_of

TARGETS = {
    Scope.OWN: Target("ngo-1", case_id="case-1", assignee="me"),
    Scope.OTHER_CASE: Target("ngo-1", case_id="case-2", assignee="someone-else"),
    Scope.OTHER_TENANT: Target("ngo-2", case_id="case-3", assignee="me"),
}
TENANT_TARGETS = {  # queue, bank, audit and account targets carry no case
    Scope.OWN: Target("ngo-1"),
    Scope.OTHER_TENANT: Target("ngo-2"),
}

# What each role may do, written as "action@scope". Nothing in another tenant, for anyone.
EXPECTED_ALLOWS = {
    Role.ADMIN: {
        "queue.view@own", "case.view@own", "case.view@other_case", "case.assign@own",
        "case.assign@other_case", "bank.view@own", "bank.pause@own", "audit.view@own",
        "admin.accounts@own", "outbox.view@own",
    },
    Role.ANALYST: {
        "queue.view@own", "bank.view@own", "outbox.view@own",
        *(f"case.{verb}@{scope}" for verb in ("view", "claim", "confirm", "dismiss", "assign",
                                             "note", "export", "file")
          for scope in ("own", "other_case")),
        "message.reveal@own", "message.reveal@other_case",
    },
    Role.REVIEWER: {
        "queue.view@own", "case.view@own", "case.confirm@own", "case.dismiss@own",
        "case.note@own", "message.reveal@own",
    },
    Role.AUDITOR: {
        "queue.view@own", "case.view@own", "case.view@other_case", "bank.view@own",
        "audit.view@own", "outbox.view@own",
    },
}

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def _account(role: Role) -> Account:
    return Account("me", role, "ngo-1", "hash", "secret", created_at=NOW)


def _cases() -> list[tuple[Role, str, Scope, Target]]:
    cases = []
    for role, action in product(Role, ACTIONS):
        targets = TARGETS if action.startswith(("case.", "message.")) else TENANT_TARGETS
        cases += [(role, action, scope, target) for scope, target in targets.items()]
    return cases


@pytest.mark.parametrize(("role", "action", "scope", "target"), _cases())
def test_every_role_action_and_scope(role: Role, action: str, scope: Scope,
                                     target: Target) -> None:
    account = _account(role)
    assert scope_of(account, target) is scope
    expected = f"{action}@{scope.value}" in EXPECTED_ALLOWS[role]
    assert can(account, action, target) is expected


def test_the_matrix_covers_every_expected_allow() -> None:
    allowed = {(role, f"{action}@{scope.value}") for role, action, scope, target in _cases()
               if can(_account(role), action, target)}
    expected = {(role, allow) for role, allows in EXPECTED_ALLOWS.items() for allow in allows}
    assert allowed == expected
    assert not any(scope is Scope.OTHER_TENANT for role, action, scope, target in _cases()
                   if can(_account(role), action, target))


@pytest.mark.parametrize("role", list(Role))
def test_unknown_actions_locked_accounts_and_empty_tenants_are_refused(role: Role) -> None:
    account = _account(role)
    assert not can(account, "case.delete", TARGETS[Scope.OWN])
    assert not can(account, "", TENANT_TARGETS[Scope.OWN])
    locked = Account("me", role, "ngo-1", "hash", "secret", created_at=NOW, locked_at=NOW)
    disabled = Account("me", role, "ngo-1", "hash", "secret", created_at=NOW, disabled=True)
    no_tenant = Account("me", role, "", "hash", "secret", created_at=NOW)
    for action in ACTIONS:
        assert not can(locked, action, TENANT_TARGETS[Scope.OWN])
        assert not can(disabled, action, TENANT_TARGETS[Scope.OWN])
        assert not can(no_tenant, action, Target(""))
