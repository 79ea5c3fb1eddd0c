"""Finding bank hashes near a query hash: a small index interface and obviously-correct indexes.

As in python-threatexchange (``signal_type/index.py``), the first index is brute force and easy to
trust; faster ones (multi-index hashing, faiss) can come later behind :class:`HashIndex` and be
tested against it. A brute-force scan is fine at demo and small-partner scale: media.md §5.1
measured 26 ms per query at 1M hashes with the same XOR-and-popcount approach.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Sequence
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
    "MATCH_SCORE_AT_THRESHOLD", "ExactIndex", "HashIndex", "Match", "match_score", "popcount_rows",
]

_PDQ_HEX = re.compile(r"^[0-9a-fA-F]{64}$")
_POPCOUNT_BYTE = np.array([bin(value).count("1") for value in range(256)], dtype=np.uint8)
"""Set bits of every byte value: the popcount fallback for NumPy < 2.0 (no ``bitwise_count``)."""


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
    """Bank entries of one signal type, searchable by hash; built once, then only queried."""

    @classmethod
    @abstractmethod
    def build(cls, entries: Sequence[BankEntry]) -> Self:
        """Index ``entries`` (``ValueError`` naming the entry if one is malformed)."""

    @abstractmethod
    def query(self, hex_hash: str, max_distance: int) -> list[Match]:
        """Entries at most ``max_distance`` from ``hex_hash``, nearest first, then by bank, hash."""

    @abstractmethod
    def __len__(self) -> int: ...


def _sorted(matches: list[Match]) -> list[Match]:
    return sorted(matches, key=lambda m: (m.distance, m.entry.bank, m.entry.hash))


def popcount_rows(words: np.ndarray, use_bitwise_count: bool = True) -> np.ndarray:
    """Set bits per row of an unsigned integer array [n, k], as int64 [n]."""
    if use_bitwise_count and hasattr(np, "bitwise_count"):
        counts: np.ndarray = np.bitwise_count(words).sum(axis=1, dtype=np.int64)
        return counts
    as_bytes = np.ascontiguousarray(words).view(np.uint8).reshape(len(words), -1)
    table_counts: np.ndarray = _POPCOUNT_BYTE[as_bytes].sum(axis=1, dtype=np.int64)
    return table_counts


def _pack_pdq(hex_hashes: Sequence[str]) -> np.ndarray:
    """Hex PDQ hashes as uint64 [n, 4]; byte order is irrelevant to XOR-and-popcount."""
    raw = b"".join(bytes.fromhex(h) for h in hex_hashes)
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(hex_hashes), 32).view(np.uint64)


def _check_pdq_hex(hex_hash: str) -> None:
    if not _PDQ_HEX.match(hex_hash):
        raise ValueError(f"PDQ hash must be 64 hex digits, got {hex_hash!r}")


class BruteForcePdqIndex(HashIndex):
    """Every query XORs against every stored code: exact, simple, linear in the bank's size."""

    def __init__(self, entries: Sequence[BankEntry], codes: np.ndarray) -> None:
        self._entries = list(entries)
        self._codes = codes

    @classmethod
    def build(cls, entries: Sequence[BankEntry]) -> Self:
        for entry in entries:
            if entry.signal_type != "pdq":
                raise ValueError(f"{entry.bank}: {entry.hash} is {entry.signal_type}, not pdq")
            _check_pdq_hex(entry.hash)
        return cls(entries, _pack_pdq([entry.hash for entry in entries]))

    def query(self, hex_hash: str, max_distance: int) -> list[Match]:
        _check_pdq_hex(hex_hash)
        if not self._entries:
            return []
        distances = popcount_rows(self._codes ^ _pack_pdq([hex_hash]))
        hits = np.flatnonzero(distances <= max_distance)
        return _sorted([Match(self._entries[i], int(distances[i])) for i in hits])

    def __len__(self) -> int:
        return len(self._entries)


class ExactIndex(HashIndex):
    """A dict from hash to entries, for cryptographic hashes (MD5) where only equality counts."""

    def __init__(self, by_hash: dict[str, list[BankEntry]]) -> None:
        self._by_hash = by_hash

    @classmethod
    def build(cls, entries: Sequence[BankEntry]) -> Self:
        by_hash: dict[str, list[BankEntry]] = defaultdict(list)
        for entry in entries:
            by_hash[entry.hash.lower()].append(entry)
        return cls(dict(by_hash))

    def query(self, hex_hash: str, max_distance: int = 0) -> list[Match]:
        """``max_distance`` is accepted for the interface; a cryptographic hash has no "near"."""
        return _sorted([Match(entry, 0) for entry in self._by_hash.get(hex_hash.lower(), [])])

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._by_hash.values())


class BankMatcher:
    """All banks' entries, one index per signal type, each match held to its own bank's threshold.

    One index per type (not per bank) keeps a query to one scan; the scan uses the largest bank
    threshold and each hit is then kept only if within its own bank's threshold.
    """

    def __init__(self, banks: Sequence[BankInfo], entries: Sequence[BankEntry]) -> None:
        self._thresholds = {bank.name: bank.threshold for bank in banks}
        by_type: dict[str, list[BankEntry]] = defaultdict(list)
        for entry in entries:
            by_type[entry.signal_type].append(entry)
        self._indexes: dict[str, HashIndex] = {
            signal_type: (BruteForcePdqIndex if signal_type == "pdq" else ExactIndex).build(group)
            for signal_type, group in by_type.items()
        }

    @classmethod
    def from_store(cls, store: BankStore) -> BankMatcher:
        return cls(store.banks(), store.bank_entries())

    def threshold(self, bank: str) -> int:
        """The bank's PDQ threshold; a bank stored without its info gets the default 31."""
        return self._thresholds.get(bank, PDQ_MATCH_THRESHOLD)

    def match(self, signal_type: str, hex_hash: str) -> list[Match]:
        """Entries of ``signal_type`` matching ``hex_hash`` under their banks' thresholds."""
        index = self._indexes.get(signal_type)
        if index is None:
            return []
        if signal_type != "pdq":
            return index.query(hex_hash, 0)
        widest = max([self.threshold(bank) for bank in self._thresholds] + [PDQ_MATCH_THRESHOLD])
        return [m for m in index.query(hex_hash, widest)
                if m.distance <= self.threshold(m.entry.bank)]

    def __len__(self) -> int:
        return sum(len(index) for index in self._indexes.values())
