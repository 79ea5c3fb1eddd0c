"""The segmented PDQ indexes (MIH on the CPU, torch on the GPU): exact, growing while they serve.

The fast indexes keep entries in immutable *segments*, as a log-structured merge tree does. New
entries land in a small tail scanned by brute force; a full tail is sealed into a segment with its
own index (MIH tables, or tables on the GPU), and the two newest segments merge while the older is
under 65,536 entries or at most twice the newer, so a query makes O(log n) passes and an entry is
re-indexed O(log n) times. A removal is a tombstone (the entry's id in a sorted array that filters
hits) until its segment is rebuilt without it, once a quarter of the segment is dead. HMA rebuilds
its whole index to add a hash (HMA design doc); here the largest segment is re-indexed only once as
many entries again have been added, as a growing array is copied.

Thread-safety is copy-on-write: writers take a lock, build the next immutable state and publish it
with one assignment; a query reads the state once, so it sees the index wholly before or wholly
after a change and never waits for one (a big merge runs in the adding thread meanwhile).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

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
    sort_matches,
)
from vigil.media.index.segments import (
    DEAD_FRACTION,
    MERGE_BELOW,
    MERGE_RATIO,
    MIN_QUERIES_PER_WORKER,
    TAIL_LIMIT,
    EntryTable,
    Found,
    Segment,
    SegmentKinds,
    SegmentState,
    gpu_kinds,
    mih_kinds,
)
from vigil.signal_types import PdqSignal


class SegmentedPdqIndex(HashIndex):
    """PDQ entries in segments (see the module docstring); MIH-indexed unless told otherwise."""

    def __init__(self, kinds: SegmentKinds | None = None) -> None:
        self._kinds = kinds or self.default_kinds()
        self._lock = threading.Lock()
        self._entries = EntryTable()
        self._state = SegmentState((), None, np.zeros(0, dtype=np.int64))

    @classmethod
    def default_kinds(cls) -> SegmentKinds:
        return mih_kinds()

    def add(self, entries: Sequence[BankEntry]) -> list[int]:
        check_pdq_entries(entries)
        codes = pack_pdq_hex([entry.hash for entry in entries])
        with self._lock:
            ids = self._entries.append_entries(entries)
            self._append(codes, ids)
        return [int(entry_id) for entry_id in ids]

    def add_codes(self, codes: np.ndarray, bank: str) -> np.ndarray:
        """Bulk load: one entry per code in ``bank``, hash from the code, no label or source."""
        words = as_code_words(codes).copy()
        with self._lock:
            ids = self._entries.append_bank(bank, len(words))
            self._append(words, ids)
        return ids

    def _append(self, codes: np.ndarray, ids: np.ndarray) -> None:
        state = self._state
        if state.tail:
            codes = np.concatenate([state.tail.codes, codes])
            ids = np.concatenate([state.tail.ids, ids])
        if len(codes) < TAIL_LIMIT:
            tail = Segment(codes, ids, self._kinds.scan(codes))
            self._state = SegmentState(state.segments, tail, state.dead)
            return
        segments = (*state.segments, Segment(codes, ids, self._kinds.seal(codes)))
        dead = state.dead
        while len(segments) > 1 and len(segments[-2].ids) <= max(
                MERGE_RATIO * len(segments[-1].ids), MERGE_BELOW):
            older, newer = segments[-2:]
            merged, dead = self._rebuilt(np.concatenate([older.codes, newer.codes]),
                                         np.concatenate([older.ids, newer.ids]), dead)
            segments = (*segments[:-2], *merged)
        self._state = SegmentState(segments, None, dead)

    def _rebuilt(self, codes: np.ndarray, ids: np.ndarray, dead: np.ndarray,
                 scan: bool = False) -> tuple[tuple[Segment, ...], np.ndarray]:
        """A segment of these codes without its dead ids, and the tombstones left elsewhere."""
        first, last = np.searchsorted(dead, [ids[0], ids[-1] + 1])
        live = ~np.isin(ids, dead[first:last])
        codes, ids = np.ascontiguousarray(codes[live]), ids[live]
        rest = np.concatenate([dead[:first], dead[last:]])
        if not len(ids):
            return (), rest
        searcher = (self._kinds.scan if scan else self._kinds.seal)(codes)
        return (Segment(codes, ids, searcher),), rest

    def remove(self, keys: Iterable[EntryKey]) -> int:
        with self._lock:
            state = self._state
            doomed = {entry_id for key in keys for entry_id in self._ids_of(state, key)}
            fresh = np.setdiff1d(np.fromiter(doomed, dtype=np.int64, count=len(doomed)),
                                 state.dead)
            dead = np.union1d(state.dead, fresh)
            segments: tuple[Segment, ...] = ()
            for segment in state.segments:
                if segment.dead_in(dead) > DEAD_FRACTION * len(segment.ids):
                    rebuilt, dead = self._rebuilt(segment.codes, segment.ids, dead)
                    segments += rebuilt
                else:
                    segments += (segment,)
            tail = state.tail
            if tail and tail.dead_in(dead):
                rebuilt, dead = self._rebuilt(tail.codes, tail.ids, dead, scan=True)
                tail = rebuilt[0] if rebuilt else None
            self._state = SegmentState(segments, tail, dead)
            return len(fresh)

    def _ids_of(self, state: SegmentState, key: EntryKey) -> list[int]:
        if isinstance(key, int | np.integer):
            return [int(key)] if self._holds(state, int(key)) else []
        if isinstance(key, BankEntry) and key.signal_type != PdqSignal.name:
            return []
        check_pdq_hex(key if isinstance(key, str) else key.hash)
        found = self._search(state, pack_pdq_hex([key if isinstance(key, str) else key.hash]), 0)
        if isinstance(key, str):
            return [int(entry_id) for entry_id in found.ids]
        return [int(i) for i, code in zip(found.ids, found.codes, strict=True)
                if self._entries.entry(int(i), code.tobytes().hex()) == key]

    @staticmethod
    def _holds(state: SegmentState, entry_id: int) -> bool:
        """Whether ``entry_id`` is in a segment and not removed."""
        for segment in state.all():
            at = int(np.searchsorted(segment.ids, entry_id))
            if at < len(segment.ids) and segment.ids[at] == entry_id:
                at_dead = int(np.searchsorted(state.dead, entry_id))
                return not (at_dead < len(state.dead) and state.dead[at_dead] == entry_id)
        return False

    def compact(self) -> None:
        """Merge every segment into one, without removed entries (e.g. after many removals)."""
        with self._lock:
            state = self._state
            if state.all():
                merged, dead = self._rebuilt(np.concatenate([s.codes for s in state.all()]),
                                             np.concatenate([s.ids for s in state.all()]),
                                             state.dead)
                self._state = SegmentState(merged, None, dead)

    def query(self, hex_hash: str, max_distance: int) -> list[Match]:
        check_pdq_hex(hex_hash)
        found = self._search(self._state, pack_pdq_hex([hex_hash]), max_distance)
        return self._matches(found, 1)[0]

    def query_many(self, codes: np.ndarray, max_distance: int) -> list[list[Match]]:
        words = as_code_words(codes)
        return self._matches(self.search_codes(words, max_distance), len(words))

    def search_codes(self, codes: np.ndarray, max_distance: int) -> Found:
        """Hits of many codes as arrays (no :class:`Match` objects), on ``workers`` threads."""
        words, state = as_code_words(codes), self._state
        workers = min(self._kinds.workers, len(words) // MIN_QUERIES_PER_WORKER)
        if workers <= 1:
            return self._search(state, words, max_distance)
        bounds = np.linspace(0, len(words), workers + 1).astype(int)
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(lambda a, b: self._search(state, words[a:b], max_distance, a),
                                  bounds[:-1], bounds[1:]))
        return Found(*(np.concatenate([getattr(p, f) for p in parts])
                       for f in ("query", "ids", "distance", "codes")))

    @staticmethod
    def _search(state: SegmentState, words: np.ndarray, radius: int, first: int = 0) -> Found:
        parts = []
        for segment in state.all():
            query, rows, distance = segment.searcher.search(words, radius)
            parts.append((query + first, segment.ids[rows], distance, segment.codes[rows]))
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return Found(empty, empty, empty, np.zeros((0, 4), dtype=np.uint64))
        found = Found(*(np.concatenate([p[k] for p in parts]) for k in range(4)))
        if not len(state.dead):
            return found
        live = ~np.isin(found.ids, state.dead)
        return Found(found.query[live], found.ids[live], found.distance[live], found.codes[live])

    def _matches(self, found: Found, n_queries: int) -> list[list[Match]]:
        """Per query, nearest first, then bank, hash and id: the brute-force index's order."""
        per_query: list[list[Match]] = [[] for _ in range(n_queries)]
        for at in np.lexsort((found.ids, found.distance, found.query)):
            entry = self._entries.entry(int(found.ids[at]), found.codes[at].tobytes().hex())
            per_query[found.query[at]].append(Match(entry, int(found.distance[at])))
        return [sort_matches(matches) if len(matches) > 1 else matches for matches in per_query]

    @property
    def nbytes(self) -> int:
        """Bytes held: searchers (codes and tables), ids, tombstones and the entry table."""
        state = self._state
        held = sum(s.searcher.nbytes + s.ids.nbytes for s in state.all())
        return int(held + state.dead.nbytes + self._entries.nbytes)

    @property
    def segment_sizes(self) -> list[int]:
        return [len(segment.ids) for segment in self._state.all()]

    def __len__(self) -> int:
        state = self._state
        return sum(len(segment.ids) for segment in state.all()) - len(state.dead)


class MihPdqIndex(SegmentedPdqIndex):
    """Segments indexed by multi-index hashing in NumPy (``mih.py``), searched on all cores."""


class GpuPdqIndex(SegmentedPdqIndex):
    """Segments held and searched by torch on the GPU (on the CPU where there is none)."""

    @classmethod
    def default_kinds(cls) -> SegmentKinds:
        return gpu_kinds()
