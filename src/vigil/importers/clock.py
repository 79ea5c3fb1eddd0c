"""The import clock: how far into the future a record may be dated when it is imported.

A record dated far ahead (a report "from" 2099) would make every other case look stale, since
recency is measured from the newest signal. Every import path checks its records against this
clock with :func:`vigil.records.check_not_future`; the caller sets the skew once
(``VIGIL_MAX_FUTURE_SKEW_HOURS``) with :func:`import_clock`, and without it the default skew
applies to the wall clock at the moment of the check.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DEFAULT_MAX_FUTURE_SKEW = timedelta(hours=24)
"""The default of ``VIGIL_MAX_FUTURE_SKEW_HOURS`` (see :class:`vigil.settings.Settings`)."""


@dataclass(frozen=True)
class ImportClock:
    """``now`` (``None``: the wall clock when asked) and the skew allowed after it."""

    max_skew: timedelta = DEFAULT_MAX_FUTURE_SKEW
    now: datetime | None = None

    def latest(self) -> datetime:
        """The latest time a record may carry."""
        return (self.now or datetime.now(UTC)) + self.max_skew


_CLOCK: ContextVar[ImportClock | None] = ContextVar("vigil_import_clock", default=None)


def current_clock() -> ImportClock:
    """The clock set by :func:`import_clock`, else the default skew on the wall clock."""
    return _CLOCK.get() or ImportClock()


@contextmanager
def import_clock(max_skew: timedelta, now: datetime | None = None) -> Iterator[ImportClock]:
    """Imports inside the block check record times against ``now`` + ``max_skew``."""
    clock = ImportClock(max_skew, now)
    token = _CLOCK.set(clock)
    try:
        yield clock
    finally:
        _CLOCK.reset(token)
