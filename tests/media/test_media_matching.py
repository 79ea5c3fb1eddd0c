import random

import numpy as np
import pytest

from vigil.media.banks.matcher import BankMatcher
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.media.hashing.pdq import bits_to_hex, hamming_hex, hex_to_bits
from vigil.media.index.base import PDQ_MATCH_THRESHOLD, Match, match_score, popcount_rows
from vigil.media.index.brute import BruteForcePdqIndex, ExactIndex


def random_pdq(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def flipped(hex_hash: str, bits: int, rng: random.Random) -> str:
    """``hex_hash`` with ``bits`` distinct bits flipped."""
    value = int(hex_hash, 16)
    for position in rng.sample(range(256), bits):
        value ^= 1 << position
    return f"{value:064x}"


def python_hamming(a: str, b: str) -> int:
    """The slow, obviously right reference: compare bit strings one character at a time."""
    bits_a, bits_b = f"{int(a, 16):0256b}", f"{int(b, 16):0256b}"
    return sum(x != y for x, y in zip(bits_a, bits_b, strict=True))


def pdq_entries(hashes: list[str], bank: str = "b") -> list[BankEntry]:
    return [BankEntry(bank, h, "pdq", f"label-{i}") for i, h in enumerate(hashes)]


@pytest.fixture(scope="module")
def haystack() -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
    """300 random hashes plus near neighbours of some at 0-40 bits, queries around them, and the
    distance of every (query, hash) pair by the Python loop."""
    rng = random.Random(20260101)
    hashes = [random_pdq(rng) for _ in range(300)]
    hashes += [flipped(hashes[i], i % 41, rng) for i in range(0, 300, 3)]
    queries = [flipped(hashes[i], rng.randrange(0, 45), rng) for i in range(0, 400, 7)]
    queries += [random_pdq(rng) for _ in range(10)]
    distances = {(q, h): python_hamming(q, h) for q in queries for h in hashes}
    return hashes, queries, distances


@pytest.mark.parametrize("max_distance", [0, 10, 31, 40, 130])
def test_brute_force_agrees_with_a_python_loop(
    haystack: tuple[list[str], list[str], dict[tuple[str, str], int]], max_distance: int,
) -> None:
    hashes, queries, distances = haystack
    index = BruteForcePdqIndex.build(pdq_entries(hashes))
    found = 0
    for query in queries:
        expected = sorted((distances[query, h], h) for h in hashes
                          if distances[query, h] <= max_distance)
        got = [(m.distance, m.entry.hash) for m in index.query(query, max_distance)]
        assert got == expected
        found += len(got)
    assert found > 0


def test_lookup_table_popcount_agrees_with_bitwise_count() -> None:
    words = np.random.default_rng(7).integers(0, 2**63, size=(500, 4), dtype=np.uint64) * 2 + 1
    expected = [sum(bin(int(w)).count("1") for w in row) for row in words]
    assert popcount_rows(words, use_bitwise_count=False).tolist() == expected
    assert popcount_rows(words).tolist() == expected


def test_threshold_is_inclusive() -> None:
    rng = random.Random(3)
    stored = random_pdq(rng)
    index = BruteForcePdqIndex.build(pdq_entries([stored]))
    assert [m.distance for m in index.query(flipped(stored, 31, rng), PDQ_MATCH_THRESHOLD)] == [31]
    assert index.query(flipped(stored, 32, rng), PDQ_MATCH_THRESHOLD) == []


def test_results_are_nearest_first_and_empty_index_finds_nothing() -> None:
    rng = random.Random(4)
    query = random_pdq(rng)
    near = [flipped(query, d, rng) for d in (12, 3, 30, 0)]
    index = BruteForcePdqIndex.build(pdq_entries(near))
    assert [m.distance for m in index.query(query, 31)] == [0, 3, 12, 30]
    assert BruteForcePdqIndex.build([]).query(query, 31) == []


@pytest.mark.parametrize("bad", ["abc", "z" * 64, "0" * 63])
def test_malformed_pdq_is_refused_on_build_and_query(bad: str) -> None:
    with pytest.raises(ValueError, match="64 hex digits"):
        BruteForcePdqIndex.build(pdq_entries([bad]))
    with pytest.raises(ValueError, match="64 hex digits"):
        BruteForcePdqIndex.build([]).query(bad, 31)


def test_pdq_index_refuses_other_signal_types() -> None:
    with pytest.raises(ValueError, match="not pdq"):
        BruteForcePdqIndex.build([BankEntry("b", "0" * 32, "md5")])


def test_exact_index_matches_only_equal_hashes_case_insensitively() -> None:
    entries = [BankEntry("b", "a" * 32, "md5", "x"), BankEntry("c", "a" * 32, "md5", "y"),
               BankEntry("b", "b" * 32, "md5")]
    index = ExactIndex.build(entries)
    assert index.query("A" * 32) == [Match(entries[0], 0), Match(entries[1], 0)]
    assert index.query("a" * 31 + "b", 31) == []
    assert len(index) == 3


def test_bank_matcher_holds_each_bank_to_its_own_threshold() -> None:
    rng = random.Random(5)
    query = random_pdq(rng)
    at_20 = flipped(query, 20, rng)
    banks = [BankInfo("strict", threshold=10), BankInfo("loose", threshold=40)]
    entries = [BankEntry("strict", at_20, "pdq"), BankEntry("loose", at_20, "pdq"),
               BankEntry("loose", flipped(query, 38, rng), "pdq"),
               BankEntry("loose", "c" * 32, "md5")]
    matcher = BankMatcher(banks, entries)
    got = [(m.entry.bank, m.distance) for m in matcher.match("pdq", query)]
    assert got == [("loose", 20), ("loose", 38)]
    assert [m.entry.hash for m in matcher.match("md5", "C" * 32)] == ["c" * 32]
    assert matcher.match("sha256", "d" * 64) == []
    assert len(matcher) == 4
    assert matcher.threshold("unknown-bank") == PDQ_MATCH_THRESHOLD


@pytest.mark.parametrize(("distance", "threshold", "score"), [
    (0, 31, 1.0), (31, 31, 0.6), (10, 20, 0.8), (5, 0, 1.0), (40, 31, 0.6),
])
def test_match_score_falls_linearly_to_point_six(distance: int, threshold: int,
                                                 score: float) -> None:
    assert match_score(distance, threshold) == pytest.approx(score)


def test_hex_matches_the_python_threatexchange_convention() -> None:
    """pytx pdq_hasher: join the 256 bits into a string, int(..., 2), '%0*X' % 64, lower()."""
    rng = np.random.default_rng(11)
    for _ in range(50):
        bits = rng.integers(0, 2, size=256)
        bit_string = "".join(str(b) for b in bits)
        pytx_hex = ("%0*X" % (64, int(bit_string, 2))).lower()  # noqa: UP031 - pytx's expression
        assert bits_to_hex(bits) == pytx_hex
        assert hex_to_bits(pytx_hex).tolist() == bits.tolist()


def test_hamming_hex_agrees_with_the_loop() -> None:
    rng = random.Random(8)
    for _ in range(100):
        a, b = random_pdq(rng), random_pdq(rng)
        assert hamming_hex(a, b) == python_hamming(a, b)
