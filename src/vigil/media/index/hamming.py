"""Hamming distances between 256-bit PDQ codes in NumPy, and the brute-force search over them.

The exact reference every faster PDQ search (:mod:`vigil.media.index.mih`, the GPU one) is tested
against, split out of ``mih.py``. Codes are uint64 [n, 4]; this module imports nothing from
vigil, so it also runs standalone.
"""

from __future__ import annotations

import numpy as np

BRUTE_FORCE_PAIRS = 1 << 20
"""(query, code) pairs compared per step of :func:`brute_force`: 32 MB of XOR-ed words."""

Hits = tuple[np.ndarray, np.ndarray, np.ndarray]
"""(query position, row, distance) of every code within reach, as equally long int64 arrays."""

_BYTE_POPCOUNT = np.array([bin(value).count("1") for value in range(256)], dtype=np.uint8)


def word_popcounts(words: np.ndarray) -> np.ndarray:
    """Set bits of each uint64, as uint8 of the same shape (a byte table before NumPy 2.0)."""
    if hasattr(np, "bitwise_count"):
        counts: np.ndarray = np.bitwise_count(words)
        return counts
    table: np.ndarray = _BYTE_POPCOUNT[words.view(np.uint8)].reshape(*words.shape, 8).sum(
        axis=-1, dtype=np.uint8)
    return table


def sum_word_counts(counts: np.ndarray) -> np.ndarray:
    """Sum the four per-word counts (uint8 [..., 4], each <= 64) as uint32 [...]: read the four
    bytes as one uint32 and add them pairwise in 16-bit lanes. Overwrites ``counts``."""
    packed = np.ascontiguousarray(counts).view(np.uint32)[..., 0]
    pairs = packed >> 8
    pairs &= 0x00FF00FF
    packed &= 0x00FF00FF
    packed += pairs
    total: np.ndarray = packed >> 16
    packed &= 0xFFFF
    total += packed
    return total


def distances(codes: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Hamming distance (uint32) of row i of ``codes`` to row i of ``queries``, uint64 [n, 4]."""
    return sum_word_counts(word_popcounts(codes ^ queries))


def no_hits() -> Hits:
    empty = np.zeros(0, dtype=np.int64)
    return empty, empty, empty


def concat_hits(parts: list[Hits]) -> Hits:
    if not parts:
        return no_hits()
    query, row, distance = (np.concatenate([part[k] for part in parts]) for k in range(3))
    return query, row, distance


def brute_force(codes: np.ndarray, queries: np.ndarray, radius: int) -> Hits:
    """Every (query, row) within ``radius``, comparing each query with every code: the reference."""
    parts: list[Hits] = []
    code_step = min(max(len(codes), 1), BRUTE_FORCE_PAIRS)
    query_step = max(1, BRUTE_FORCE_PAIRS // code_step)
    for first_row in range(0, len(codes), code_step):
        block = codes[first_row:first_row + code_step]
        for first_query in range(0, len(queries), query_step):
            chunk = queries[first_query:first_query + query_step]
            found = sum_word_counts(word_popcounts(chunk[:, None, :] ^ block[None, :, :]))
            query, row = np.nonzero(found <= radius)
            parts.append((query + first_query, row + first_row,
                           found[query, row].astype(np.int64)))
    return concat_hits(parts)
