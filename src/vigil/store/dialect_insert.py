"""The ``INSERT`` statement of the store's SQL dialect, for ``ON CONFLICT`` clauses.

SQLAlchemy's core ``insert`` has no ``ON CONFLICT``; SQLite's and PostgreSQL's dialect inserts
both have ``on_conflict_do_nothing`` and ``on_conflict_do_update`` (SQLAlchemy 2 docs, "INSERT...
ON CONFLICT (Upsert)"). Every writer that skips or merges a stored key builds its statement
here, so a third backend is refused in one place.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite

SUPPORTED = ("sqlite", "postgresql")


def dialect_insert(dialect: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An ``INSERT`` into ``table`` in ``dialect`` (an engine's ``dialect.name``)."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"vigil's SQL store supports {' and '.join(SUPPORTED)}, not {dialect!r}")


__all__ = ["SUPPORTED", "dialect_insert"]
