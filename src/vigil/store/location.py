"""Which store a command uses: the configured URL, ``VIGIL_HOME``, or the nearest ``.vigil/``.

Without a setting, vigil looks for an existing ``.vigil/vigil.db`` in the current folder and its
parents, as git looks for ``.git/``, so ``vigil run`` from a sub-folder of a project finds the
project's store instead of silently starting an empty one. Only when none exists is a new one
made in the current folder. Every command says which store it opened and how it was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from vigil.store.errors import UnsupportedDatabaseURL

STORE_FOLDER = ".vigil"
STORE_FILE = "vigil.db"


@dataclass(frozen=True)
class StoreLocation:
    """A store's URL and why it was chosen (the setting or the search that named it)."""

    url: str
    origin: str

    @property
    def shown(self) -> str:
        """The URL with any password hidden, for messages."""
        return hide_password(self.url)


def locate_store(database_url: str | None, home: Path | None = None,
                 cwd: Path | None = None) -> StoreLocation:
    """The store for these settings: ``database_url``, else ``home``, else the nearest store."""
    folder = (cwd or Path.cwd()).resolve()
    if database_url is not None:
        if not database_url.strip():
            raise UnsupportedDatabaseURL(
                "VIGIL_DATABASE_URL is set but empty: unset it or name a store, such as "
                "sqlite:///path/to/vigil.db or postgresql://user@host:5432/database")
        return StoreLocation(_absolute_sqlite(database_url, folder), "VIGIL_DATABASE_URL")
    if home is not None:
        return StoreLocation(_sqlite_url(folder / home / STORE_FILE), "VIGIL_HOME")
    found = find_store_folder(folder)
    if found is not None:
        origin = "found here" if found == folder / STORE_FOLDER else "found in a parent folder"
        return StoreLocation(_sqlite_url(found / STORE_FILE), origin)
    return StoreLocation(_sqlite_url(folder / STORE_FOLDER / STORE_FILE), "new, in this folder")


def find_store_folder(start: Path) -> Path | None:
    """The nearest ``.vigil/`` holding a store, in ``start`` or one of its parents."""
    for folder in (start, *start.parents):
        candidate = folder / STORE_FOLDER
        if (candidate / STORE_FILE).is_file():
            return candidate
    return None


def hide_password(url: str) -> str:
    """``url`` with its password replaced by ``***`` (unparsable text is returned as it is)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _absolute_sqlite(url: str, folder: Path) -> str:
    """A relative SQLite path made absolute, so messages name the real file."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url  # open_store explains what is wrong with it
    database = parsed.database
    if parsed.drivername != "sqlite" or database in (None, "", ":memory:"):
        return url
    if Path(database).is_absolute():
        return url
    return parsed.set(database=str(folder / database)).render_as_string(hide_password=False)
