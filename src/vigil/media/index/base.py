"""The index interface: bank entries searchable by hash, the match record and shared helpers.

As in python-threatexchange (``signal_type/index.py``), the first index is brute force and easy to
trust; the fast ones (multi-index hashing, the GPU; ``index/segmented.py``) sit behind the same
:class:`HashIndex` and are tested against it. Unlike HMA, which rebuilds its whole index to add a
hash (HMA architecture.md), every index here takes additions and removals while it serves queries.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np

from vigil.media.banks.records import BankEntry
from vigil.media.hashing.pdq import PDQ_QUALITY_THRESHOLD
from vigil.signal_types import PdqSignal

PDQ_MATCH_THRESHOLD = PdqSignal.default_threshold
"""31: Hamming distance <= 31 of 256 bits is a match (pdq/README.md; pytx
``PDQ_CONFIDENT_MATCH_THRESHOLD``). Inclusive."""

__all__ = [
    "PDQ_MATCH_THRESHOLD", "PDQ_QUALITY_THRESHOLD", "EntryKey", "MATCH_SCORE_AT_THRESHOLD",
    "HashIndex", "Match", "as_code_words", "match_score", "pack_pdq_hex", "popcount_rows",
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
(ThreatExchange issue #1873)."""


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
        if entry.signal_type != PdqSignal.name:
            raise ValueError(f"{entry.bank}: {entry.hash} is {entry.signal_type}, "
                             f"not {PdqSignal.name}")
        check_pdq_hex(entry.hash)
