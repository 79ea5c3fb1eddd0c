"""One media lookup per store, kept in memory and rebuilt when its banks change.

Building a :class:`~vigil.media.banks.lookup.MediaLookup` reads every bank entry, which for a
large bank takes seconds; the service cannot pay that per request. The lookup is built once and
rebuilt when a bank is curated through the service (:meth:`LookupCache.invalidate`: the next
request waits for the rebuild, so a curation is matched at once) or when it is older than
``refresh_s`` (banks changed by the CLI are picked up that late). The age-based rebuild runs in
a background thread while requests go on matching against the lookup they have: a 1M-hash bank
takes seconds to read, and HMA's users report its matcher locking up while an index is rebuilt.
A rebuild swaps the new lookup in whole, so a request never sees half an index (HMA builds its
indexes offline and swaps them in the same way: hasher-matcher-actioner,
background_tasks/build_index.py).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from vigil.media.banks.flood import FloodConfig
from vigil.media.banks.lookup import MediaLookup
from vigil.store.interfaces import BankStore

log = logging.getLogger(__name__)


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
        self._refresher: threading.Thread | None = None
        self._generation = 0  # bumped by invalidate(): a refresh begun before it is dropped

    def get(self) -> MediaLookup:
        """The lookup: built first if there is none (or it was invalidated); when it is only
        older than ``refresh_s``, this one, while a background rebuild replaces it."""
        lookup = self.current()
        if lookup is not None:
            return lookup
        with self._lock:
            if self._lookup is None:
                self._install(*self._build())
            return self._lookup  # type: ignore[return-value]

    def current(self) -> MediaLookup | None:
        """The loaded lookup (no I/O, no wait), or ``None`` when there is none yet: call
        :meth:`get`, off the event loop. A stale one is returned and refreshed behind it."""
        lookup = self._lookup
        if lookup is not None and time.monotonic() - self._built > self._refresh_s:
            self._refresh_behind()
        return lookup

    def invalidate(self) -> None:
        """Rebuild at the next :meth:`get` (after a bank or entry changed)."""
        with self._lock:
            self._lookup = None
            self._generation += 1

    def close(self) -> None:
        """Wait for a background rebuild in progress (the store closes after this)."""
        refresher = self._refresher
        if refresher is not None:
            refresher.join()

    def _refresh_behind(self) -> None:
        with self._lock:
            if self._refresher is not None and self._refresher.is_alive():
                return
            generation = self._generation
            self._refresher = threading.Thread(target=self._refresh, args=(generation,),
                                               name="vigil-index-refresh", daemon=True)
            self._refresher.start()

    def _refresh(self, generation: int) -> None:
        try:
            built = self._build()
        except Exception:  # the store's text may name a host or file: logged by type only
            log.exception("index refresh failed; matching goes on against the loaded index")
            with self._lock:
                self._built = time.monotonic()  # try again after another refresh_s
            return
        with self._lock:
            if generation == self._generation and self._lookup is not None:
                self._install(*built)

    def status(self) -> IndexStatus:
        with self._lock:
            lookup = self._lookup
            age = time.monotonic() - self._built if lookup is not None else None
            return IndexStatus(lookup is not None, self._built_at, age,
                               len(lookup) if lookup is not None else 0, dict(self._per_bank))

    def _build(self) -> tuple[MediaLookup, dict[str, int]]:
        banks, entries = self._banks.banks(), self._banks.bank_entries()
        counts = dict.fromkeys((b.name for b in banks), 0)
        for entry in entries:
            counts[entry.bank] = counts.get(entry.bank, 0) + 1
        return MediaLookup(banks, entries, self._pdq_index, self._flood), counts

    def _install(self, lookup: MediaLookup, per_bank: dict[str, int]) -> None:
        """Swap in a built lookup (the caller holds the lock)."""
        self._lookup, self._per_bank = lookup, per_bank
        self._built = time.monotonic()
        self._built_at = datetime.now(UTC)
