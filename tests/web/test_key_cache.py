"""The service's key cache: one read of a key's row per ``cache_s``, revocation honoured."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import event

from vigil import Scope, create_key, key_store_for, verify_key
from vigil.store.open import open_store
from vigil.store.sql import SqlStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with closing(open_store(f"sqlite:///{tmp_path / 'vigil.db'}")) as opened:
        assert isinstance(opened, SqlStore)
        yield opened


def reads_of(store: SqlStore) -> list[str]:
    """The reads of the ``api_keys`` table from now on."""
    seen: list[str] = []

    def log(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if statement.startswith("SELECT") and "FROM api_keys" in statement:
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", log)
    return seen


def test_a_verified_key_is_read_once_then_served_from_memory(store: SqlStore) -> None:
    keys = key_store_for(store, cache_s=60)
    key, token = create_key(keys, "acme", [Scope.INTAKE])
    assert verify_key(keys, token, cached_only=True) is None  # not read yet
    reads = reads_of(store)
    assert [verify_key(keys, token) for _ in range(5)] == [key] * 5
    assert verify_key(keys, token, cached_only=True) == key
    assert len(reads) == 1
    assert verify_key(keys, token[:-2] + "xx") is None  # the secret is checked every time


def test_a_revocation_through_the_same_store_is_at_once(store: SqlStore) -> None:
    keys = key_store_for(store, cache_s=60)
    key, token = create_key(keys, "acme", [Scope.INTAKE])
    assert verify_key(keys, token) == key
    assert keys.revoke_key(key.key_id)
    assert verify_key(keys, token, cached_only=True) is None
    assert verify_key(keys, token) is None


def test_a_revocation_elsewhere_takes_effect_within_cache_s(store: SqlStore) -> None:
    keys = key_store_for(store, cache_s=0.2)
    key, token = create_key(keys, "acme", [Scope.INTAKE])
    assert verify_key(keys, token) == key
    assert key_store_for(store).revoke_key(key.key_id)  # e.g. `vigil keys revoke`
    time.sleep(0.25)
    assert verify_key(keys, token) is None


def test_unknown_keys_and_the_cli_store_are_not_cached(store: SqlStore) -> None:
    cached, plain = key_store_for(store, cache_s=60), key_store_for(store)
    key, token = create_key(plain, "acme", [Scope.INTAKE])
    reads = reads_of(store)
    assert verify_key(cached, "vgl_0000_nope") is None
    assert verify_key(cached, "vgl_0000_nope") is None
    assert verify_key(plain, token) == key and verify_key(plain, token) == key
    assert verify_key(plain, token, cached_only=True) is None
    assert len(reads) == 4
