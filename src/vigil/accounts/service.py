"""Creating accounts, logging on with password and TOTP, checking and ending sessions, unlocking.

Every logon, failure, lock, unlock, account creation and logout is appended to the custody log
as an :class:`~vigil.audit.AuditEvent` (FBI CJIS Security Policy v5.9.5 AU-2 asks for all
successful and unsuccessful logon attempts and account changes). The web pages call this class;
they hold no session logic of their own. Time comes from the injected clock only.
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass, replace
from typing import NoReturn

from argon2 import PasswordHasher

from vigil.accounts import credentials
from vigil.accounts.errors import LoginRefused, SessionInvalid, UnknownAccountError
from vigil.accounts.model import Account, Clock, Role, SessionRecord, utc_now
from vigil.accounts.rules import (
    SessionRules,
    csrf_matches,
    csrf_token,
    new_session_id,
    session_id_hash,
)
from vigil.accounts.store import AccountStore
from vigil.audit import AuditEvent
from vigil.model import JSONValue
from vigil.store.interfaces import AuditStore

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


@dataclass(frozen=True)
class NewSession:
    """What a successful logon hands the web layer: the session id for the cookie (shown once,
    never stored), its CSRF token and the account."""

    session_id: str
    csrf_token: str
    account: Account


class AccountService:
    """Accounts and sessions over an :class:`AccountStore`, audited to an :class:`AuditStore`."""

    def __init__(self, store: AccountStore, audit: AuditStore,
                 rules: SessionRules | None = None, clock: Clock = utc_now,
                 hasher: PasswordHasher = credentials.DEFAULT_HASHER) -> None:
        """``hasher`` sets the argon2 cost (tests pass a cheap one; keep the default)."""
        self._store = store
        self._hasher = hasher
        self._dummy: str | None = None
        self._dummy_lock = threading.Lock()
        self._audit = audit
        self._rules = rules or SessionRules()
        self._clock = clock

    def create_account(self, username: str, role: Role, tenant: str, password: str, *,
                       created_by: str, justification: str = "") -> credentials.Enrolment:
        """Create an account and return its TOTP enrolment, which is shown once."""
        if not USERNAME.match(username):
            raise ValueError(f"username {username!r}: 1-64 letters, digits or . _ @ -, "
                             "starting with a letter or digit")
        if not tenant.strip():
            raise ValueError("tenant must not be empty")
        enrolment = credentials.new_totp(username)
        now = self._clock()
        password_hash = credentials.hash_password(password, self._hasher)
        account = Account(username, Role(role), tenant, password_hash, enrolment.secret,
                          created_at=now)
        self._store.add_account(account)
        self._record(created_by, "account.create", username, role="admin",
                     justification=justification,
                     details={"role": account.role.value, "tenant": tenant})
        return enrolment

    def accounts(self) -> list[Account]:
        return self._store.accounts()

    def _dummy_hash(self) -> str:
        """A hash no password matches, checked for unknown usernames so that they cost the time
        a known one does. Made at the first logon, not when the service starts (an argon2 hash
        costs about 0.16 s, paid by every server start and CLI command before): every logon
        asks for it, known username or not, so the first of either kind pays the same."""
        with self._dummy_lock:
            if self._dummy is None:
                self._dummy = self._hasher.hash(secrets.token_hex(16))
            return self._dummy

    def login(self, username: str, password: str, code: str) -> NewSession:
        """A new session if password and TOTP code are right and the account is open;
        otherwise :class:`LoginRefused` (the same message for every cause) and a counted
        failure."""
        dummy = self._dummy_hash()
        account = self._store.account(username)
        if account is None:
            credentials.password_matches(dummy, password, self._hasher)
            self._refuse(username, "unknown account")
        if account.disabled or account.locked:
            self._refuse(username, "account disabled" if account.disabled
                                else "account locked", role=account.role)
        if not credentials.password_matches(account.password_hash, password, self._hasher):
            self._fail(account, "wrong password")
        step = credentials.accepted_totp_step(account.totp_secret, code, self._clock(),
                                              account.totp_last_step)
        if step is None or not self._store.use_totp_step(username, step):
            self._fail(account, "wrong, stale or replayed code")
        return self._open_session(replace(account, totp_last_step=step))

    def identity_logon(self, username: str, issuer: str) -> NewSession:
        """A session for an account whose identity provider did MFA (the caller checked the
        token and mapped it with :func:`vigil.accounts.oidc.account_for_claims`)."""
        account = self._open_account(username)
        return self._open_session(account, {"via": "oidc", "issuer": issuer, "mfa": "idp"})

    def second_factor(self, username: str, code: str, issuer: str) -> NewSession:
        """A session after an identity provider's logon without MFA, once vigil's TOTP code is
        right; a wrong or replayed code counts as a failed logon, as for a local logon."""
        account = self._open_account(username)
        step = credentials.accepted_totp_step(account.totp_secret, code, self._clock(),
                                              account.totp_last_step)
        if step is None or not self._store.use_totp_step(username, step):
            self._fail(account, "wrong, stale or replayed code after identity provider logon")
        return self._open_session(replace(account, totp_last_step=step),
                                  {"via": "oidc", "issuer": issuer, "mfa": "totp"})

    def identity_refused(self, username: str, reason: str, issuer: str) -> None:
        """Audit a refused logon through an identity provider, and count it against the named
        account (if one exists and is open) towards the lockout."""
        account = self._store.account(username) if username else None
        details: dict[str, JSONValue] = {"reason": reason, "via": "oidc", "issuer": issuer}
        if account is None or account.disabled or account.locked:
            self._record(username or "unknown", "logon", username or "unknown",
                         outcome="denied", details=details)
            return
        self._count_failure(account, details)

    def _open_account(self, username: str) -> Account:
        account = self._store.account(username)
        if account is None:
            self._refuse(username, "unknown account")
        if account.disabled or account.locked:
            self._refuse(username, "account disabled or locked", role=account.role)
        return account

    def _open_session(self, account: Account,
                      details: dict[str, JSONValue] | None = None) -> NewSession:
        now = self._clock()
        account = replace(account, failed_logons=(), last_logon=now)
        self._store.save_account(account)
        session_id = new_session_id()
        self._store.add_session(SessionRecord(session_id_hash(session_id), account.username,
                                              created_at=now, last_seen=now))
        self._record(account.username, "logon", account.username, role=account.role,
                     details=details)
        return NewSession(session_id, csrf_token(session_id), account)

    def _fail(self, account: Account, reason: str) -> NoReturn:
        """Count a failed logon; lock the account at the limit; raise :class:`LoginRefused`."""
        self._count_failure(account, {"reason": reason})
        raise LoginRefused(reason)

    def _count_failure(self, account: Account, details: dict[str, JSONValue]) -> None:
        now = self._clock()
        failures = (*self._rules.recent_failures(account.failed_logons, now), now)
        locks = len(failures) >= self._rules.max_failures
        self._store.save_account(replace(account, failed_logons=failures,
                                         locked_at=now if locks else None))
        self._record(account.username, "logon", account.username, role=account.role,
                     outcome="failed", details={**details, "recent": len(failures)})
        if locks:
            self._record("vigil", "account.lock", account.username, role="system",
                         details={"failures": len(failures)},
                         justification=f"{len(failures)} failed logons within "
                         f"{self._rules.failure_window} (CJIS v5.9.5 AC-7)")

    def _refuse(self, username: str, reason: str, role: str = "") -> NoReturn:
        self._record(username, "logon", username, role=role, outcome="denied",
                     details={"reason": reason})
        raise LoginRefused(reason)

    def check(self, session_id: str, *, csrf: str | None = None) -> Account:
        """The account of a valid session, after marking it used now; :class:`SessionInvalid`
        if it is unknown, logged out, idle too long or too old, or its account is locked.
        With ``csrf`` (state-changing requests), the token must match too."""
        now = self._clock()
        session = self._store.session(session_id_hash(session_id))
        if session is None:
            raise SessionInvalid("unknown session")
        why = self._rules.why_ended(session, now)
        if why is not None:
            if session.ended_at is None:
                self._store.save_session(replace(session, ended_at=now))
            raise SessionInvalid(why)
        account = self._store.account(session.username)
        if account is None or account.locked or account.disabled:
            raise SessionInvalid("account locked or disabled")
        if csrf is not None and not csrf_matches(session_id, csrf):
            raise SessionInvalid("CSRF token does not match")
        self._store.save_session(replace(session, last_seen=now))
        return account

    def logout(self, session_id: str) -> None:
        """End the session on the server at once; the id is refused from now on."""
        session = self._store.session(session_id_hash(session_id))
        if session is None or session.ended_at is not None:
            return
        self._store.save_session(replace(session, ended_at=self._clock()))
        self._record(session.username, "logout", session.username)

    def unlock(self, username: str, *, admin: str, reason: str) -> None:
        """Release a locked account (CJIS v5.9.5 AC-7: an administrator releases it); audited
        with the admin's name and reason, both required."""
        if not admin.strip() or not reason.strip():
            raise ValueError("unlocking needs the admin's name and a reason")
        account = self._store.account(username)
        if account is None:
            raise UnknownAccountError(username)
        self._store.save_account(replace(account, locked_at=None, failed_logons=()))
        self._record(admin, "account.unlock", username, role="admin", justification=reason,
                     details={"was_locked": account.locked})

    def record_change(self, admin: Account, action: str, target: str, justification: str,
                      details: dict[str, JSONValue]) -> None:
        """Audit an account change an admin made (:class:`vigil.AccountAdmin`), on the same
        custody log as logons."""
        self._record(admin.username, action, target, role=admin.role, details=details,
                     justification=justification.strip())

    def _record(self, actor: str, action: str, target: str, *, role: str = "",
                outcome: str = "success", justification: str = "",
                details: dict[str, JSONValue] | None = None) -> None:
        self._audit.append_audit(AuditEvent(actor, action, target, self._clock(),
                                            details or {}, role=str(role), outcome=outcome,
                                            justification=justification))
