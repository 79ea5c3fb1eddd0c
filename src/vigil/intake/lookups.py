"""One media lookup per store, kept in memory and rebuilt when its banks change.

Building a :class:`~vigil.media.banks.lookup.MediaLookup` reads every bank entry, which for a
large bank takes seconds; the service cannot pay that per request. The lookup is built once and
rebuilt when a bank is curated through the service (:meth:`LookupCache.invalidate`) or when it
is older than ``refresh_s`` (banks changed by the CLI are picked up that late). A rebuild swaps
the new lookup in whole, so a request never sees half an index (HMA builds its indexes offline
and swaps them in the same way: hasher-matcher-actioner, background_tasks/build_index.py).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from vigil.media.banks.flood import FloodConfig
from vigil.media.banks.lookup import MediaLookup
from vigil.store.interfaces import BankStore


@dataclass(frozen=True)
class IndexStatus:
    """What the loaded index holds, and how old it is (``/readyz`` shows it)."""

    loaded: bool
    built_at: datetime | None
    age_s: float | None
    size: int
    banks: dict[str, int]


class LookupCache:
    """The store's current media lookup, rebuilt on demand and when stale."""

    def __init__(self, banks: BankStore, pdq_index: str, refresh_s: float,
                 flood: FloodConfig | None = None) -> None:
        self._banks = banks
        self._pdq_index = pdq_index
        self._refresh_s = refresh_s
        self._flood = flood
        self._lock = threading.Lock()
        self._lookup: MediaLookup | None = None
        self._built = 0.0
        self._built_at: datetime | None = None
        self._per_bank: dict[str, int] = {}

    def get(self) -> MediaLookup:
        """The lookup, rebuilt first when invalidated or older than ``refresh_s``."""
        with self._lock:
            if self._lookup is None or time.monotonic() - self._built > self._refresh_s:
                self._rebuild()
            assert self._lookup is not None
            return self._lookup

    def current(self) -> MediaLookup | None:
        """The lookup if it is loaded and fresh (no I/O, no wait), else ``None``: call :meth:`get`.

        For an event loop, which must not wait for a rebuild that reads every bank entry.
        """
        lookup = self._lookup
        if lookup is None or time.monotonic() - self._built > self._refresh_s:
            return None
        return lookup

    def invalidate(self) -> None:
        """Rebuild at the next :meth:`get` (after a bank or entry changed)."""
        with self._lock:
            self._lookup = None

    def status(self) -> IndexStatus:
        with self._lock:
            lookup = self._lookup
            age = time.monotonic() - self._built if lookup is not None else None
            return IndexStatus(lookup is not None, self._built_at, age,
                               len(lookup) if lookup is not None else 0, dict(self._per_bank))

    def _rebuild(self) -> None:
        banks, entries = self._banks.banks(), self._banks.bank_entries()
        self._lookup = MediaLookup(banks, entries, self._pdq_index, self._flood)
        self._built = time.monotonic()
        self._built_at = datetime.now(UTC)
        counts = dict.fromkeys((b.name for b in banks), 0)
        for entry in entries:
            counts[entry.bank] = counts.get(entry.bank, 0) + 1
        self._per_bank = counts
