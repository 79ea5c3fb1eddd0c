"""The test fixtures' migrated stores (tests/store_copies.py) are what a migration would give:
opened, they are found at head without migrating again; a reused PostgreSQL schema has no rows
left and restarted sequences, and one a test changed is not handed out again."""

from __future__ import annotations

from contextlib import closing

import pytest
from alembic import command
from sqlalchemy import Engine, text

from tests.conftest import POSTGRES_URL
from tests.postgres_schemas import MigratedSchemas
from tests.store.test_store_contract import _records
from vigil.store.open import _head_revision, open_store, record_count
from vigil.store.sql import SqlStore


def _refuse_upgrades(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a migrated store was migrated again")

    monkeypatch.setattr(command, "upgrade", refused)


def test_a_migrated_store_opens_at_head_without_migrating(sql_store_url: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _refuse_upgrades(monkeypatch)
    with closing(open_store(sql_store_url)) as store:
        assert isinstance(store, SqlStore)
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [
                (_head_revision(),)]
        assert record_count(store) == 0 and store.cases() == [] == store.audit_events()


@pytest.mark.postgres
def test_a_reused_schema_is_empty_and_a_changed_one_is_dropped(postgres_admin: Engine) -> None:
    schemas = MigratedSchemas(postgres_admin, POSTGRES_URL)
    try:
        with schemas.url() as url, closing(open_store(url)) as store:
            store.add_records(_records(1))
        with schemas.url() as again, closing(open_store(again)) as store:
            assert again == url and record_count(store) == 0
            store.add_records(_records(2)[:1])
            assert isinstance(store, SqlStore)
            with store.engine.begin() as conn:
                assert conn.scalar(text("SELECT max(seq) FROM records")) == 1  # restarted
                conn.execute(text("ALTER TABLE records ADD COLUMN extra TEXT"))
        with schemas.url() as third:
            assert third != url
        with postgres_admin.connect() as conn:
            schema = url.rsplit("%3D", 1)[-1]
            assert conn.scalar(text("SELECT to_regnamespace(:s)"), {"s": schema}) is None
    finally:
        schemas.close()
