"""A fake clock and an account service on every store backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

from vigil.accounts.model import Role
from vigil.accounts.service import AccountService
from vigil.accounts.store import account_store
from vigil.store.interfaces import Store
from vigil.store.open import open_store

PASSWORD = "correct horse battery"
CHEAP_HASHER = PasswordHasher.from_parameters(CHEAPEST)
"""argon2id at its smallest cost, so the tests stay fast; the product keeps the default."""


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 9, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


@pytest.fixture
def service(store: Store, clock: FakeClock) -> AccountService:
    return AccountService(account_store(store), store, clock=clock, hasher=CHEAP_HASHER)


@pytest.fixture
def secret(service: AccountService) -> str:
    """The TOTP secret of ``ana``, an analyst of tenant ``ngo-1``."""
    return service.create_account("ana", Role.ANALYST, "ngo-1", PASSWORD,
                                  created_by="admin-1").secret
