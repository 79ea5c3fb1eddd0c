"""Fresh stores already at the newest migration, without running the migrations for each test.

Migrating a new store costs tens of milliseconds on SQLite and a few tenths of a second on
PostgreSQL (Alembic loads and runs every migration, PostgreSQL updates its catalogs for each
step). The ``store_url`` fixtures of ``tests/conftest.py`` migrate once per test process (each
xdist worker) and hand out stores in the same state; a test of the migrations themselves takes
``unmigrated_sql_store_url`` and runs them for real.

- SQLite: the template is a file migrated by :func:`~vigil.store.open.open_store` (closed, so its
  write-ahead log is folded back into it); each test gets a byte-for-byte copy.
- PostgreSQL: each test gets a schema migrated by ``open_store`` for an earlier test of the same
  process and emptied since: every table holding rows truncated (new, empty files), every
  sequence drawn from restarted, then checked against the first migrated schema - its tables,
  columns, defaults, indexes, constraints, triggers, sequence positions and Alembic revision. A
  schema that differs in any of these is dropped instead, and the next test gets a newly
  migrated one. (Copying a database with ``CREATE DATABASE ... TEMPLATE`` was measured too: on
  PostgreSQL 15 each ``DROP DATABASE`` forces a checkpoint, so with other writers on the server
  a copy and its drop took about 0.5 s, more than migrating a schema.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

from vigil.store.open import open_store


def migrated_sqlite_file(folder: Path) -> Path:
    """A new SQLite store in ``folder``, migrated to the newest revision and closed."""
    path = folder / "migrated.db"
    open_store(f"sqlite:///{path}").close()
    if path.with_name(path.name + "-wal").exists():  # the last close folds the log back
        raise RuntimeError(f"{path} kept its write-ahead log after closing")
    return path


def sqlite_copy_url(template: Path, folder: Path) -> str:
    """The URL of a byte-for-byte copy of ``template`` in ``folder``."""
    path = folder / "vigil.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


