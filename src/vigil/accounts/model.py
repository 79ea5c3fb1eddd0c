"""The records of the workspace's accounts: who may log on, in which role and tenant, and how.

Kept free of any web framework so that the CLI, the web pages and the tests share one model.
Every time is an aware UTC ``datetime`` from an injectable clock (:class:`Clock`), so the session
rules can be tested by moving a fake clock instead of waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware; tests pass a fake one."""


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


class Role(StrEnum):
    """What an account may do; :mod:`vigil.accounts.policy` maps each to its actions."""

    ADMIN = "admin"
    ANALYST = "analyst"
    REVIEWER = "reviewer"
    AUDITOR = "auditor"


@dataclass(frozen=True)
class Account:
    """A local account. ``password_hash`` is an argon2id string (salt and parameters inside);
    ``totp_secret`` the base32 TOTP key; ``totp_last_step`` the last time step whose code was
    accepted (codes of that step or earlier are refused: replay protection); ``failed_logons``
    the times of recent consecutive failures; ``locked_at`` set while the account is locked;
    ``last_logon`` the start of its latest session.
    """

    username: str
    role: Role
    tenant: str
    password_hash: str
    totp_secret: str
    created_at: datetime
    totp_last_step: int = -1
    failed_logons: tuple[datetime, ...] = ()
    locked_at: datetime | None = None
    disabled: bool = False
    last_logon: datetime | None = None

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


@dataclass(frozen=True)
class SessionRecord:
    """A logged-on session as the server keeps it: only a SHA-256 of the session id is stored,
    so a copy of the store cannot be replayed as a cookie. ``ended_at`` is set at logout."""

    id_hash: str
    username: str
    created_at: datetime
    last_seen: datetime
    ended_at: datetime | None = None
