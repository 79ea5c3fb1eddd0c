"""Migrated PostgreSQL schemas for tests, migrated once and emptied between tests
(see ``tests/store_copies.py`` for why, and for what is checked before a schema is reused)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from vigil.store.open import open_store

RESET_LOCK_TIMEOUT = "10s"
"""How long emptying a schema waits for a lock a test left held (then the test errs)."""

_SHAPE = """
SELECT coalesce(string_agg(item, E'\\n' ORDER BY item), '') FROM (
  SELECT 'relation ' || c.relkind::text || ' ' || c.relname AS item
  FROM pg_class c WHERE c.relnamespace = to_regnamespace(:schema)
  UNION ALL
  SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
         || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
  WHERE c.relnamespace = to_regnamespace(:schema)
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
  WHERE c.relnamespace = to_regnamespace(:schema)
  UNION ALL
  SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = to_regnamespace(:schema)
  UNION ALL
  SELECT 'trigger ' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
  WHERE c.relnamespace = to_regnamespace(:schema) AND NOT t.tgisinternal
  UNION ALL
  SELECT 'sequence ' || sequencename || ' ' || coalesce(last_value::text, 'unused')
  FROM pg_sequences WHERE schemaname = :schema
) AS parts
"""
"""Everything that tells a schema just migrated from one a test has used, but the rows; names
appear without the schema's own (indexes and constraints name it through their tables)."""


def schema_url(server_url: str, schema: str) -> str:
    """``server_url`` with libpq's search path set to ``schema``."""
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def _shape(conn: Connection, schema: str) -> str:
    described = conn.execute(text(_SHAPE), {"schema": schema}).scalar_one()
    versions: list[str] = []
    if conn.scalar(text("SELECT to_regclass(:table)"), {"table": f'"{schema}".alembic_version'}):
        versions = sorted(conn.execute(
            text(f'SELECT version_num FROM "{schema}".alembic_version')).scalars())
    return str(described).replace(f"{schema}.", "") + f"\nversions {versions}"


def _empty(conn: Connection, schema: str) -> None:
    """Truncate every table of ``schema`` that holds rows, but ``alembic_version`` (with any
    table whose foreign key names it, all empty then), and restart every sequence drawn from.
    Truncating gives a table new, empty files; the tables a test left empty are skipped, which
    saves most of the cost (each truncated table and index is a file made and synced)."""
    tables = conn.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = :schema"
        " AND tablename <> 'alembic_version' ORDER BY tablename"),
        {"schema": schema}).scalars().all()
    if tables:
        probe = " UNION ALL ".join(
            f'SELECT {n} WHERE EXISTS (SELECT FROM "{schema}"."{table}")'
            for n, table in enumerate(tables))
        filled = [tables[n] for n in conn.execute(text(probe)).scalars()]
        if filled:
            listed = ", ".join(f'"{schema}"."{table}"' for table in filled)
            conn.execute(text(f"TRUNCATE {listed} CASCADE"))
    drawn = conn.execute(text(
        "SELECT sequencename FROM pg_sequences WHERE schemaname = :schema"
        " AND last_value IS NOT NULL"), {"schema": schema}).scalars().all()
    for sequence in drawn:
        conn.execute(text(f'ALTER SEQUENCE "{schema}"."{sequence}" RESTART'))


class MigratedSchemas:
    """Schemas at the newest migration for one test process, each reused once emptied."""

    def __init__(self, admin: Engine, server_url: str) -> None:
        self._admin, self._server_url = admin, server_url
        self._free: list[str] = []
        self._made: list[str] = []
        self._migrated_shape: str | None = None

    @contextmanager
    def url(self) -> Iterator[str]:
        """The URL of a schema at the newest migration with no rows, for one test."""
        schema = self._free.pop() if self._free else self._migrated()
        try:
            yield schema_url(self._server_url, schema)
        finally:
            self._give_back(schema)

    def close(self) -> None:
        """Drop every schema made here (one a failed test left behind too)."""
        self._free.clear()
        while self._made:
            self._drop(self._made.pop())

    def _migrated(self) -> str:
        schema = f"vigil_m_{uuid.uuid4().hex}"
        with self._admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        self._made.append(schema)
        open_store(schema_url(self._server_url, schema)).close()  # migrates it, as any open
        if self._migrated_shape is None:
            with self._admin.connect() as conn:
                self._migrated_shape = _shape(conn, schema)
        return schema

    def _give_back(self, schema: str) -> None:
        """Empty ``schema`` for the next test, or drop it when it is not as migrated."""
        with self._admin.begin() as conn:
            conn.execute(text(f"SET LOCAL lock_timeout = '{RESET_LOCK_TIMEOUT}'"))
            _empty(conn, schema)
            as_migrated = _shape(conn, schema) == self._migrated_shape
        if as_migrated:
            self._free.append(schema)
        else:
            self._made.remove(schema)
            self._drop(schema)

    def _drop(self, schema: str) -> None:
        with self._admin.begin() as conn:
            conn.execute(text(f"SET LOCAL lock_timeout = '{RESET_LOCK_TIMEOUT}'"))
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
