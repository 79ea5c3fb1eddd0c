"""What can go wrong with a store, as errors whose text is safe to print.

Each message is composed by vigil from the URL (password hidden), a path or a count; none
carries a row's values, so the CLI can print it as it is. Errors SQLAlchemy raises while
reading or writing stay SQLAlchemy errors: their engines are created with
``hide_parameters=True``, so they do not carry the rows either.
"""

from __future__ import annotations


class StoreError(Exception):
    """A store could not be opened or used; the message is safe to show.

    ``problem`` says what went wrong; ``url`` (password hidden) names the store when known, so
    a caller that names the store itself can print ``problem`` alone.
    """

    def __init__(self, problem: str, url: str | None = None) -> None:
        super().__init__(f"{url}: {problem}" if url else problem)
        self.problem = problem
        self.url = url


class UnsupportedDatabaseURL(StoreError, ValueError):
    """The URL names a database vigil does not run on, or is not a URL at all."""


class StoreUnavailable(StoreError):
    """The store's server or file could not be reached, created or migrated."""


class StoreBusy(StoreError):
    """Other writers held the store for longer than the retry budget allowed."""

    def __init__(self, tries: int, seconds: float) -> None:
        super().__init__(
            f"store busy: gave up after {tries} {'try' if tries == 1 else 'tries'} over "
            f"{seconds:.1f} s (other writers held it; raise VIGIL_STORE_TIMEOUT to wait longer)"
        )
        self.tries = tries
        self.seconds = seconds


def safe_description(error: BaseException) -> str:
    """The error's class, plus the driver's first line where that names no row's values.

    Connection and locking errors (``OperationalError``) say things like ``database is locked``
    or ``connection refused``; constraint and data errors may quote a value (PostgreSQL's
    ``DETAIL: Key (email)=(...)``), so for those only the class is given.
    """
    original = getattr(error, "orig", None) or error
    name = type(original).__name__
    if type(error).__name__ not in ("OperationalError", "InterfaceError"):
        return name
    first = str(original).strip().splitlines()[0] if str(original).strip() else ""
    return f"{name}: {first[:200]}" if first else name
