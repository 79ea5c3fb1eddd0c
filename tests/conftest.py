"""Store backends for any test: one test body runs on memory, SQLite and PostgreSQL.

PostgreSQL is the server named by ``VIGIL_TEST_POSTGRES_URL``; each test gets a schema of its
own (created here, dropped afterwards) and opens the store with libpq's search path set to it.
The PostgreSQL cases skip when the server cannot be reached, unless ``VIGIL_REQUIRE_POSTGRES=1``
(as in CI), where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from vigil.store.interfaces import Store
from vigil.store.open import open_store

pytest_plugins = ["tests.engines"]  # the sql_engine fixture: one test body on every SQL engine

POSTGRES_URL = os.environ.get(
    "VIGIL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
POSTGRES = pytest.param("postgresql", marks=pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        reason = f"PostgreSQL at {url.render_as_string()} is unreachable: {exc.orig}"
        if os.environ.get("VIGIL_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"VIGIL_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(f"{reason} (set VIGIL_TEST_POSTGRES_URL to run these)")
    yield engine
    engine.dispose()


def _postgres_schema_url(admin: Engine) -> Iterator[str]:
    schema = f"vigil_t_{uuid.uuid4().hex}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def _backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    backend = request.param
    if backend == "memory":
        yield "memory://"
    elif backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'vigil.db'}"
    else:
        yield from _postgres_schema_url(request.getfixturevalue("postgres_admin"))


@pytest.fixture(params=["memory", "sqlite", POSTGRES])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store's URL on every backend."""
    yield from _backend_url(request, tmp_path)


@pytest.fixture(params=["sqlite", POSTGRES])
def sql_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store's URL on the backends that keep data between opens."""
    yield from _backend_url(request, tmp_path)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


def _heavy_seconds(item: pytest.Item) -> float:
    mark = item.get_closest_marker("heavy")
    return float(mark.kwargs.get("seconds", 0)) if mark else 0.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules marked ``heavy`` run first, longest first (a stable sort: a module's tests stay
    together and in order, the rest keep collection order). ``make test`` hands whole modules to
    its two workers in this order, so the long ones start early and the workers end together."""
    items.sort(key=lambda item: -_heavy_seconds(item))
