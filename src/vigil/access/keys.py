"""API keys: a random token shown once, stored as a SHA-256 of its secret, with scopes and a tenant.

A key is ``vgl_<key id>_<secret>``: the id finds the row, the secret (32 random bytes) proves it.
Only ``SHA-256(secret)`` is stored. A slow password hash (argon2, scrypt) protects *low-entropy*
secrets people choose against guessing after a database leak; a 256-bit random secret cannot be
guessed whichever hash is used, so a slow hash would only add tens of milliseconds to every
request for no gain (OWASP Password Storage Cheat Sheet: slow hashes are for passwords; NIST SP
800-63B section 5.1.1.2 asks for salted slow hashing of *memorized* secrets). The comparison is
constant-time (:func:`hmac.compare_digest`).

The service reads a key's row once per ``cache_s`` (:func:`key_store_for`), not once per request:
the secret is still checked against the stored hash on every request, and a revocation through
the same key store drops the cached row at once; one made elsewhere (``vigil keys revoke`` in
another process) takes effect within ``cache_s``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import Engine, select, update

from vigil.store import schema
from vigil.store.interfaces import Store
from vigil.store.retry import RetryPolicy, write_transaction
from vigil.store.sql import SqlStore

KEY_PREFIX = "vgl"
TENANT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]{0,39}$")
"""Tenant names: lower-case letters, digits and underscores (they name files and schemas)."""


class Scope(StrEnum):
    """What a key may do; each route needs exactly one (``vigil.web.policy`` lists them)."""

    INTAKE = "intake"
    LOOKUP = "lookup"
    CASES_READ = "cases:read"
    CASES_WRITE = "cases:write"
    ADMIN = "admin"


class KeySpecError(ValueError):
    """A key cannot be created as asked (bad tenant name, no scope)."""


@dataclass(frozen=True)
class ApiKey:
    """A client's key as stored, without its secret."""

    key_id: str
    tenant: str
    scopes: frozenset[Scope]
    name: str
    rate_per_s: float
    burst: int
    created_at: datetime
    revoked: bool = False


class KeyStore(Protocol):
    def add_key(self, key: ApiKey, secret_hash: str) -> None: ...
    def find_key(self, key_id: str) -> tuple[ApiKey, str] | None: ...
    def api_keys(self) -> list[ApiKey]: ...
    def revoke_key(self, key_id: str) -> bool: ...
    def cached_key(self, key_id: str) -> tuple[ApiKey, str] | None:
        """The key if it can be had without I/O (memory, or a fresh cached row), else None."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_key(keys: KeyStore, tenant: str, scopes: Iterable[Scope | str], *, name: str = "",
               rate_per_s: float = 50.0, burst: int = 200) -> tuple[ApiKey, str]:
    """A new key for ``tenant``: the stored key and the token to give the client (shown once)."""
    if not TENANT_PATTERN.match(tenant):
        raise KeySpecError(f"tenant {tenant!r}: use 1-40 lower-case letters, digits or "
                           "underscores, starting with a letter or digit")
    wanted = frozenset(Scope(s) for s in scopes)
    if not wanted:
        raise KeySpecError("a key needs at least one scope: " + ", ".join(s.value for s in Scope))
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    key = ApiKey(key_id, tenant, wanted, name, rate_per_s, burst, datetime.now(UTC))
    keys.add_key(key, hash_secret(secret))
    return key, f"{KEY_PREFIX}_{key_id}_{secret}"


def verify_key(keys: KeyStore, token: str, *, cached_only: bool = False) -> ApiKey | None:
    """The live key ``token`` proves, or ``None`` (unknown, wrong secret, revoked, malformed).

    ``cached_only`` answers without I/O: ``None`` also when the key is not cached (the web
    service then asks again off its event loop).
    """
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != KEY_PREFIX or not key_id or not secret:
        return None
    found = keys.cached_key(key_id) if cached_only else keys.find_key(key_id)
    if found is None:
        return None
    key, stored = found
    if not hmac.compare_digest(stored, hash_secret(secret)) or key.revoked:
        return None
    return key


class MemoryKeyStore:
    """Keys kept in this process (tests, a ``memory://`` deployment)."""

    def __init__(self) -> None:
        self._keys: dict[str, tuple[ApiKey, str]] = {}
        self._lock = threading.Lock()

    def add_key(self, key: ApiKey, secret_hash: str) -> None:
        with self._lock:
            self._keys[key.key_id] = (key, secret_hash)

    def find_key(self, key_id: str) -> tuple[ApiKey, str] | None:
        with self._lock:
            return self._keys.get(key_id)

    cached_key = find_key

    def api_keys(self) -> list[ApiKey]:
        with self._lock:
            return sorted((k for k, _ in self._keys.values()), key=lambda k: k.created_at)

    def revoke_key(self, key_id: str) -> bool:
        with self._lock:
            if key_id not in self._keys:
                return False
            key, secret_hash = self._keys[key_id]
            self._keys[key_id] = (replace(key, revoked=True), secret_hash)
            return True


class SqlKeyStore:
    """Keys in the ``api_keys`` table of the deployment's main store.

    With ``cache_s > 0`` a row read by :meth:`find_key` is kept that many seconds (found keys
    only: an unknown id is read again every time); :meth:`revoke_key` drops it at once.
    """

    def __init__(self, engine: Engine, retry: RetryPolicy | None = None,
                 cache_s: float = 0.0) -> None:
        self._engine = engine
        self._retry = retry or RetryPolicy()
        self._cache_s = cache_s
        self._cache: dict[str, tuple[float, tuple[ApiKey, str]]] = {}
        self._revocations = 0  # a row read before a revocation here must not be cached after

    def add_key(self, key: ApiKey, secret_hash: str) -> None:
        row = {"key_id": key.key_id, "secret_hash": secret_hash, "tenant": key.tenant,
               "scopes": json.dumps(sorted(s.value for s in key.scopes)), "name": key.name,
               "rate_per_s": key.rate_per_s, "burst": key.burst,
               "created_at": key.created_at.isoformat(), "revoked": key.revoked}
        with write_transaction(self._engine, self._retry) as conn:
            conn.execute(schema.api_keys.insert().values(row))

    def find_key(self, key_id: str) -> tuple[ApiKey, str] | None:
        cached = self.cached_key(key_id)
        if cached is not None:
            return cached
        table, revocations = schema.api_keys, self._revocations
        with self._engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.key_id == key_id)).mappings().first()
        if row is None:
            return None
        found = (_key_from_row(dict(row)), str(row["secret_hash"]))
        if self._cache_s > 0 and revocations == self._revocations:
            self._cache[key_id] = (time.monotonic() + self._cache_s, found)
        return found

    def cached_key(self, key_id: str) -> tuple[ApiKey, str] | None:
        entry = self._cache.get(key_id)  # one dict read: atomic, so no lock
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def api_keys(self) -> list[ApiKey]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(schema.api_keys)).mappings().all()
        return sorted((_key_from_row(dict(r)) for r in rows), key=lambda k: k.created_at)

    def revoke_key(self, key_id: str) -> bool:
        table = schema.api_keys
        with write_transaction(self._engine, self._retry) as conn:
            changed = conn.execute(update(table).where(table.c.key_id == key_id)
                                   .values(revoked=True))
        self._revocations += 1
        self._cache.pop(key_id, None)
        return bool(changed.rowcount)


def _key_from_row(row: dict[str, object]) -> ApiKey:
    return ApiKey(str(row["key_id"]), str(row["tenant"]),
                  frozenset(Scope(s) for s in json.loads(str(row["scopes"]))), str(row["name"]),
                  float(str(row["rate_per_s"])), int(str(row["burst"])),
                  datetime.fromisoformat(str(row["created_at"])), bool(row["revoked"]))


def key_store_for(store: Store, *, cache_s: float = 0.0) -> KeyStore:
    """The key store beside ``store``: its ``api_keys`` table, or memory for a memory store.

    ``cache_s``: how long a key's row is kept in this process (the web service's choice; the
    CLI reads the table every time).
    """
    if isinstance(store, SqlStore):
        return SqlKeyStore(store.engine, cache_s=cache_s)
    return MemoryKeyStore()
