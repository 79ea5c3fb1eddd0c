"""One body for the memory and SQL account stores; enrolment, passwords and the OIDC seam."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pyotp
import pytest

from tests.accounts.conftest import PASSWORD, FakeClock
from vigil.accounts.credentials import (
    DEFAULT_HASHER,
    hash_password,
    new_totp,
    password_matches,
)
from vigil.accounts.errors import AccountExistsError, UnknownAccountError, WeakPasswordError
from vigil.accounts.model import Account, Role, SessionRecord
from vigil.accounts.oidc import UnmappedIdentity, account_for_claims
from vigil.accounts.service import AccountService
from vigil.accounts.store import account_store
from vigil.store.interfaces import Store


def test_accounts_sessions_and_reveal_counts_round_trip(store: Store, clock: FakeClock) -> None:
    accounts = account_store(store)
    account = Account("bo", Role.AUDITOR, "ngo-1", "h", "s", created_at=clock.now)
    accounts.add_account(account)
    with pytest.raises(AccountExistsError):
        accounts.add_account(account)
    assert accounts.use_totp_step("bo", 7) and not accounts.use_totp_step("bo", 7)
    assert not accounts.use_totp_step("bo", 6) and not accounts.use_totp_step("nobody", 9)
    stale = replace(account, totp_last_step=3)  # as read by a logon running concurrently
    accounts.save_account(stale)
    assert accounts.account("bo").totp_last_step == 7  # type: ignore[union-attr]
    changed = replace(account, totp_last_step=7, locked_at=clock.now,
                      failed_logons=(clock.now, clock.now + timedelta(seconds=1)))
    accounts.save_account(changed)
    assert accounts.account("bo") == changed
    assert accounts.accounts() == [changed] and accounts.account("nobody") is None
    with pytest.raises(UnknownAccountError, match="nobody"):
        accounts.save_account(replace(account, username="nobody"))
    session = SessionRecord("a" * 64, "bo", clock.now, clock.now)
    accounts.add_session(session)
    ended = replace(session, last_seen=clock.now + timedelta(minutes=1), ended_at=clock.now)
    accounts.save_session(ended)
    assert accounts.session("a" * 64) == ended and accounts.session("b" * 64) is None
    day = date(2026, 11, 30)
    assert [accounts.count_reveal("bo", day) for _ in range(3)] == [1, 2, 3]
    assert accounts.count_reveal("bo", day + timedelta(days=1)) == 1


def test_accounts_survive_reopening(sql_store_url: str, clock: FakeClock) -> None:
    from vigil.store.open import open_store

    first = open_store(sql_store_url)
    account_store(first).add_account(Account("bo", Role.ADMIN, "t", "h", "s", clock.now))
    first.close()
    second = open_store(sql_store_url)
    try:
        assert [a.username for a in account_store(second).accounts()] == ["bo"]
    finally:
        second.close()


def test_enrolment_gives_a_working_secret_and_uri(service: AccountService,
                                                  clock: FakeClock) -> None:
    enrolment = service.create_account("cy", Role.REVIEWER, "ngo-1", PASSWORD, created_by="a")
    assert enrolment.uri.startswith("otpauth://totp/vigil:cy?")
    assert pyotp.parse_uri(enrolment.uri).secret == enrolment.secret
    assert len(enrolment.secret) == 32  # 160 bits of base32
    code = pyotp.TOTP(enrolment.secret).at(clock.now)
    assert service.login("cy", PASSWORD, code).account.role is Role.REVIEWER
    assert new_totp("cy").secret != enrolment.secret


@pytest.mark.parametrize(("username", "tenant", "password", "error"), [
    ("", "t", PASSWORD, ValueError), ("has space", "t", PASSWORD, ValueError),
    ("ok", " ", PASSWORD, ValueError), ("ok", "t", "short", WeakPasswordError),
    ("ok", "t", "x" * 1025, WeakPasswordError),
])
def test_bad_accounts_are_refused_with_the_rule(service: AccountService, username: str,
                                                tenant: str, password: str,
                                                error: type[Exception]) -> None:
    with pytest.raises(error):
        service.create_account(username, Role.ANALYST, tenant, password, created_by="a")


def test_the_default_hasher_is_argon2id_and_verifies() -> None:
    hashed = hash_password(PASSWORD, DEFAULT_HASHER)
    assert hashed.startswith("$argon2id$")
    assert password_matches(hashed, PASSWORD) and not password_matches(hashed, PASSWORD + "!")
    assert not password_matches("not a hash", PASSWORD)


def test_oidc_claims_map_only_to_open_local_accounts(service: AccountService,
                                                     secret: str, store: Store) -> None:
    accounts, issuer = account_store(store), "https://idp.example"
    logon = account_for_claims(accounts, issuer, {"iss": issuer, "preferred_username": "ana"})
    assert logon.account.username == "ana" and logon.needs_totp
    with_mfa = {"iss": issuer, "preferred_username": "ana", "amr": ["pwd", "mfa"]}
    assert not account_for_claims(accounts, issuer, with_mfa).needs_totp
    for claims in ({"iss": "https://evil.example", "preferred_username": "ana"},
                   {"iss": issuer, "preferred_username": "nobody"}, {"iss": issuer}):
        with pytest.raises(UnmappedIdentity):
            account_for_claims(accounts, issuer, claims)
