"""The CJIS session rules with a fake clock: lockout, idle timeout, lifetime, logout, replay."""

from __future__ import annotations

from typing import Literal

import pytest
from argon2 import PasswordHasher

from tests.accounts.conftest import PASSWORD, FakeClock
from vigil.accounts.credentials import totp_code
from vigil.accounts.errors import LoginRefused, SessionInvalid
from vigil.accounts.service import AccountService, NewSession
from vigil.accounts.store import account_store
from vigil.store.interfaces import Store


def _login(service: AccountService, secret: str, clock: FakeClock,
           password: str = PASSWORD) -> NewSession:
    return service.login("ana", password, totp_code(secret, clock.now))


def _fail(service: AccountService, clock: FakeClock) -> str:
    with pytest.raises(LoginRefused) as refused:
        service.login("ana", "wrong password!", "000000")
    return refused.value.reason


def test_a_good_logon_gives_a_session_that_checks(service: AccountService, secret: str,
                                                  clock: FakeClock) -> None:
    new = _login(service, secret, clock)
    assert len(new.session_id) >= 43  # 256 bits in URL-safe base64
    assert service.check(new.session_id).username == "ana"
    assert service.check(new.session_id, csrf=new.csrf_token).username == "ana"
    with pytest.raises(SessionInvalid, match="CSRF"):
        service.check(new.session_id, csrf="0" * 64)


def test_lockout_at_the_fifth_failure_within_fifteen_minutes(
        service: AccountService, secret: str, clock: FakeClock, store: Store) -> None:
    for _ in range(4):
        assert _fail(service, clock) == "wrong password"
        clock.advance(minutes=3)
    assert not account_store(store).account("ana").locked  # type: ignore[union-attr]
    _fail(service, clock)  # the 5th, 12 minutes after the first
    assert account_store(store).account("ana").locked  # type: ignore[union-attr]
    clock.advance(minutes=1)
    with pytest.raises(LoginRefused) as refused:
        _login(service, secret, clock)  # right password and code: still locked
    assert refused.value.reason == "account locked"
    clock.advance(hours=24)
    with pytest.raises(LoginRefused):
        _login(service, secret, clock)  # locked until an admin releases it (AC-7)
    actions = [(e.action, e.outcome) for e in store.audit_events()]
    assert actions.count(("account.lock", "success")) == 1


def test_spread_out_failures_never_lock(service: AccountService, secret: str,
                                        clock: FakeClock) -> None:
    for _ in range(8):
        _fail(service, clock)
        clock.advance(minutes=4)  # at most 4 failures in any 15 minutes
    assert _login(service, secret, clock).account.username == "ana"


def test_a_success_resets_the_count(service: AccountService, secret: str,
                                    clock: FakeClock) -> None:
    for _ in range(4):
        _fail(service, clock)
    _login(service, secret, clock)
    for _ in range(4):
        _fail(service, clock)
    clock.advance(seconds=30)  # the next step: a fresh code
    assert _login(service, secret, clock).account.username == "ana"


def test_an_admin_unlock_is_audited_and_lets_the_user_in(
        service: AccountService, secret: str, clock: FakeClock, store: Store) -> None:
    for _ in range(5):
        _fail(service, clock)
    with pytest.raises(ValueError, match="reason"):
        service.unlock("ana", admin="admin-1", reason=" ")
    service.unlock("ana", admin="admin-1", reason="user called the help desk")
    unlock = store.audit_events()[-1]
    assert (unlock.action, unlock.actor, unlock.target) == ("account.unlock", "admin-1", "ana")
    assert unlock.justification == "user called the help desk"
    assert _login(service, secret, clock).account.username == "ana"


def test_idle_timeout_at_thirty_minutes(service: AccountService, secret: str,
                                        clock: FakeClock) -> None:
    session = _login(service, secret, clock).session_id
    clock.advance(minutes=29, seconds=59)
    service.check(session)  # used: the idle clock starts again
    clock.advance(minutes=29, seconds=59)
    service.check(session)
    clock.advance(minutes=30)
    with pytest.raises(SessionInvalid, match="idle"):
        service.check(session)
    with pytest.raises(SessionInvalid, match="logged out"):
        service.check(session)  # ended on the server, not just expired


def test_lifetime_ends_an_active_session_at_twelve_hours(
        service: AccountService, secret: str, clock: FakeClock) -> None:
    session = _login(service, secret, clock).session_id
    for _ in range(12 * 6 - 1):
        clock.advance(minutes=10)
        service.check(session)
    clock.advance(minutes=10)  # 12 h after logon, 10 minutes after the last request
    with pytest.raises(SessionInvalid, match="lifetime"):
        service.check(session)


def test_logout_invalidates_at_once_and_a_stolen_copy_is_refused(
        service: AccountService, secret: str, clock: FakeClock) -> None:
    new = _login(service, secret, clock)
    stolen = str(new.session_id)
    service.logout(new.session_id)
    with pytest.raises(SessionInvalid, match="logged out"):
        service.check(new.session_id)
    clock.advance(seconds=1)
    with pytest.raises(SessionInvalid):
        service.check(stolen, csrf=new.csrf_token)


def test_an_unknown_session_id_is_refused(service: AccountService, secret: str) -> None:
    with pytest.raises(SessionInvalid, match="unknown"):
        service.check("not-a-session")


def test_a_totp_code_cannot_be_replayed(service: AccountService, secret: str,
                                        clock: FakeClock) -> None:
    code = totp_code(secret, clock.now)
    service.login("ana", PASSWORD, code)
    clock.advance(seconds=5)  # same 30-second step
    with pytest.raises(LoginRefused) as refused:
        service.login("ana", PASSWORD, code)
    assert refused.value.reason == "wrong, stale or replayed code"


def test_a_code_one_step_off_is_accepted_two_steps_off_refused(
        service: AccountService, secret: str, clock: FakeClock) -> None:
    previous = totp_code(secret, clock.now)
    clock.advance(seconds=30)
    service.login("ana", PASSWORD, previous)
    old = totp_code(secret, clock.now)
    clock.advance(seconds=90)
    with pytest.raises(LoginRefused):
        service.login("ana", PASSWORD, old)


def test_every_cause_gives_the_same_message_and_is_audited(
        service: AccountService, secret: str, clock: FakeClock, store: Store) -> None:
    messages = set()
    for username, password, code in [("nobody", PASSWORD, "123456"),
                                     ("ana", "wrong password!", totp_code(secret, clock.now)),
                                     ("ana", PASSWORD, "000000")]:
        with pytest.raises(LoginRefused) as refused:
            service.login(username, password, code)
        messages.add(str(refused.value))
    assert len(messages) == 1
    failed = [e for e in store.audit_events() if e.action == "logon"]
    assert [e.outcome for e in failed] == ["denied", "failed", "failed"]
    assert all(PASSWORD not in str(e.details) for e in store.audit_events())


def test_concurrent_logons_with_one_code_give_one_session(sql_store_url: str,
                                                          clock: FakeClock) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tests.accounts.conftest import CHEAP_HASHER
    from vigil.accounts.model import Role
    from vigil.store.open import open_store

    store = open_store(sql_store_url)
    try:
        service = AccountService(account_store(store), store, clock=clock, hasher=CHEAP_HASHER)
        secret = service.create_account("ana", Role.ANALYST, "t", PASSWORD,
                                        created_by="a").secret
        code = totp_code(secret, clock.now)

        def attempt(_: int) -> bool:
            try:
                service.login("ana", PASSWORD, code)
            except LoginRefused:
                return False
            return True

        with ThreadPoolExecutor(4) as pool:
            outcomes = list(pool.map(attempt, range(4)))
    finally:
        store.close()
    assert outcomes.count(True) == 1


class _CountingHasher(PasswordHasher):
    """The cheap hasher, counting its hashes and checks."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1, hash_len=16, salt_len=16)
        self.hashes = self.checks = 0

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.hashes += 1
        return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:  # noqa: A002
        self.checks += 1
        return super().verify(hash, password)


def test_an_unknown_username_costs_a_password_check_and_starting_costs_none(
        store: Store, clock: FakeClock) -> None:
    hasher = _CountingHasher()
    service = AccountService(account_store(store), store, clock=clock, hasher=hasher)
    assert (hasher.hashes, hasher.checks) == (0, 0)  # a server or CLI start hashes nothing
    for _ in range(2):
        with pytest.raises(LoginRefused):
            service.login("nobody", PASSWORD, "123456")
    assert (hasher.hashes, hasher.checks) == (1, 2)  # one dummy hash, checked at each attempt
