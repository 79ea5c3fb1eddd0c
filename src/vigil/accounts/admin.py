"""What an admin does to the accounts of their tenant: create, change role, disable, enable,
unlock, reset the second factor. Each change is authorised by the one policy
(``admin.accounts`` on the target account's tenant), needs a justification, and is a custody-log
event naming the admin, the account, the change and the justification (FBI CJIS Security Policy
v5.9.5 AC-2(4): account creation, modification, enabling, disabling and removal are audited;
AU-2 account management events). An admin may not disable themself or change their own role,
so a tenant cannot be left without the admin who could undo it by accident.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from vigil.accounts import credentials
from vigil.accounts.errors import AccountError, UnknownAccountError
from vigil.accounts.model import Account, Role
from vigil.accounts.policy import Target, can
from vigil.accounts.service import AccountService
from vigil.accounts.store import AccountStore
from vigil.model import JSONValue

ONE_TIME_PASSWORD_BYTES = 18
"""A created account's first password: 144 random bits as 24 URL-safe characters, shown once."""


class AccountChangeRefused(AccountError, PermissionError):
    """The admin may not make that change (another tenant, their own account, no justification)."""


@dataclass(frozen=True)
class NewAccount:
    """A created account's one-time credentials: shown to the admin once, never stored."""

    username: str
    password: str
    enrolment: credentials.Enrolment


class AccountAdmin:
    """Account changes by an admin, over the same store and custody log as the service."""

    def __init__(self, service: AccountService, store: AccountStore) -> None:
        self._service = service
        self._store = store

    def accounts(self, admin: Account) -> list[Account]:
        """The accounts of the admin's tenant the policy lets them manage."""
        return [a for a in self._store.accounts()
                if can(admin, "admin.accounts", Target(a.tenant))]

    def create(self, admin: Account, username: str, role: Role, justification: str,
               ) -> NewAccount:
        """An account in the admin's tenant with a random password and a fresh TOTP secret."""
        self._allowed(admin, admin.tenant, justification)
        password = secrets.token_urlsafe(ONE_TIME_PASSWORD_BYTES)
        enrolment = self._service.create_account(username, Role(role), admin.tenant, password,
                                                 created_by=admin.username,
                                                 justification=justification.strip())
        return NewAccount(username, password, enrolment)

    def set_role(self, admin: Account, username: str, role: Role, justification: str) -> None:
        account = self._target(admin, username, justification, own_ok=False)
        self._store.save_account(replace(account, role=Role(role)))
        self._record(admin, "account.role", username, justification,
                     {"from": account.role.value, "to": Role(role).value})

    def set_disabled(self, admin: Account, username: str, disabled: bool,
                     justification: str) -> None:
        account = self._target(admin, username, justification, own_ok=False)
        self._store.save_account(replace(account, disabled=disabled))
        self._record(admin, "account.disable" if disabled else "account.enable", username,
                     justification, {"was_disabled": account.disabled})

    def unlock(self, admin: Account, username: str, justification: str) -> None:
        self._target(admin, username, justification, own_ok=True)
        self._service.unlock(username, admin=admin.username, reason=justification)

    def reset_totp(self, admin: Account, username: str,
                   justification: str) -> credentials.Enrolment:
        """A new TOTP secret for the account (shown once); the old codes stop working."""
        account = self._target(admin, username, justification, own_ok=True)
        enrolment = credentials.new_totp(username)
        self._store.save_account(replace(account, totp_secret=enrolment.secret))
        self._record(admin, "account.totp_reset", username, justification, {})
        return enrolment

    def _allowed(self, admin: Account, tenant: str, justification: str) -> None:
        if not can(admin, "admin.accounts", Target(tenant)):
            raise AccountChangeRefused("your account may not manage accounts of that tenant")
        if not justification.strip():
            raise AccountChangeRefused("give a justification for the change")

    def _target(self, admin: Account, username: str, justification: str, *,
                own_ok: bool) -> Account:
        account = self._store.account(username)
        if account is None or not can(admin, "admin.accounts", Target(account.tenant)):
            raise UnknownAccountError(username)
        self._allowed(admin, account.tenant, justification)
        if account.username == admin.username and not own_ok:
            raise AccountChangeRefused("you may not change the role of, or disable, your own "
                                       "account")
        return account

    def _record(self, admin: Account, action: str, target: str, justification: str,
                details: dict[str, JSONValue]) -> None:
        self._service.record_change(admin, action, target, justification, details)
