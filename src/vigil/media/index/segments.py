"""The building blocks of the segmented PDQ indexes: segments, their searchers, the entry table.

A segment is an immutable run of codes with its own searcher (MIH tables, a brute-force scan, or
either on the GPU); :class:`~vigil.media.index.segmented.SegmentedPdqIndex` keeps a list of them and
publishes a new list on every change (see that module for the design).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Protocol

import numpy as np

from vigil.media.banks.records import BankEntry
from vigil.media.index import mih
from vigil.signal_types import PdqSignal

if TYPE_CHECKING:
    import torch

TAIL_LIMIT = 256
"""Newest entries scanned by brute force before they are sealed into an indexed segment: 256
codes cost a query about 1 µs, a tenth of one MIH probe pass (vigil's choice, bench_index.py)."""
MERGE_RATIO = 2
"""Merge the newest two segments while the older is at most this many times the newer..."""
MERGE_BELOW = 1 << 16
"""...or smaller than this: each segment costs a query one more pass (about 40 µs alone), and
rebuilding 65,536 codes takes tens of milliseconds, so small segments are not worth keeping."""
DEAD_FRACTION = 0.25
"""A segment is rebuilt without its removed entries once this share of it is removed."""
MIN_QUERIES_PER_WORKER = 128
"""Batches are split over threads (NumPy releases the GIL in its loops) only this big a part."""
GPU_MIH_MIN_CODES = 1 << 16
"""Smaller GPU segments are scanned whole: at 65,536 codes a scan is one small kernel."""


class Searcher(Protocol):
    """Finds (query, row, distance) for every code of a segment within a radius; immutable."""

    def search(self, queries: np.ndarray, radius: int) -> mih.Hits: ...

    @property
    def nbytes(self) -> int: ...


@dataclass(frozen=True)
class SegmentKinds:
    """How a segment is indexed once sealed, and how the small tail is scanned."""

    seal: Callable[[np.ndarray], Searcher]
    scan: Callable[[np.ndarray], Searcher]
    workers: int = 1


@dataclass(frozen=True)
class BruteScan:
    """The tail's searcher on the CPU: compare every query with every code."""

    codes: np.ndarray

    def search(self, queries: np.ndarray, radius: int) -> mih.Hits:
        return mih.brute_force(self.codes, queries, radius)

    @property
    def nbytes(self) -> int:
        return int(self.codes.nbytes)


@dataclass(frozen=True)
class Segment:
    codes: np.ndarray
    ids: np.ndarray  # entry ids, ascending; segments hold disjoint, increasing id ranges
    searcher: Searcher

    def dead_in(self, dead: np.ndarray) -> int:
        first, last = np.searchsorted(dead, [self.ids[0], self.ids[-1] + 1])
        return int(last - first)


@dataclass(frozen=True)
class SegmentState:
    segments: tuple[Segment, ...]  # sealed, oldest first
    tail: Segment | None  # the newest entries, scanned
    dead: np.ndarray  # sorted ids removed but still held by a segment or the tail

    def all(self) -> tuple[Segment, ...]:
        return (*self.segments, self.tail) if self.tail else self.segments


class EntryTable:
    """Bank entries by id in little memory: a bank number per id, the hash read back from the
    code, and the label, source or an upper-case spelling of the hash only where there is one
    (10 million ``BankEntry`` objects would take gigabytes); a paused entry is kept whole, so bank
    policies see its pause as with the brute-force index. Append-only: readers need no lock."""

    def __init__(self) -> None:
        self._banks: list[str] = []
        self._bank_numbers: dict[str, int] = {}
        self._bank_of = np.zeros(0, dtype=np.uint32)
        self._extras: dict[int, tuple[str, str, str]] = {}
        self._paused: dict[int, BankEntry] = {}  # rare; kept whole so matches show the pause
        self._count = 0

    def _reserve(self, n: int) -> np.ndarray:
        start = self._count
        if start + n > len(self._bank_of):
            grown = np.zeros(max(2 * len(self._bank_of), start + n, 1024), dtype=np.uint32)
            grown[:start] = self._bank_of[:start]
            self._bank_of = grown  # readers holding the old array still find every older id
        self._count += n
        return np.arange(start, start + n, dtype=np.int64)

    def _number(self, bank: str) -> int:
        if bank not in self._bank_numbers:
            self._banks.append(bank)
            self._bank_numbers[bank] = len(self._banks) - 1
        return self._bank_numbers[bank]

    def append_bank(self, bank: str, n: int) -> np.ndarray:
        ids = self._reserve(n)
        self._bank_of[self._count - n:self._count] = self._number(bank)
        return ids

    def append_entries(self, entries: Sequence[BankEntry]) -> np.ndarray:
        ids = self._reserve(len(entries))
        for entry_id, entry in zip(ids.tolist(), entries, strict=True):
            self._bank_of[entry_id] = self._number(entry.bank)
            if not entry.enabled:
                self._paused[entry_id] = entry
            elif entry.label or entry.source or entry.hash != entry.hash.lower():
                self._extras[entry_id] = (entry.hash, entry.label, entry.source)
        return ids

    def entry(self, entry_id: int, hex_hash: str) -> BankEntry:
        if entry_id in self._paused:
            return self._paused[entry_id]
        bank = self._banks[self._bank_of[entry_id]]
        extra = self._extras.get(entry_id)
        if extra is None:
            return BankEntry(bank, hex_hash, PdqSignal.name)
        return BankEntry(bank, extra[0], PdqSignal.name, extra[1], extra[2])

    @property
    def nbytes(self) -> int:
        """The bank numbers; labels and sources are Python strings, not counted."""
        return int(self._bank_of.nbytes)


@dataclass(frozen=True)
class Found:
    """Hits of a batch: query position, entry id, distance and code of each, as arrays."""

    query: np.ndarray
    ids: np.ndarray
    distance: np.ndarray
    codes: np.ndarray


def mih_kinds(workers: int | None = None) -> SegmentKinds:
    return SegmentKinds(mih.MihTables.build, BruteScan, workers or min(os.cpu_count() or 1, 8))


def gpu_kinds(device: torch.device | None = None) -> SegmentKinds:
    """Segments on ``device`` (default: CUDA if present, else the CPU), in torch."""
    from vigil.media.index import (
        gpu as gpu_index,  # torch is optional: imported only when asked for
    )

    chosen = device or gpu_index.default_device()

    def seal(codes: np.ndarray) -> Searcher:
        if len(codes) < GPU_MIH_MIN_CODES:
            return gpu_index.TorchCodes(codes, chosen)
        widths = mih.substring_widths(mih.table_count(len(codes)))
        return gpu_index.TorchMihTables(codes, mih.ProbeLayout(widths), chosen)

    return SegmentKinds(seal, partial(gpu_index.TorchCodes, device=chosen))
