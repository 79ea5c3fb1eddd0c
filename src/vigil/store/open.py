"""Open the store a database URL names, with its schema migrated to the newest revision.

This is the one place a URL becomes a store; the CLI and web service call :func:`open_store`
with the configured ``database_url`` and pass the narrow interfaces on from there.

Accepted URLs:

- ``memory://`` - a :class:`~vigil.store.memory.MemoryStore` (nothing is kept);
- ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` - the parent folder is created;
  ``sqlite://`` alone is a private in-memory database;
- ``postgresql://user@host:port/db`` - always through the psycopg 3 driver, whichever driver the
  URL names (``postgres://`` and ``postgresql+psycopg://`` are accepted too). To keep vigil's
  tables in a schema other than ``public``, set libpq's search path in the URL:
  ``postgresql://user@host/db?options=-csearch_path%3Dmyschema`` (the schema must exist).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from vigil.store.interfaces import Store
from vigil.store.memory import MemoryStore
from vigil.store.sql import SqlStore

DEFAULT_DATABASE_URL = "sqlite:///./.vigil/vigil.db"
MEMORY_URL = "memory://"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_POSTGRES_DRIVERS = {"postgresql", "postgres", "postgresql+psycopg"}


class UnsupportedDatabaseURL(ValueError):
    """The URL names a database vigil does not run on, or is not a URL at all."""


def open_store(url: str | None = None) -> Store:
    """The store ``url`` names (``None``: :data:`DEFAULT_DATABASE_URL`), ready to use."""
    text = DEFAULT_DATABASE_URL if url is None else url
    if text == MEMORY_URL:
        return MemoryStore()
    engine = create_store_engine(text)
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return SqlStore(engine)


def create_store_engine(url: str) -> Engine:
    """A SQLAlchemy engine for a SQLite or PostgreSQL URL, set up as :class:`SqlStore` needs."""
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return create_engine(parsed.set(drivername="postgresql+psycopg"))


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision; a no-op when it is there already."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise UnsupportedDatabaseURL(_unsupported(repr(url))) from exc
    if parsed.drivername == "sqlite" or parsed.drivername in _POSTGRES_DRIVERS:
        return parsed
    shown = parsed.render_as_string(hide_password=True)
    raise UnsupportedDatabaseURL(_unsupported(f"{shown!r} (scheme {parsed.drivername!r})"))


def _unsupported(what: str) -> str:
    return (
        f"unsupported database URL {what}: use {MEMORY_URL}, sqlite:///path/to/file.db "
        "or postgresql://user@host:port/database"
    )


def _sqlite_engine(url: URL) -> Engine:
    if url.database in (None, "", ":memory:"):
        # One shared connection, or every pooled connection would see its own empty database.
        engine = create_engine(
            url, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless asked, per connection (sqlite.org/foreignkeys.html).
    cursor.execute("PRAGMA foreign_keys=ON")
    # Write-ahead logging lets the web service read while an import writes (sqlite.org/wal.html).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
