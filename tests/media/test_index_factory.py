"""The PDQ index is chosen by name, falls back when torch or CUDA is missing, and the bank matcher
gives the same matches whichever it uses."""

from __future__ import annotations

import importlib.util
import random

import numpy as np
import pytest

from vigil.media.banks.matcher import BankMatcher
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.media.index import factory as index_factory
from vigil.media.index.base import pack_pdq_hex
from vigil.media.index.brute import BruteForcePdqIndex
from vigil.media.index.factory import INDEX_NAMES, make_pdq_index, resolve_index_name
from vigil.media.index.segmented import GpuPdqIndex, MihPdqIndex

HAS_TORCH = importlib.util.find_spec("torch") is not None
CUDA = HAS_TORCH and __import__("torch").cuda.is_available()


def random_pdq(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def near(hex_hash: str, bits: int, rng: random.Random) -> str:
    value = int(hex_hash, 16)
    for position in rng.sample(range(256), bits):
        value ^= 1 << position
    return f"{value:064x}"


@pytest.mark.parametrize(("name", "torch_installed", "expected"), [
    ("brute", True, "brute"),
    ("mih", True, "mih"),
    ("gpu", True, "gpu"),
    ("gpu", False, "mih"),   # no torch: the CPU index, not an error
    ("auto", False, "mih"),
    ("brute", False, "brute"),
])
def test_names_resolve_with_fallbacks(monkeypatch: pytest.MonkeyPatch, name: str,
                                      torch_installed: bool, expected: str) -> None:
    if torch_installed and not HAS_TORCH:
        pytest.skip("torch is not installed")
    monkeypatch.setattr(index_factory, "torch_installed", lambda: torch_installed)
    assert resolve_index_name(name) == expected


def test_auto_is_gpu_only_with_cuda() -> None:
    assert resolve_index_name("auto") == ("gpu" if CUDA else "mih")


@pytest.mark.parametrize(("name", "kind"), [
    ("brute", BruteForcePdqIndex), ("mih", MihPdqIndex),
    pytest.param("gpu", GpuPdqIndex, marks=pytest.mark.skipif(not HAS_TORCH, reason="no torch")),
])
def test_make_pdq_index_builds_the_named_kind(name: str, kind: type) -> None:
    entry = BankEntry("b", "ab" * 32, "pdq")
    index = make_pdq_index(name, [entry])
    assert isinstance(index, kind)
    assert [m.entry for m in index.query("ab" * 32, 0)] == [entry]


def test_unknown_names_are_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="brute, mih, gpu, auto"):
        make_pdq_index("faiss")
    assert INDEX_NAMES == ("brute", "mih", "gpu", "auto")


@pytest.mark.parametrize("name", ["brute", "mih", "auto"])
def test_bank_matcher_holds_each_bank_to_its_threshold_whatever_the_index(name: str) -> None:
    rng = random.Random(5)
    query = random_pdq(rng)
    at_20 = near(query, 20, rng)
    banks = [BankInfo("strict", threshold=10), BankInfo("loose", threshold=40)]
    entries = [BankEntry("strict", at_20, "pdq"), BankEntry("loose", at_20, "pdq"),
               BankEntry("loose", near(query, 38, rng), "pdq"),
               BankEntry("loose", "c" * 32, "md5")]
    entries += [BankEntry("loose", random_pdq(rng), "pdq") for _ in range(3000)]
    matcher = BankMatcher(banks, entries, pdq_index=name)
    assert [(m.entry.bank, m.distance) for m in matcher.match("pdq", query)] == [
        ("loose", 20), ("loose", 38)]
    assert [m.entry.hash for m in matcher.match("md5", "C" * 32)] == ["c" * 32]
    batched = matcher.match_many(pack_pdq_hex([query, at_20]))
    assert [[(m.entry.bank, m.distance) for m in ms] for ms in batched] == [
        [("loose", 20), ("loose", 38)], [("loose", 0), ("strict", 0)]]


@pytest.mark.parametrize("name", ["brute", "mih"])
def test_bank_matcher_adds_and_removes_entries_and_banks(name: str) -> None:
    rng = random.Random(6)
    query = random_pdq(rng)
    matcher = BankMatcher([BankInfo("old")], [BankEntry("old", random_pdq(rng), "pdq")],
                          pdq_index=name)
    added = [BankEntry("new", near(query, 12, rng), "pdq", "x"), BankEntry("new", "d" * 32, "md5")]
    matcher.add(added, banks=[BankInfo("new", threshold=12)])
    assert [m.entry for m in matcher.match("pdq", query)] == [added[0]]
    assert [m.entry for m in matcher.match("md5", "d" * 32)] == [added[1]]
    assert matcher.threshold("new") == 12 and len(matcher) == 3
    assert matcher.remove(added) == 2
    assert matcher.match("pdq", query) == [] and matcher.match("md5", "d" * 32) == []


def test_bulk_codes_load_as_entries_of_one_bank() -> None:
    codes = np.random.default_rng(7).integers(0, 2**64, size=(5000, 4), dtype=np.uint64)
    index = MihPdqIndex()
    ids = index.add_codes(codes, "bulk")
    assert ids.tolist() == list(range(5000)) and len(index) == 5000
    (match,) = index.query(codes[42].tobytes().hex(), 0)
    assert (match.entry.bank, match.entry.hash) == ("bulk", codes[42].tobytes().hex())
    assert index.nbytes >= codes.nbytes
    with pytest.raises(ValueError, match="uint8 \\[n, 32\\] or uint64 \\[n, 4\\]"):
        index.add_codes(codes[:, :3], "bulk")
