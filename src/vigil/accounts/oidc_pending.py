"""Logons through an identity provider that are half done, bound to the browser's pre-login cookie.

Between ``/ui/oidc/start`` and the callback the server keeps the request's ``state``, ``nonce``
and PKCE verifier under the SHA-256 of a random pre-login cookie value (the browser holds only
that value), so a callback is accepted only from the browser that started it, only once, and
only within :data:`PENDING_TTL` (OpenID Connect Core 1.0 section 3.1.2.1 and RFC 9700 section
4.7: ``state`` bound to the user agent, used once). Between the callback and vigil's own TOTP
step, it keeps the mapped username the same way. Kept in this process's memory: with more
than one worker, the provider's callback must reach the worker that started the logon (sticky
sessions), or the logon is refused as an unknown state (see ``docs/workspace.md``).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from vigil.accounts.model import Clock, utc_now
from vigil.accounts.oidc_client import AuthorisationRequest, OidcError

PENDING_TTL = timedelta(minutes=10)
"""How long a started logon waits for its callback, and a mapped identity for its TOTP code."""

MAX_PENDING = 10_000
"""Logons in flight at most; the oldest are dropped first (bounds memory under a flood)."""


@dataclass(frozen=True)
class _Entry:
    at: datetime
    request: AuthorisationRequest | None = None
    username: str = ""


def _key(cookie_value: str) -> str:
    return hashlib.sha256(cookie_value.encode("utf-8")).hexdigest()


class PendingLogons:
    """Started logons and identities waiting for their TOTP code, per pre-login cookie."""

    def __init__(self, clock: Clock = utc_now, ttl: timedelta = PENDING_TTL) -> None:
        self._clock = clock
        self._ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def start(self, cookie_value: str, request: AuthorisationRequest) -> None:
        """Keep ``request`` for the browser holding ``cookie_value``."""
        self._put(cookie_value, _Entry(self._clock(), request=request))

    def finish(self, cookie_value: str, state: str) -> AuthorisationRequest:
        """The request started by this browser, if ``state`` is its state; removed either way,
        so a replayed callback finds nothing. :class:`OidcError` otherwise."""
        with self._lock:
            entry = self._entries.pop(_key(cookie_value), None) if cookie_value else None
        if entry is None or entry.request is None:
            raise OidcError("no logon was started from this browser, or it was finished already")
        if self._clock() - entry.at > self._ttl:
            raise OidcError("the logon took too long; please start again")
        if not hmac.compare_digest(entry.request.state.encode(), state.encode()):
            raise OidcError("the provider's answer does not belong to this logon (state)")
        return entry.request

    def await_code(self, cookie_value: str, username: str) -> None:
        """Keep ``username`` until vigil's own TOTP code is given in this browser."""
        self._put(cookie_value, _Entry(self._clock(), username=username))

    def awaiting(self, cookie_value: str) -> str:
        """The username waiting for its TOTP code in this browser, or ``""``."""
        with self._lock:
            entry = self._entries.get(_key(cookie_value)) if cookie_value else None
        if entry is None or not entry.username or self._clock() - entry.at > self._ttl:
            return ""
        return entry.username

    def forget(self, cookie_value: str) -> None:
        with self._lock:
            self._entries.pop(_key(cookie_value), None)

    def _put(self, cookie_value: str, entry: _Entry) -> None:
        with self._lock:
            now = self._clock()
            for key in [k for k, e in self._entries.items() if now - e.at > self._ttl]:
                del self._entries[key]
            while len(self._entries) >= MAX_PENDING:
                del self._entries[next(iter(self._entries))]
            self._entries[_key(cookie_value)] = entry
