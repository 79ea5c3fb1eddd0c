"""Adds and removals take effect for the next query, keep agreeing with brute force, and never
show a query half of a change, on every PDQ index."""

from __future__ import annotations

import importlib.util
import random
import threading

import numpy as np
import pytest

from vigil.media.banks.records import BankEntry
from vigil.media.index import segments
from vigil.media.index.base import EntryKey, HashIndex, pack_pdq_hex
from vigil.media.index.brute import BruteForcePdqIndex, ExactIndex
from vigil.media.index.factory import make_pdq_index
from vigil.media.index.segmented import SegmentedPdqIndex

NEEDS_TORCH = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="torch is not installed")
NAMES = ["brute", "mih", pytest.param("gpu", marks=NEEDS_TORCH)]


def random_pdq(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def near(hex_hash: str, bits: int, rng: random.Random) -> str:
    value = int(hex_hash, 16)
    for position in rng.sample(range(256), bits):
        value ^= 1 << position
    return f"{value:064x}"


def entries_of(hashes: list[str], bank: str = "b") -> list[BankEntry]:
    return [BankEntry(bank, h, "pdq", f"item-{i}") for i, h in enumerate(hashes)]


def answers(index: HashIndex, queries: list[str], radius: int = 31) -> list[list[object]]:
    return [[(m.entry, m.distance) for m in index.query(q, radius)] for q in queries]


@pytest.mark.parametrize("name", NAMES)
def test_an_added_hash_is_found_by_the_next_query(name: str) -> None:
    rng = random.Random(1)
    index = make_pdq_index(name, entries_of([random_pdq(rng) for _ in range(3000)]))
    fresh = BankEntry("new-bank", random_pdq(rng), "pdq", "fresh")
    assert index.query(fresh.hash, 31) == []
    assert index.add([fresh]) == [3000]
    assert [(m.entry, m.distance) for m in index.query(near(fresh.hash, 20, rng), 31)] == [
        (fresh, 20)]
    assert len(index) == 3001


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("key", "removed", "left_banks"), [
    ("hash", 2, []),            # a hash names every entry that has it, in any bank
    ("id", 1, ["other"]),       # an id names one entry
    ("entry", 1, ["b"]),        # an entry names itself (and its equals)
    ("unknown-id", 0, ["b", "other"]),
])
def test_removed_entries_are_not_found_by_the_next_query(
    name: str, key: str, removed: int, left_banks: list[str],
) -> None:
    rng = random.Random(2)
    hashes = [random_pdq(rng) for _ in range(3000)]
    target = hashes[7]
    index = make_pdq_index(name, [*entries_of(hashes), BankEntry("other", target, "pdq")])
    keys: dict[str, EntryKey] = {"hash": target.upper(), "id": 7, "unknown-id": 99_999,
                                 "entry": BankEntry("other", target, "pdq")}
    assert index.remove([keys[key]]) == removed
    assert [m.entry.bank for m in index.query(near(target, 5, rng), 31)] == left_banks
    assert index.remove([keys[key]]) == 0  # already gone
    assert len(index) == 3001 - removed


@pytest.mark.parametrize("name", NAMES)
def test_malformed_additions_add_nothing(name: str) -> None:
    rng = random.Random(3)
    index = make_pdq_index(name, entries_of([random_pdq(rng)]))
    with pytest.raises(ValueError, match="64 hex digits"):
        index.add([BankEntry("b", random_pdq(rng), "pdq"), BankEntry("b", "xyz", "pdq")])
    assert len(index) == 1
    assert index.add([BankEntry("b", random_pdq(rng), "pdq")]) == [1]


@pytest.mark.parametrize("name", ["mih", pytest.param("gpu", marks=NEEDS_TORCH)])
def test_random_adds_and_removals_keep_agreeing_with_brute_force(name: str) -> None:
    rng = random.Random(4)
    pool = [random_pdq(rng) for _ in range(400)]
    queries = [near(rng.choice(pool), rng.choice([0, 1, 16, 31, 32]), rng) for _ in range(60)]
    brute, index = BruteForcePdqIndex(), make_pdq_index(name)
    for step in range(12):
        batch = entries_of([near(rng.choice(pool), rng.randrange(0, 40), rng)
                            for _ in range(rng.choice([1, 50, 700]))], bank=f"bank{step % 3}")
        assert index.add(batch) == brute.add(batch)
        doomed: list[EntryKey] = [rng.randrange(0, len(brute) + 10) for _ in range(30)]
        doomed += [rng.choice(pool), batch[0]]
        assert index.remove(doomed) == brute.remove(doomed)
        assert answers(index, queries) == answers(brute, queries)
        assert len(index) == len(brute)


def test_segments_merge_so_a_query_searches_only_a_few() -> None:
    rng = np.random.default_rng(5)
    index = SegmentedPdqIndex()
    for _ in range(20):
        index.add_codes(rng.integers(0, 2**64, size=(5000, 4), dtype=np.uint64), "b")
        sizes = index.segment_sizes
        assert all(older > max(2 * newer, segments.MERGE_BELOW)
                   for older, newer in zip(sizes, sizes[1:], strict=False))
    index.add(entries_of([f"{1:064x}"]))  # one more: it waits in the tail
    assert sum(index.segment_sizes) == len(index) == 100_001
    assert index.segment_sizes[-1] == 1 and len(index.segment_sizes) <= 4


def test_removing_a_quarter_of_a_segment_rebuilds_it_without_tombstones() -> None:
    rng = random.Random(6)
    hashes = [random_pdq(rng) for _ in range(8000)]
    index = make_pdq_index("mih", entries_of(hashes))
    assert isinstance(index, SegmentedPdqIndex)
    index.remove(range(1000))
    assert index.segment_sizes == [8000]  # tombstones only
    index.remove(range(1000, 2100))
    assert index.segment_sizes == [5900]  # rebuilt without the 2,100 removed
    assert index.query(hashes[5], 31) == [] and len(index.query(hashes[2100], 0)) == 1
    index.add(entries_of([random_pdq(rng) for _ in range(10)]))
    index.compact()
    assert index.segment_sizes == [5910] and len(index) == 5910


@pytest.mark.parametrize("name", NAMES)
def test_queries_during_adds_and_removals_never_see_half_a_change(name: str) -> None:
    """Each add or removal moves 10 copies of one hash at once; a query must see a multiple."""
    rng = random.Random(7)
    index = make_pdq_index(name, entries_of([random_pdq(rng) for _ in range(2000)]))
    marker = random_pdq(rng)
    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def query_until_done() -> None:
        try:
            while not done.is_set():
                seen.append(len(index.query(marker, 31)))
                seen.extend(len(m) for m in index.query_many(pack_pdq_hex([marker] * 3), 31))
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    readers = [threading.Thread(target=query_until_done) for _ in range(2)]
    for reader in readers:
        reader.start()
    for round_ in range(25):
        index.add([BankEntry(f"r{round_}", marker, "pdq")] * 10)
        if round_ % 3 == 2:
            index.remove([BankEntry(f"r{round_}", marker, "pdq")])
    done.set()
    for reader in readers:
        reader.join()
    assert not errors
    assert seen and all(count % 10 == 0 for count in seen)
    assert len(index.query(marker, 0)) == 10 * (25 - 8)


def test_exact_index_adds_and_removes_by_hash_id_and_entry() -> None:
    a, b = BankEntry("x", "a" * 32, "md5"), BankEntry("y", "a" * 32, "md5")
    index = ExactIndex.build([a, b])
    (c_id,) = index.add([BankEntry("x", "C" * 32, "md5")])
    assert c_id == 2 and len(index.query("c" * 32)) == 1
    assert index.remove([b]) == 1 and index.query("A" * 32)[0].entry == a
    assert index.remove([c_id, "A" * 32]) == 2
    assert len(index) == 0 and index.remove(["f" * 32]) == 0
