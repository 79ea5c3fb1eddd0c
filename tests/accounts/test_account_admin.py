"""vigil.AccountAdmin on every store backend: each change lands in the store, is audited with the
admin's justification, and is refused for another tenant's account, one's own role or state, or
without a justification; a logon records its time."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import PASSWORD, FakeClock
from vigil import AccountAdmin, AccountChangeRefused, AccountService, Role, UnknownAccountError
from vigil.accounts.credentials import totp_code
from vigil.accounts.store import account_store
from vigil.store.interfaces import Store


def test_an_admin_changes_accounts_of_their_tenant(service: AccountService, store: Store,
                                                   clock: FakeClock) -> None:
    service.create_account("boss", Role.ADMIN, "ngo-1", PASSWORD, created_by="setup")
    service.create_account("far", Role.ANALYST, "ngo-2", PASSWORD, created_by="setup")
    people = account_store(store)
    admin = AccountAdmin(service, people)
    boss = people.account("boss")
    assert boss is not None
    made = admin.create(boss, "ana", Role.ANALYST, "new starter")
    assert len(made.password) == 24 and made.enrolment.uri.startswith("otpauth://totp/")
    admin.set_role(boss, "ana", Role.REVIEWER, "moved team")
    admin.set_disabled(boss, "ana", True, "on leave")
    ana = people.account("ana")
    assert ana is not None and ana.role == Role.REVIEWER and ana.disabled
    admin.set_disabled(boss, "ana", False, "back")
    fresh = admin.reset_totp(boss, "ana", "new phone")
    clock.advance(seconds=30)
    session = service.login("ana", made.password, totp_code(fresh.secret, clock()))
    assert session.account.last_logon == clock()
    stored = people.account("ana")
    assert stored is not None and stored.last_logon == clock()  # kept by the store
    assert [a.username for a in admin.accounts(boss)] == ["ana", "boss"]
    justified = [(e.action, e.justification) for e in store.audit_events()
                 if e.actor == "boss" and e.target == "ana"]
    assert justified == [("account.create", "new starter"), ("account.role", "moved team"),
                         ("account.disable", "on leave"), ("account.enable", "back"),
                         ("account.totp_reset", "new phone")]
    with pytest.raises(UnknownAccountError):
        admin.set_disabled(boss, "far", True, "not mine")
    with pytest.raises(AccountChangeRefused):
        admin.set_role(boss, "boss", Role.ANALYST, "oops")
    with pytest.raises(AccountChangeRefused):
        admin.set_disabled(boss, "ana", True, "  ")
    with pytest.raises(AccountChangeRefused):
        AccountAdmin(service, people).create(stored, "x", Role.ADMIN, "a reviewer cannot")
