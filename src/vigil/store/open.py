"""Open the store a database URL names, with its schema migrated to the newest revision.

This is the one place a URL becomes a store; the CLI and web service call :func:`open_store`
with the URL :func:`vigil.store.location.locate_store` chose and pass the narrow interfaces on.

Accepted URLs:

- ``memory://`` - a :class:`~vigil.store.memory.MemoryStore` (nothing is kept);
- ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` - the parent folder is created;
  ``sqlite://`` alone is a private in-memory database;
- ``postgresql://user@host:port/db`` - always through the psycopg 3 driver, whichever driver the
  URL names (``postgres://`` and ``postgresql+psycopg://`` are accepted too). To keep vigil's
  tables in a schema other than ``public``, set libpq's search path in the URL:
  ``postgresql://user@host/db?options=-csearch_path%3Dmyschema`` (the schema must exist).

Engines hide bound parameters from error messages (``hide_parameters=True``): a failed insert
must not print the names, phones and e-mails of the rows it carried. Migrations run under a
lock (SQLite ``BEGIN EXCLUSIVE``, a PostgreSQL advisory lock), so two processes opening a new
store at once do not both create its tables: the second waits and finds the schema at head.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, func, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from vigil.store import schema
from vigil.store.errors import (
    StoreError,
    StoreUnavailable,
    UnsupportedDatabaseURL,
    safe_description,
)
from vigil.store.interfaces import Store
from vigil.store.location import hide_password
from vigil.store.memory import MemoryStore
from vigil.store.retry import BEGIN_MODE, BUSY_MS, RetryPolicy, retrying, write_transaction
from vigil.store.sql import SqlStore

__all__ = ["DEFAULT_DATABASE_URL", "MEMORY_URL", "UnsupportedDatabaseURL", "create_store_engine",
           "migrate", "open_store", "record_count", "RECORD_COUNT_CAP"]

DEFAULT_DATABASE_URL = "sqlite:///./.vigil/vigil.db"
MEMORY_URL = "memory://"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_POSTGRES_DRIVERS = {"postgresql", "postgres", "postgresql+psycopg"}
POSTGRES_CONNECT_TIMEOUT_S = 10
"""Seconds to wait for a PostgreSQL server unless the URL sets ``connect_timeout`` itself."""
MIGRATION_LOCK_KEY = 0x76696769_6C000001
"""PostgreSQL advisory lock key held while migrating ("vigil" in ASCII, then 1)."""
RECORD_COUNT_CAP = 100_000
"""Records counted at most when a command says which store it opened."""
_SQLITE_BEGIN_MODES = {"", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"}


def open_store(url: str | None = None, retry: RetryPolicy | None = None) -> Store:
    """The store ``url`` names (``None``: :data:`DEFAULT_DATABASE_URL`), ready to use.

    ``retry`` bounds how long writes (and the migration) wait for other writers.
    Raises :class:`~vigil.store.errors.StoreError` subclasses with printable messages.
    """
    text_url = DEFAULT_DATABASE_URL if url is None else url
    if text_url == MEMORY_URL:
        return MemoryStore()
    policy = retry or RetryPolicy()
    engine = create_store_engine(text_url, policy)
    try:
        migrate(engine, policy)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreUnavailable(f"cannot open it: {safe_description(exc)}",
                               hide_password(text_url)) from exc
    except BaseException:
        engine.dispose()
        raise
    return SqlStore(engine, policy)


def create_store_engine(url: str, retry: RetryPolicy | None = None) -> Engine:
    """A SQLAlchemy engine for a SQLite or PostgreSQL URL, set up as :class:`SqlStore` needs."""
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, retry or RetryPolicy())
    connect_args = {} if "connect_timeout" in parsed.query else {
        "connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
    return create_engine(parsed.set(drivername="postgresql+psycopg"), hide_parameters=True,
                         connect_args=connect_args)


def migrate(engine: Engine, retry: RetryPolicy | None = None) -> None:
    """Bring the schema to the newest Alembic revision; a no-op when it is there already.

    The check needs no lock, so opening an up-to-date store never waits for a writer; an
    upgrade runs under the migration lock and checks again inside it.
    """
    config = _migration_config()
    head = _head_revision()
    policy = retry or RetryPolicy()
    if retrying(lambda _remaining: _revision(engine), policy) == head:
        return
    with write_transaction(engine, policy, mode="EXCLUSIVE") as connection:
        _lock_migrations(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _migration_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


@lru_cache(maxsize=1)
def _head_revision() -> str | None:
    """The newest revision, read once per process: Alembic loads every migration file to find
    it, which cost a server about 0.1 s per store it opened (one per tenant)."""
    return ScriptDirectory.from_config(_migration_config()).get_current_head()


def record_count(store: Store, cap: int = RECORD_COUNT_CAP) -> int | None:
    """How many records a SQL store holds, counting at most ``cap`` (``None`` for others).

    The cap keeps the count cheap enough to run on every command, however big the store.
    """
    if not isinstance(store, SqlStore):
        return None
    capped = select(schema.records.c.seq).limit(cap).subquery()
    with store.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(capped)) or 0)


def _revision(engine: Engine) -> str | None:
    """The schema's Alembic revision (``None`` for a new store)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _lock_migrations(connection: Connection) -> None:
    """PostgreSQL: wait for any other migration; SQLite's BEGIN EXCLUSIVE already did."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": MIGRATION_LOCK_KEY})


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise UnsupportedDatabaseURL(_unsupported("(not a URL)"), repr(url)) from exc
    if parsed.drivername == "sqlite" or parsed.drivername in _POSTGRES_DRIVERS:
        return parsed
    raise UnsupportedDatabaseURL(_unsupported(f"scheme {parsed.drivername!r}"),
                                 parsed.render_as_string(hide_password=True))


def _unsupported(what: str) -> str:
    return (
        f"unsupported database URL {what}: use {MEMORY_URL}, sqlite:///path/to/file.db "
        "or postgresql://user@host:port/database"
    )


def _sqlite_engine(url: URL, retry: RetryPolicy) -> Engine:
    if url.database in (None, "", ":memory:"):
        # One shared connection, or every pooled connection would see its own empty database.
        engine = create_engine(url, poolclass=StaticPool, hide_parameters=True,
                               connect_args={"check_same_thread": False})
    else:
        _make_folder(Path(url.database).parent, url)
        engine = create_engine(url, hide_parameters=True)
    busy_ms = max(1, int(retry.budget_s * 1000))
    event.listen(engine, "connect", _sqlite_connect(busy_ms))
    event.listen(engine, "begin", _sqlite_begin(busy_ms))
    return engine


def _make_folder(folder: Path, url: URL) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailable(f"cannot create the folder {folder}: {exc.strerror or exc}",
                               url.render_as_string(hide_password=True)) from exc


def _sqlite_connect(busy_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # vigil emits BEGIN itself (below), as SQLAlchemy's pysqlite docs advise, so that a
        # write can begin IMMEDIATE and take the writer lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # Wait for other writers instead of failing at once (sqlite.org/c3ref/busy_timeout.html);
        # set first, since switching to WAL below may itself wait for a lock.
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        # SQLite ignores foreign keys unless asked, per connection (sqlite.org/foreignkeys.html).
        cursor.execute("PRAGMA foreign_keys=ON")
        # Write-ahead logging: readers go on while an import writes (sqlite.org/wal.html).
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: in WAL mode a commit survives power loss only when the WAL is synced at every
        # commit; NORMAL may lose the last ones (sqlite.org/pragma.html, "synchronous").
        # The web intake acknowledges a report only after its commit, so it must survive.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    return on_connect


def _sqlite_begin(default_busy_ms: int) -> Callable[[Connection], None]:
    def on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        mode = str(options.get(BEGIN_MODE, "")).upper()
        if mode not in _SQLITE_BEGIN_MODES:
            raise StoreError(f"unknown SQLite BEGIN mode {mode!r}")
        busy_ms = int(options.get(BUSY_MS, default_busy_ms))
        connection.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
        connection.exec_driver_sql(f"BEGIN {mode}".rstrip())

    return on_begin
