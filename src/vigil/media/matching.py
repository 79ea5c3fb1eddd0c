"""Finding bank hashes near a query hash: the index interface, the brute-force reference, banks.

As in python-threatexchange (``signal_type/index.py``), the first index is brute force and easy to
trust; the fast ones (multi-index hashing, the GPU; ``index_factory.py``) sit behind the same
:class:`HashIndex` and are tested against it. Unlike HMA, which rebuilds its whole index to add a
hash (media.md §1.1), every index here takes additions and removals while it serves queries.
"""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np

from vigil.media.hashing import PDQ_QUALITY_THRESHOLD
from vigil.store.interfaces import BankEntry, BankInfo, BankStore

PDQ_MATCH_THRESHOLD = 31
"""Hamming distance <= 31 of 256 bits is a match (pdq/README.md; pytx
``PDQ_CONFIDENT_MATCH_THRESHOLD``; media.md §2.1). Inclusive."""

__all__ = [
    "PDQ_MATCH_THRESHOLD", "PDQ_QUALITY_THRESHOLD", "BankMatcher", "BruteForcePdqIndex",
    "EntryKey", "MATCH_SCORE_AT_THRESHOLD", "ExactIndex", "HashIndex", "Match", "as_code_words",
    "match_score", "pack_pdq_hex", "popcount_rows",
]

_PDQ_HEX = re.compile(r"^[0-9a-fA-F]{64}$")
_POPCOUNT_BYTE = np.array([bin(value).count("1") for value in range(256)], dtype=np.uint8)
"""Set bits of every byte value: the popcount fallback for NumPy < 2.0 (no ``bitwise_count``)."""

EntryKey = str | int | BankEntry
"""What :meth:`HashIndex.remove` takes: a hex hash (every entry with it), an entry id (from
:meth:`HashIndex.add`), or one bank entry (every entry equal to it)."""


@dataclass(frozen=True)
class Match:
    """A bank entry within reach of a query, and how many bits apart they are (0 for exact)."""

    entry: BankEntry
    distance: int


MATCH_SCORE_AT_THRESHOLD = 0.6
"""vigil's choice, not a published figure: a hit at the threshold is still a "confident match"
(pytx ``PDQ_CONFIDENT_MATCH_THRESHOLD``), so it stays above an even 0.5; below 1.0 because the
nearer a hash is to the threshold, the likelier an unrelated picture or an overzealous list entry
(media.md §1.4 item 3)."""


def match_score(distance: int, threshold: int) -> float:
    """1.0 for an exact match, falling linearly to 0.6 at ``threshold``.

    Linear because nothing published calibrates PDQ distance to a probability; unrelated hashes
    sit near 128 bits apart (half of 256; drawn test pictures average 128), far beyond any
    threshold, so the score only ranks hits.
    """
    if distance <= 0 or threshold <= 0:
        return 1.0
    fraction = min(distance / threshold, 1.0)
    return round(1.0 - (1.0 - MATCH_SCORE_AT_THRESHOLD) * fraction, 6)


class HashIndex(ABC):
    """Bank entries of one signal type, searchable by hash, changed while it serves.

    Entries get ids 0, 1, 2... in the order they are added, never reused. An addition or removal
    is seen by every query that starts after it returns; a query running meanwhile sees the index
    wholly before or wholly after it (each implementation says how).
    """

    @classmethod
    def build(cls, entries: Sequence[BankEntry]) -> Self:
        """A new index of ``entries`` (``ValueError`` naming the entry if one is malformed)."""
        index = cls()
        index.add(entries)
        return index

    @abstractmethod
    def add(self, entries: Sequence[BankEntry]) -> list[int]:
        """Index more entries (validated first: all or nothing); their ids."""

    @abstractmethod
    def remove(self, keys: Iterable[EntryKey]) -> int:
        """Stop matching the entries named by ``keys`` (see :data:`EntryKey`); how many stopped."""

    @abstractmethod
    def query(self, hex_hash: str, max_distance: int) -> list[Match]:
        """Entries at most ``max_distance`` from ``hex_hash``, nearest first, then by bank, hash."""

    def query_many(self, codes: np.ndarray, max_distance: int) -> list[list[Match]]:
        """:meth:`query` for each row of ``codes`` (uint8 [n, bytes] or uint64 [n, words])."""
        rows = np.ascontiguousarray(codes).view(np.uint8).reshape(len(codes), -1)
        return [self.query(row.tobytes().hex(), max_distance) for row in rows]

    @abstractmethod
    def __len__(self) -> int:
        """Entries that currently match."""


def sort_matches(matches: Iterable[Match]) -> list[Match]:
    """Nearest first, then by bank and hash; ties keep their order (entry id order)."""
    return sorted(matches, key=lambda m: (m.distance, m.entry.bank, m.entry.hash))


def popcount_rows(words: np.ndarray, use_bitwise_count: bool = True) -> np.ndarray:
    """Set bits per row of an unsigned integer array [n, k], as int64 [n]."""
    if use_bitwise_count and hasattr(np, "bitwise_count"):
        counts: np.ndarray = np.bitwise_count(words).sum(axis=1, dtype=np.int64)
        return counts
    as_bytes = np.ascontiguousarray(words).view(np.uint8).reshape(len(words), -1)
    table_counts: np.ndarray = _POPCOUNT_BYTE[as_bytes].sum(axis=1, dtype=np.int64)
    return table_counts


def pack_pdq_hex(hex_hashes: Sequence[str]) -> np.ndarray:
    """Hex PDQ hashes as uint64 [n, 4] (the 32 bytes as words; XOR-popcount ignores byte order)."""
    raw = b"".join(bytes.fromhex(h) for h in hex_hashes)
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(hex_hashes), 32).view(np.uint64)


def as_code_words(codes: np.ndarray) -> np.ndarray:
    """PDQ codes given as uint8 [n, 32] or uint64 [n, 4], as contiguous uint64 [n, 4]."""
    array = np.ascontiguousarray(codes)
    shape_ok = array.ndim == 2 and array.nbytes == 32 * len(array)
    if not shape_ok or array.dtype not in (np.uint8, np.uint64):
        raise ValueError(f"PDQ codes must be uint8 [n, 32] or uint64 [n, 4], got {array.dtype} "
                         f"{array.shape}")
    return array.view(np.uint64).reshape(len(array), 4)


def check_pdq_hex(hex_hash: str) -> None:
    if not _PDQ_HEX.match(hex_hash):
        raise ValueError(f"PDQ hash must be 64 hex digits, got {hex_hash!r}")


def check_pdq_entries(entries: Sequence[BankEntry]) -> None:
    for entry in entries:
        if entry.signal_type != "pdq":
            raise ValueError(f"{entry.bank}: {entry.hash} is {entry.signal_type}, not pdq")
        check_pdq_hex(entry.hash)


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


class BankMatcher:
    """All banks' entries, one index per signal type, each match held to its own bank's threshold.

    One index per type (not per bank) keeps a query to one search; it uses the largest bank
    threshold and each hit is then kept only if within its own bank's threshold. ``pdq_index``
    names the PDQ index (``index_factory.INDEX_NAMES``); all of them return the same matches.
    """

    def __init__(self, banks: Sequence[BankInfo], entries: Sequence[BankEntry],
                 pdq_index: str | HashIndex = "brute") -> None:
        """``pdq_index`` may also be a built index (e.g. loaded by ``index_cache``)."""
        from vigil.media.index_factory import make_pdq_index  # it builds on this module

        self._thresholds = {bank.name: bank.threshold for bank in banks}
        by_type: dict[str, list[BankEntry]] = defaultdict(list)
        for entry in entries:
            by_type[entry.signal_type].append(entry)
        pdq_entries = by_type.pop("pdq", [])
        self._indexes: dict[str, HashIndex] = {"pdq": pdq_index if isinstance(
            pdq_index, HashIndex) else make_pdq_index(pdq_index, pdq_entries)}
        self._indexes.update({kind: ExactIndex.build(group) for kind, group in by_type.items()})

    @classmethod
    def from_store(cls, store: BankStore, pdq_index: str = "brute") -> BankMatcher:
        return cls(store.banks(), store.bank_entries(), pdq_index)

    def threshold(self, bank: str) -> int:
        """The bank's PDQ threshold; a bank stored without its info gets the default 31."""
        return self._thresholds.get(bank, PDQ_MATCH_THRESHOLD)

    def _widest(self) -> int:
        return max([*self._thresholds.values(), PDQ_MATCH_THRESHOLD])

    def match(self, signal_type: str, hex_hash: str) -> list[Match]:
        """Entries of ``signal_type`` matching ``hex_hash`` under their banks' thresholds."""
        index = self._indexes.get(signal_type)
        if index is None:
            return []
        if signal_type != "pdq":
            return index.query(hex_hash, 0)
        return [m for m in index.query(hex_hash, self._widest())
                if m.distance <= self.threshold(m.entry.bank)]

    def match_many(self, codes: np.ndarray) -> list[list[Match]]:
        """PDQ matches of many codes at once (e.g. a video's frames): one batched search."""
        return [[m for m in matches if m.distance <= self.threshold(m.entry.bank)]
                for matches in self._indexes["pdq"].query_many(codes, self._widest())]

    def add(self, entries: Sequence[BankEntry], banks: Sequence[BankInfo] = ()) -> None:
        """Start matching more entries (and banks' thresholds) without rebuilding anything."""
        self._thresholds.update({bank.name: bank.threshold for bank in banks})
        by_type: dict[str, list[BankEntry]] = defaultdict(list)
        for entry in entries:
            by_type[entry.signal_type].append(entry)
        for kind, group in by_type.items():
            self._indexes.setdefault(kind, ExactIndex()).add(group)

    def remove(self, entries: Iterable[BankEntry]) -> int:
        """Stop matching these bank entries; how many were removed."""
        return sum(self._indexes[e.signal_type].remove([e]) for e in entries
                   if e.signal_type in self._indexes)

    def __len__(self) -> int:
        return sum(len(index) for index in self._indexes.values())
