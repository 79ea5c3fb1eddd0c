"""The session and lockout numbers, with their sources, and the session-id and CSRF secrets.

Defaults are the FBI CJIS Security Policy's (v5.9.5, also in 6.0): lock an account after 5
consecutive invalid logons within 15 minutes until an administrator releases it (AC-7);
re-authenticate after 30 minutes idle (AC-11, IA-5(j)) and at least every 12 hours (IA-11). A
deployment may make each stricter through its settings, never looser (the settings' bounds).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from vigil.accounts.model import SessionRecord
from vigil.settings import Settings

SESSION_ID_BYTES = 32
"""256 random bits from the OS CSPRNG; CJIS IA-5(o) asks for at least 64 bits of entropy,
OWASP Session Management Cheat Sheet for at least 64."""

_CSRF_LABEL = b"vigil csrf token v1"


@dataclass(frozen=True)
class SessionRules:
    """How many failures lock an account, and when a session ends."""

    max_failures: int = 5  # CJIS v5.9.5 AC-7
    failure_window: timedelta = timedelta(minutes=15)  # CJIS v5.9.5 AC-7
    idle_timeout: timedelta = timedelta(minutes=30)  # CJIS v5.9.5 AC-11, IA-5(j)
    lifetime: timedelta = timedelta(hours=12)  # CJIS v5.9.5 IA-11, IA-5(j)

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionRules:
        return cls(
            max_failures=settings.lockout_failures,
            failure_window=timedelta(minutes=settings.lockout_window_minutes),
            idle_timeout=timedelta(minutes=settings.session_idle_minutes),
            lifetime=timedelta(hours=settings.session_lifetime_hours),
        )

    def recent_failures(self, failures: tuple[datetime, ...], now: datetime) -> tuple[
            datetime, ...]:
        """The failures that still count at ``now``: those within the window."""
        return tuple(t for t in failures if now - t < self.failure_window)

    def why_ended(self, session: SessionRecord, now: datetime) -> str | None:
        """Why ``session`` is no longer valid at ``now``, or ``None`` while it is."""
        if session.ended_at is not None:
            return "logged out"
        if now - session.created_at >= self.lifetime:
            return "past its lifetime"
        if now - session.last_seen >= self.idle_timeout:
            return "idle too long"
        return None


def new_session_id() -> str:
    """A fresh session id for the cookie (URL-safe base64 of 256 random bits)."""
    return secrets.token_urlsafe(SESSION_ID_BYTES)


def session_id_hash(session_id: str) -> str:
    """What the server stores instead of the id: its SHA-256, so a leaked table is no cookie."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def csrf_token(session_id: str) -> str:
    """The session's CSRF token: an HMAC keyed by the secret session id (OWASP Cross-Site
    Request Forgery Prevention Cheat Sheet, synchroniser token tied to the session); pages can
    derive it from the cookie, an attacker without the session id cannot."""
    return hmac.new(session_id.encode("utf-8"), _CSRF_LABEL, hashlib.sha256).hexdigest()


def csrf_matches(session_id: str, token: str) -> bool:
    """Whether ``token`` is the session's CSRF token (constant-time comparison)."""
    return hmac.compare_digest(csrf_token(session_id).encode(), token.encode())
