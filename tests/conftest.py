"""Store backends for any test: one test body runs on memory, SQLite and PostgreSQL.

``store_url`` and ``sql_store_url`` name a fresh, empty store already at the newest migration,
migrated once per test process (``tests/store_copies.py``): a copy of a migrated SQLite file,
a migrated PostgreSQL schema emptied since its last test. Opening one runs the normal code path,
which finds the schema at head. Tests of the migrations themselves take
``unmigrated_sql_store_url``: a database without a table, migrated by whatever the test opens.

PostgreSQL is the server named by ``VIGIL_TEST_POSTGRES_URL``; each test gets a schema of its
own in the URL's database, opened with libpq's search path set to it (an unmigrated one is
created for the test and dropped afterwards). The PostgreSQL cases skip when the server cannot
be reached, unless ``VIGIL_REQUIRE_POSTGRES=1`` (as in CI), where they fail instead.
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

from tests.postgres_schemas import MigratedSchemas, schema_url
from tests.store_copies import migrated_sqlite_file, sqlite_copy_url
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
        yield schema_url(POSTGRES_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store migrated once per test process, copied by ``store_url``."""
    return migrated_sqlite_file(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def migrated_schemas(postgres_admin: Engine) -> Iterator[MigratedSchemas]:
    """PostgreSQL schemas migrated once per test process, emptied between tests."""
    schemas = MigratedSchemas(postgres_admin, POSTGRES_URL)
    yield schemas
    schemas.close()


def _migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    backend = request.param
    if backend == "memory":
        yield "memory://"
    elif backend == "sqlite":
        yield sqlite_copy_url(request.getfixturevalue("sqlite_template"), tmp_path)
    else:
        with request.getfixturevalue("migrated_schemas").url() as url:
            yield url


@pytest.fixture(params=["memory", "sqlite", POSTGRES])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store's URL on every backend, its schema at the newest migration."""
    yield from _migrated_url(request, tmp_path)


@pytest.fixture(params=["sqlite", POSTGRES])
def sql_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store's URL on the backends that keep data between opens, its schema at
    the newest migration."""
    yield from _migrated_url(request, tmp_path)


@pytest.fixture(params=["sqlite", POSTGRES])
def unmigrated_sql_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database without a single table, for tests of the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'vigil.db'}"
    else:
        yield from _postgres_schema_url(request.getfixturevalue("postgres_admin"))


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
