"""The pieces of multi-index hashing: substrings, the pigeonhole radii, probes, popcounts."""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pytest

from vigil.media.index import mih


def python_distance(a: np.ndarray, b: np.ndarray) -> int:
    return sum(bin(int(x) ^ int(y)).count("1") for x, y in zip(a, b, strict=True))


def random_codes(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2**64, size=(n, 4), dtype=np.uint64)


@pytest.mark.parametrize(("n_codes", "tables", "widest"), [
    (10, 16, 16), (65_536, 16, 16), (200_000, 15, 18), (1_000_000, 13, 20),
    (10_000_000, 11, 24), (10**9, 11, 24),
])
def test_table_count_gives_16x16_for_small_tables_and_wider_for_large(
    n_codes: int, tables: int, widest: int,
) -> None:
    assert mih.table_count(n_codes) == tables
    widths = mih.substring_widths(tables)
    assert sum(widths) == 256 and widths[0] == widest
    assert list(widths) == sorted(widths, reverse=True)


@pytest.mark.parametrize("n_tables", [11, 13, 16, 20])
def test_substrings_are_the_code_bits_in_order(n_tables: int) -> None:
    codes = random_codes(50, 1)
    widths = mih.substring_widths(n_tables)
    keys = mih.substrings(codes, widths)
    for code, row in zip(codes, keys, strict=True):
        value = sum(int(word) << (64 * i) for i, word in enumerate(code))
        rebuilt, offset = 0, 0
        for width, key in zip(widths, row, strict=True):
            rebuilt |= int(key) << offset
            offset += width
        assert rebuilt == value


@pytest.mark.parametrize(("radius", "n_tables"), list(product([0, 1, 15, 16, 31, 32, 47], [11,
                                                                                       16])))
def test_table_radii_follow_the_refined_pigeonhole_principle(radius: int, n_tables: int) -> None:
    """Codes more than r_t bits apart in every table t are more than ``radius`` apart in all."""
    radii = mih.table_radii(radius, n_tables)
    assert sum(r + 1 for r in radii) == radius + 1  # the tightest radii that stay exact
    assert max(radii) - min(radii) <= 1


@pytest.mark.parametrize(("width", "radius"), [(16, 0), (16, 1), (23, 2), (5, 7)])
def test_flip_masks_are_every_value_with_few_bits(width: int, radius: int) -> None:
    masks = mih.flip_masks(width, radius)
    assert len(masks) == len(set(masks.tolist())) == sum(
        math.comb(width, k) for k in range(min(radius, width) + 1))
    assert all(bin(int(m)).count("1") <= radius and int(m) < 2**width for m in masks)
    assert not masks.flags.writeable


def test_distances_agree_with_python_including_all_bits_different() -> None:
    codes, queries = random_codes(300, 2), random_codes(300, 3)
    codes[0], queries[0] = 0, np.uint64(2**64 - 1)
    queries[1] = codes[1]
    got = mih.distances(codes, queries).tolist()
    assert got == [python_distance(a, b) for a, b in zip(codes, queries, strict=True)]
    assert got[:2] == [256, 0]


def test_brute_force_finds_every_pair_within_the_radius() -> None:
    codes, queries = random_codes(400, 4), random_codes(30, 5)
    queries[:10] = codes[:10] ^ np.uint64(0b111)
    expected = {(q, r, python_distance(queries[q], codes[r])) for q in range(30)
                for r in range(400) if python_distance(queries[q], codes[r]) <= 110}
    query, row, distance = mih.brute_force(codes, queries, 110)
    assert set(zip(query.tolist(), row.tolist(), distance.tolist(), strict=True)) == expected


@pytest.mark.parametrize("n_tables", [None, 13, 16, 20])
@pytest.mark.parametrize("radius", [0, 1, 16, 31, 40])
def test_mih_tables_find_exactly_what_brute_force_finds(n_tables: int | None,
                                                        radius: int) -> None:
    rng = np.random.default_rng(6)
    codes = random_codes(30_000, 7)
    queries = codes[rng.integers(0, len(codes), 120)].copy()
    for row, bits in enumerate(np.resize([0, 1, 15, 16, 17, 31, 32, 33], len(queries))):
        for bit in rng.choice(256, bits, replace=False):
            queries[row, bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
    tables = mih.MihTables.build(codes, n_tables)
    got = set(zip(*(part.tolist() for part in tables.search(queries, radius)), strict=True))
    expected = set(zip(*(part.tolist() for part in mih.brute_force(codes, queries, radius)),
                       strict=True))
    assert got == expected and (radius == 0 or len(expected) > 0)


def test_each_code_is_found_once_even_when_every_table_finds_it() -> None:
    codes = random_codes(5000, 8)
    query, row, distance = mih.MihTables.build(codes).search(codes[:50], 31)
    assert sorted(zip(query.tolist(), row.tolist(), strict=True)) == [(i, i) for i in range(50)]
    assert not distance.any()


def test_wide_radii_and_tiny_tables_fall_back_to_a_scan() -> None:
    tables = mih.MihTables.build(random_codes(100, 9))
    assert not tables.worth_probing(31)
    large = mih.MihTables.build(random_codes(100_000, 10))
    assert large.worth_probing(31) and not large.worth_probing(64)
    assert mih.MihTables.build(np.zeros((0, 4), dtype=np.uint64)).search(
        random_codes(3, 11), 31)[0].size == 0


def test_no_candidates_and_all_identical_codes_are_handled() -> None:
    tables = mih.MihTables.build(np.zeros((20_000, 4), dtype=np.uint64))
    assert tables.search(np.full((5, 4), np.uint64(2**64 - 1)), 31)[0].size == 0
    query, row, distance = tables.search(np.zeros((2, 4), dtype=np.uint64), 0)
    assert sorted(set(query.tolist())) == [0, 1] and len(row) == 40_000 and not distance.any()


def test_numpy_without_bitwise_count_uses_the_byte_table(monkeypatch: pytest.MonkeyPatch) -> None:
    codes, queries = random_codes(200, 12), random_codes(200, 13)
    expected = mih.distances(codes, queries).tolist()
    monkeypatch.delattr(np, "bitwise_count")  # as on NumPy < 2.0
    assert mih.distances(codes, queries).tolist() == expected
    assert mih.word_popcounts(np.array([[2**64 - 1, 0, 5, 1 << 63]], dtype=np.uint64)).tolist() \
        == [[64, 0, 2, 1]]
