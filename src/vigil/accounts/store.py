"""Where accounts, sessions and reveal counts are kept: one narrow interface, two backends.

:class:`MemoryAccountStore` ships for tests and ``memory://`` stores;
:class:`vigil.accounts.sql.SqlAccountStore` keeps the same in the SQL store's database. One test
body runs on both. :func:`account_store` picks the one that matches an opened store.
"""

from __future__ import annotations

import weakref
from dataclasses import replace
from datetime import date
from typing import Protocol

from vigil.accounts.errors import AccountExistsError, UnknownAccountError
from vigil.accounts.model import Account, SessionRecord


class AccountStore(Protocol):
    def add_account(self, account: Account) -> None:
        """Store a new account; :class:`AccountExistsError` if the username is taken."""

    def account(self, username: str) -> Account | None: ...

    def accounts(self) -> list[Account]:
        """Every account, by username."""

    def save_account(self, account: Account) -> None:
        """Replace the stored account of that username (:class:`UnknownAccountError` if none),
        all but ``totp_last_step``, which only :meth:`use_totp_step` moves."""

    def use_totp_step(self, username: str, step: int) -> bool:
        """Record ``step`` as used if it is later than the last used one, atomically; ``False``
        if it is not (a replay, possibly by a concurrent logon with the same code)."""

    def add_session(self, session: SessionRecord) -> None: ...
    def session(self, id_hash: str) -> SessionRecord | None: ...
    def save_session(self, session: SessionRecord) -> None: ...

    def count_reveal(self, username: str, day: date) -> int:
        """Add one to ``username``'s reveals on ``day`` and return the new count."""


class MemoryAccountStore:
    """:class:`AccountStore` in dictionaries."""

    def __init__(self) -> None:
        self._accounts: dict[str, Account] = {}
        self._sessions: dict[str, SessionRecord] = {}
        self._reveals: dict[tuple[str, date], int] = {}

    def add_account(self, account: Account) -> None:
        if account.username in self._accounts:
            raise AccountExistsError(f"an account named {account.username!r} exists already")
        self._accounts[account.username] = account

    def account(self, username: str) -> Account | None:
        return self._accounts.get(username)

    def accounts(self) -> list[Account]:
        return [self._accounts[name] for name in sorted(self._accounts)]

    def save_account(self, account: Account) -> None:
        stored = self._accounts.get(account.username)
        if stored is None:
            raise UnknownAccountError(account.username)
        self._accounts[account.username] = replace(account, totp_last_step=stored.totp_last_step)

    def use_totp_step(self, username: str, step: int) -> bool:
        stored = self._accounts.get(username)
        if stored is None or step <= stored.totp_last_step:
            return False
        self._accounts[username] = replace(stored, totp_last_step=step)
        return True

    def add_session(self, session: SessionRecord) -> None:
        self._sessions[session.id_hash] = session

    def session(self, id_hash: str) -> SessionRecord | None:
        return self._sessions.get(id_hash)

    def save_session(self, session: SessionRecord) -> None:
        self._sessions[session.id_hash] = replace(session)

    def count_reveal(self, username: str, day: date) -> int:
        key = (username, day)
        self._reveals[key] = self._reveals.get(key, 0) + 1
        return self._reveals[key]


_MEMORY: weakref.WeakKeyDictionary[object, MemoryAccountStore] = weakref.WeakKeyDictionary()


def account_store(store: object) -> AccountStore:
    """The accounts kept with an opened store: in its database for a SQL store, else in memory
    for as long as the (memory) store object lives."""
    from vigil.accounts.sql import SqlAccountStore
    from vigil.store.sql import SqlStore

    if isinstance(store, SqlStore):
        return SqlAccountStore(store.engine)
    found = _MEMORY.get(store)
    if found is None:
        found = _MEMORY[store] = MemoryAccountStore()
    return found
