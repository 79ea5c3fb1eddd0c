"""The reference indexes: brute-force PDQ (every query against every code) and exact hashes.

Slow and obviously correct, as python-threatexchange's first index is; the fast indexes
(``index/segmented.py``) are tested against :class:`BruteForcePdqIndex`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from vigil.media.banks.records import BankEntry
from vigil.media.index.base import (
    EntryKey,
    HashIndex,
    Match,
    as_code_words,
    check_pdq_entries,
    check_pdq_hex,
    pack_pdq_hex,
    popcount_rows,
    sort_matches,
)


@dataclass(frozen=True)
class _BruteState:
    entries: tuple[BankEntry, ...]
    codes: np.ndarray
    alive: np.ndarray


class BruteForcePdqIndex(HashIndex):
    """Every query XORs against every stored code: exact, simple, linear in the bank's size.

    Copy-on-write: a change builds new arrays under a lock and publishes them as one tuple; a
    query reads that tuple once. Each change copies everything (O(n)): this is the reference.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = _BruteState((), np.zeros((0, 4), dtype=np.uint64), np.zeros(0, dtype=bool))

    def add(self, entries: Sequence[BankEntry]) -> list[int]:
        check_pdq_entries(entries)
        with self._lock:
            old = self._state
            self._state = _BruteState(
                old.entries + tuple(entries),
                np.concatenate([old.codes, pack_pdq_hex([e.hash for e in entries])]),
                np.concatenate([old.alive, np.ones(len(entries), dtype=bool)]))
            return list(range(len(old.entries), len(old.entries) + len(entries)))

    def remove(self, keys: Iterable[EntryKey]) -> int:
        with self._lock:
            state = self._state
            alive = state.alive.copy()
            for key in keys:
                alive[self._ids_of(state, key)] = False
            self._state = _BruteState(state.entries, state.codes, alive)
            return int(state.alive.sum() - alive.sum())

    @staticmethod
    def _ids_of(state: _BruteState, key: EntryKey) -> list[int]:
        if isinstance(key, int | np.integer):
            return [int(key)] if 0 <= key < len(state.entries) else []
        if isinstance(key, str):
            check_pdq_hex(key)
            return np.flatnonzero(popcount_rows(state.codes ^ pack_pdq_hex([key])) == 0).tolist()
        return [i for i, entry in enumerate(state.entries) if entry == key]

    def query(self, hex_hash: str, max_distance: int) -> list[Match]:
        check_pdq_hex(hex_hash)
        return self._scan(self._state, pack_pdq_hex([hex_hash]), max_distance)

    def query_many(self, codes: np.ndarray, max_distance: int) -> list[list[Match]]:
        state = self._state
        return [self._scan(state, row[None, :], max_distance) for row in as_code_words(codes)]

    @staticmethod
    def _scan(state: _BruteState, code: np.ndarray, max_distance: int) -> list[Match]:
        distances = popcount_rows(state.codes ^ code)
        hits = np.flatnonzero((distances <= max_distance) & state.alive)
        return sort_matches(Match(state.entries[i], int(distances[i])) for i in hits)

    def __len__(self) -> int:
        return int(self._state.alive.sum())


class ExactIndex(HashIndex):
    """A dict from hash to entries, for cryptographic hashes (MD5) where only equality counts.

    Copy-on-write per hash: a change replaces a hash's tuple of (id, entry) under a lock; a query
    reads one tuple, which is never modified.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_hash: dict[str, tuple[tuple[int, BankEntry], ...]] = {}
        self._hash_of_id: dict[int, str] = {}
        self._next_id = 0

    def add(self, entries: Sequence[BankEntry]) -> list[int]:
        with self._lock:
            ids = list(range(self._next_id, self._next_id + len(entries)))
            for entry_id, entry in zip(ids, entries, strict=True):
                digest = entry.hash.lower()
                self._by_hash[digest] = (*self._by_hash.get(digest, ()), (entry_id, entry))
                self._hash_of_id[entry_id] = digest
            self._next_id += len(entries)
            return ids

    def remove(self, keys: Iterable[EntryKey]) -> int:
        removed = 0
        with self._lock:
            for key in keys:
                if isinstance(key, int | np.integer):
                    digest = self._hash_of_id.get(int(key), "")
                else:
                    digest = (key if isinstance(key, str) else key.hash).lower()
                held = self._by_hash.get(digest, ())
                kept = tuple(pair for pair in held if not _names(key, *pair))
                if kept:
                    self._by_hash[digest] = kept  # one assignment: readers see old or new
                elif held:
                    del self._by_hash[digest]
                removed += len(held) - len(kept)
        return removed

    def query(self, hex_hash: str, max_distance: int = 0) -> list[Match]:
        """``max_distance`` is accepted for the interface; a cryptographic hash has no "near"."""
        return sort_matches(Match(entry, 0) for _, entry in self._by_hash.get(hex_hash.lower(), ()))

    def __len__(self) -> int:
        return sum(len(held) for held in list(self._by_hash.values()))


def _names(key: EntryKey, entry_id: int, entry: BankEntry) -> bool:
    """Whether ``key`` names this entry (a hash names every entry that has it)."""
    if isinstance(key, int | np.integer):
        return entry_id == key
    if isinstance(key, str):
        return entry.hash.lower() == key.lower()
    return entry == key
