"""Exact multi-index hashing (MIH) over 256-bit PDQ codes in NumPy: probe few buckets, verify all.

Norouzi, Punjani and Fleet's MIH (TPAMI 2014; arXiv:1307.2982) cuts every code into ``m`` substrings
and keeps one table per substring. If two codes are at most ``r`` bits apart and ``r = m*q + a``
(``0 <= a < m``), then one of the first ``a + 1`` substrings is within ``q`` bits of the query's or
one of the others within ``q - 1`` (the pigeonhole principle, refined). Probing every substring
value that close and verifying each candidate by a full popcount therefore finds *every* code
within ``r``: the index is exact, and tests check it against brute force.

pdq/README-MIH.md and pytx (``pdq_index.py``) use 16 substrings of 16 bits with one flipped bit
(nflip 1) for r = 31, the right shape for C++ hash maps. In NumPy a probe and a candidate each
cost about one random memory read, so the substring width grows with the table
(:func:`table_count`); up to 65,536 codes it is 16 x 16 bits.

Codes are uint64 [n, 4] (the 32 PDQ bytes viewed as four words; the byte order does not change an
XOR-and-popcount). Distances and the brute-force reference are in :mod:`vigil.media.index.hamming`
(re-exported here); neither module imports anything else from vigil.
"""

from __future__ import annotations

import math
from functools import lru_cache
from itertools import combinations

import numpy as np

from vigil.media.index.hamming import (
    BRUTE_FORCE_PAIRS,
    Hits,
    brute_force,
    concat_hits,
    distances,
    no_hits,
    sum_word_counts,
    word_popcounts,
)

CODE_BITS = 256
CODE_WORDS = CODE_BITS // 64
MIN_SUBSTRING_BITS = 16
"""16-bit substrings (pdq/README-MIH.md; pytx ``nhash=16``) for small tables; narrower ones have
buckets too full to be worth probing (README-MIH.md: "8-bit slots degrade to linear scan")."""
MAX_SUBSTRING_BITS = 24
"""Bucket offsets cost 4 bytes per possible substring value: 2**24 of them is 64 MB a table, the
most that the memory target (vigil's: about 150 B a hash at 10M; faiss MultiHash in pytx's
benchmarks takes about 120 B) leaves room for."""
PROBES_PER_CHUNK = 1 << 18
"""Probes made together (queries x probes a query): enough to amortise NumPy's per-call cost,
few enough that the arrays stay near the caches. vigil's choice, from bench_index.py."""
PROBE_COST = 10
"""Codes a scan compares in the time one probe or candidate takes (vigil's measurement on a
2-core x86 machine: ~35 ns a random read, ~3.5 ns a code scanned in order)."""


def table_count(n_codes: int) -> int:
    """Substrings of about log2(n) + 1 bits, so an average bucket holds half a code.

    Norouzi et al. (arXiv:1307.2982) suggest about log2(n) bits (unverified here: only their
    speed-up table was read); one more measured faster in NumPy, where an empty bucket costs
    less than a candidate to verify (vigil's choice, from bench_index.py).
    """
    bits = math.floor(math.log2(max(n_codes, 2))) + 1
    return math.ceil(CODE_BITS / min(max(bits, MIN_SUBSTRING_BITS), MAX_SUBSTRING_BITS))


def substring_widths(n_tables: int) -> tuple[int, ...]:
    """``n_tables`` widths summing to 256, wider first (so the narrower get the smaller radius)."""
    base, extra = divmod(CODE_BITS, n_tables)
    return (base + 1,) * extra + (base,) * (n_tables - extra)


@lru_cache(maxsize=64)
def _field_layout(widths: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """Per field: its word, shift, the next word and left shift for bits that spill into it
    (0 and a zero mask when none do), and its width mask."""
    starts = np.cumsum([0, *widths[:-1]])
    word, shift = starts // 64, (starts % 64).astype(np.uint64)
    spills = starts % 64 + np.array(widths) > 64
    next_word = np.where(spills, np.minimum(word + 1, CODE_WORDS - 1), word)
    spill_shift = np.where(spills, 64 - starts % 64, 0).astype(np.uint64)
    spill_mask = np.where(spills, np.uint64(2**64 - 1), np.uint64(0)).astype(np.uint64)
    width_mask = np.array([(1 << w) - 1 for w in widths], dtype=np.uint64)
    return word, shift, next_word, spill_shift, spill_mask, width_mask


def substrings(codes: np.ndarray, widths: tuple[int, ...]) -> np.ndarray:
    """Consecutive bit fields of uint64 [n, 4] codes, as uint32 [n, len(widths)] (all fields at
    once: a handful of NumPy calls, whatever the number of tables)."""
    word, shift, next_word, spill_shift, spill_mask, width_mask = _field_layout(widths)
    value = codes.take(word, axis=1) >> shift
    value |= (codes.take(next_word, axis=1) << spill_shift) & spill_mask
    value &= width_mask
    fields: np.ndarray = value.astype(np.uint32)
    return fields


def table_radii(radius: int, n_tables: int) -> list[int]:
    """Each table's probe radius by the refined pigeonhole principle (-1: not probed)."""
    quotient, remainder = divmod(radius, n_tables)
    return [quotient if table <= remainder else quotient - 1 for table in range(n_tables)]


@lru_cache(maxsize=64)
def flip_masks(width: int, radius: int) -> np.ndarray:
    """Every ``width``-bit value with at most ``radius`` bits set; XOR-ed into a key, the probes."""
    masks = [sum(1 << bit for bit in bits) for flips in range(min(radius, width) + 1)
             for bits in combinations(range(width), flips)]
    shared = np.array(masks, dtype=np.uint32)
    shared.flags.writeable = False  # cached: one array for every caller
    return shared


def probe_count(widths: tuple[int, ...], radius: int) -> int:
    radii = table_radii(radius, len(widths))
    return sum(sum(math.comb(width, flips) for flips in range(min(reach, width) + 1))
               for width, reach in zip(widths, radii, strict=True))


def table_bases(widths: tuple[int, ...]) -> np.ndarray:
    """Where each table's buckets start in the shared offsets array (one slot per key value).

    Widths never grow along the tables, so each base is a multiple of its table's key range and
    ``key ^ (mask + base) == (key ^ mask) + base``: a probe is one XOR.
    """
    return np.cumsum([0, *(1 << width for width in widths[:-1])]).astype(np.uint32)


def probe_plan(widths: tuple[int, ...], radius: int) -> tuple[np.ndarray, np.ndarray]:
    """(table, flip mask + table base) of every probe one query makes, as uint32 arrays."""
    radii = table_radii(radius, len(widths))
    masks = [flip_masks(width, reach) for width, reach in zip(widths, radii, strict=True)]
    table_of = np.concatenate([np.full(len(m), t, dtype=np.uint32)
                               for t, m in enumerate(masks) if radii[t] >= 0])
    flips = np.concatenate([m for t, m in enumerate(masks) if radii[t] >= 0])
    return table_of, flips + table_bases(widths)[table_of]


class ProbeLayout:
    """The probes of tables with these substring widths, per radius: computed once, then shared
    (by :class:`MihTables` and by the torch tables of ``index/gpu.py``)."""

    def __init__(self, widths: tuple[int, ...]) -> None:
        self.widths = widths
        self._plans: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def plan(self, radius: int) -> tuple[np.ndarray, np.ndarray]:
        """:func:`probe_plan` for these widths."""
        plan = self._plans.get(radius)
        if plan is None:
            plan = self._plans.setdefault(radius, probe_plan(self.widths, radius))
        return plan

    def worth_probing(self, radius: int, n_codes: int) -> bool:
        """False when a scan is cheaper: a probe or a candidate is a random read, about as dear
        as scanning ten codes in order (PROBE_COST), and wide radii need very many probes.
        Counted, not enumerated: a wide radius has millions of probes."""
        probes = probe_count(self.widths, radius)
        candidates = probes * n_codes / 2 ** min(self.widths)
        return bool(PROBE_COST * (probes + candidates) < n_codes)



def _sorted_rows(keys: np.ndarray) -> np.ndarray:
    """Rows ordered by key, stably: one sort of key<<32|row, twice as fast as argsort (measured)."""
    packed = (keys.astype(np.uint64) << np.uint64(32)) | np.arange(len(keys), dtype=np.uint64)
    packed.sort()
    return (packed & np.uint64(0xFFFFFFFF)).astype(np.uint32)


class MihTables:
    """One table per substring: bucket offsets into rows sorted by substring value (CSR).

    All tables share two flat arrays (``offsets`` and ``order``), so a batch of queries probes
    every table in one vectorised pass. Never changed after :meth:`build`: any number of threads
    may search it at once.
    """

    def __init__(self, codes: np.ndarray, widths: tuple[int, ...], offsets: np.ndarray,
                 order: np.ndarray) -> None:
        self.codes = codes
        self.widths = widths
        self.offsets = offsets
        self.order = order
        self.layout = ProbeLayout(widths)
        self._worth: dict[int, bool] = {}

    @classmethod
    def build(cls, codes: np.ndarray, n_tables: int | None = None) -> MihTables:
        """Index uint64 [n, 4] ``codes`` (kept by reference; a row is a code's position)."""
        if len(codes) * (n_tables or table_count(len(codes))) >= 2**32:
            raise ValueError("MihTables holds under 2**32 table entries (uint32 offsets)")
        widths = substring_widths(n_tables or table_count(len(codes)))
        keys = substrings(codes, widths)
        offsets, order = [], []
        for table, width in enumerate(widths):
            counts = np.bincount(keys[:, table], minlength=1 << width)
            ends = np.cumsum(counts) + table * len(codes)
            offsets.append((ends - counts).astype(np.uint32))
            order.append(_sorted_rows(keys[:, table]))
        offsets.append(np.array([len(widths) * len(codes)], dtype=np.uint32))
        return cls(codes, widths, np.concatenate(offsets), np.concatenate(order))

    @property
    def nbytes(self) -> int:
        """Bytes of the tables and of the codes they point into."""
        return int(self.codes.nbytes + self.offsets.nbytes + self.order.nbytes)

    def __len__(self) -> int:
        return len(self.codes)

    def worth_probing(self, radius: int) -> bool:
        worth = self._worth.get(radius)
        if worth is None:
            worth = self._worth.setdefault(radius, self.layout.worth_probing(radius, len(self)))
        return worth

    def search(self, queries: np.ndarray, radius: int) -> Hits:
        """Every (query, row) within ``radius`` bits, once each."""
        if not len(self.codes) or not len(queries) or radius < 0:
            return no_hits()
        if not self.worth_probing(radius):
            return brute_force(self.codes, queries, radius)
        step = max(1, PROBES_PER_CHUNK // len(self.layout.plan(radius)[0]))
        return concat_hits([self._search_chunk(queries[first:first + step], radius, first)
                            for first in range(0, len(queries), step)])

    def _search_chunk(self, queries: np.ndarray, radius: int, first: int) -> Hits:
        table_of, masks = self.layout.plan(radius)
        keys = substrings(queries, self.widths)[:, table_of]
        keys ^= masks  # masks carry the table bases (see table_bases)
        bounds = np.empty((keys.size, 2), dtype=np.int64)  # bucket start and end side by side,
        bounds[:, 0] = keys.ravel()                         # so the end read hits the cache
        np.add(bounds[:, 0], 1, out=bounds[:, 1])
        bounds = self.offsets.take(bounds)
        lengths = bounds[:, 1] - bounds[:, 0]
        probed = np.flatnonzero(lengths)
        lengths = lengths[probed]
        ends = np.cumsum(lengths, dtype=np.int64)
        if not len(ends):
            return no_hits()
        positions = np.repeat(bounds[probed, 0].astype(np.int64) - (ends - lengths), lengths)
        positions += np.arange(ends[-1])
        rows = self.order.take(positions).astype(np.int64)
        query_of = np.repeat(probed // len(table_of), lengths)
        candidates = self.codes.take(rows, axis=0)
        candidates ^= queries.take(query_of, axis=0)
        found = sum_word_counts(word_popcounts(candidates))
        keep = np.flatnonzero(found <= radius)
        # a code near the query in several substrings is found by several tables: keep it once
        _, once = np.unique(query_of[keep] * len(self.codes) + rows[keep], return_index=True)
        keep = keep[once]
        return query_of[keep] + first, rows[keep], found[keep].astype(np.int64)


__all__ = [
    "BRUTE_FORCE_PAIRS", "CODE_BITS", "CODE_WORDS", "MAX_SUBSTRING_BITS", "MIN_SUBSTRING_BITS",
    "PROBES_PER_CHUNK", "PROBE_COST", "Hits", "MihTables", "ProbeLayout", "brute_force",
    "concat_hits", "distances", "flip_masks", "no_hits", "probe_count", "probe_plan",
    "substring_widths", "substrings", "sum_word_counts", "table_bases", "table_count",
    "table_radii", "word_popcounts",
]
