"""Every PDQ index returns exactly what brute force returns: same entries, distances and order."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from vigil.media.banks.records import BankEntry
from vigil.media.index.base import HashIndex, Match, pack_pdq_hex
from vigil.media.index.brute import BruteForcePdqIndex
from vigil.media.index.factory import make_pdq_index

PLANTED = (0, 1, 15, 16, 17, 31, 32)
NEEDS_TORCH = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="torch is not installed")


def flipped(codes: np.ndarray, bits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Copies of uint64 [k, 4] codes with bits[i] distinct bits flipped in row i."""
    unpacked = np.unpackbits(codes.view(np.uint8), axis=1)
    ranks = rng.random(unpacked.shape).argsort(axis=1).argsort(axis=1)
    unpacked ^= (ranks < bits[:, None]).astype(np.uint8)
    return np.packbits(unpacked, axis=1).view(np.uint64)


def hexes(codes: np.ndarray) -> list[str]:
    return [row.tobytes().hex() for row in codes]


def haystack(n: int, seed: int) -> tuple[list[BankEntry], np.ndarray]:
    """``n`` random codes, 2 % of them planted 1-31 bits from another, duplicates across banks,
    and queries planted at each distance of PLANTED from stored codes, plus random ones."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64)
    near = n // 50
    codes[-near:] = flipped(codes[:near], rng.integers(1, 32, size=near), rng)
    entries = [BankEntry(f"bank{i % 3}", h, "pdq") for i, h in enumerate(hexes(codes))]
    entries += [BankEntry("copy", entries[i].hash, "pdq", "same hash, other bank")
                for i in range(0, n, n // 20)]
    distances = np.resize(np.array(PLANTED), 140)
    queries = flipped(codes[rng.integers(0, n, size=len(distances))], distances, rng)
    queries[::10] = rng.integers(0, 2**64, size=(14, 4), dtype=np.uint64)
    return entries, queries


class Banks:
    """Haystacks, brute-force answers and built indexes, each made once for the module."""

    def __init__(self) -> None:
        self._data: dict[int, tuple[list[BankEntry], np.ndarray, HashIndex]] = {}
        self._expected: dict[tuple[int, int], list[list[Match]]] = {}
        self._indexes: dict[tuple[str, int], HashIndex] = {}

    def data(self, size: int) -> tuple[list[BankEntry], np.ndarray, HashIndex]:
        if size not in self._data:
            entries, queries = haystack(size, seed=size)
            self._data[size] = entries, queries, BruteForcePdqIndex.build(entries)
        return self._data[size]

    def expected(self, size: int, radius: int) -> list[list[Match]]:
        if (size, radius) not in self._expected:
            _, queries, brute = self.data(size)
            self._expected[size, radius] = brute.query_many(queries, radius)
        return self._expected[size, radius]

    def index(self, name: str, size: int) -> HashIndex:
        if (name, size) not in self._indexes:
            self._indexes[name, size] = make_pdq_index(name, self.data(size)[0])
        return self._indexes[name, size]


@pytest.fixture(scope="module")
def banks() -> Banks:
    return Banks()


def hits(matches: list[Match]) -> list[tuple[str, str, str, int]]:
    return [(m.entry.bank, m.entry.hash, m.entry.label, m.distance) for m in matches]


AGREEMENT_CASES = [
    *[("mih", 20_000, radius) for radius in (31, 0, 1, 15, 16, 17, 32, 40)],
    *[("mih", 200_000, radius) for radius in (31, 16, 32)],
    *[pytest.param("gpu", 20_000, radius, marks=NEEDS_TORCH) for radius in (31, 32)],
]


@pytest.mark.parametrize(("name", "size", "radius"), AGREEMENT_CASES)
def test_batched_queries_agree_exactly_with_brute_force(
    banks: Banks, name: str, size: int, radius: int,
) -> None:
    _, queries, _ = banks.data(size)
    expected = banks.expected(size, radius)
    got = banks.index(name, size).query_many(queries, radius)
    assert [hits(m) for m in got] == [hits(m) for m in expected]
    seen = {match.distance for matches in expected for match in matches}
    assert seen >= {d for d in PLANTED if d <= radius}  # the planted boundary cases are there


@pytest.mark.parametrize(("name", "size"), [
    ("mih", 20_000), ("mih", 200_000), pytest.param("gpu", 20_000, marks=NEEDS_TORCH)])
def test_single_queries_and_uint8_codes_agree_with_brute_force(
    banks: Banks, name: str, size: int,
) -> None:
    _, queries, brute = banks.data(size)
    index = banks.index(name, size)
    for query in hexes(queries[:20]):
        assert index.query(query, 31) == brute.query(query, 31)
    as_bytes = queries[:20].view(np.uint8).reshape(20, 32)
    assert index.query_many(as_bytes, 31) == banks.expected(size, 31)[:20]


def test_duplicates_in_other_banks_are_all_returned_in_bank_order() -> None:
    entries, queries = haystack(20_000, seed=3)
    index = make_pdq_index("mih", entries)
    stored = entries[0].hash
    got = index.query(stored, 0)
    assert [(m.entry.bank, m.distance) for m in got] == [("bank0", 0), ("copy", 0)]
    assert got[1].entry.label == "same hash, other bank"


def test_hash_spelling_label_and_source_come_back_as_stored() -> None:
    entry = BankEntry("b", "AB" * 32, "pdq", "label", "ncmec")
    plain = BankEntry("b", "cd" * 32, "pdq")
    index = make_pdq_index("mih", [entry, plain])
    assert [m.entry for m in index.query("ab" * 32, 0)] == [entry]
    assert [m.entry for m in index.query_many(pack_pdq_hex(["CD" * 32]), 1)[0]] == [plain]
