"""The PDQ index cache: a second call loads instead of building, gives the same matches, and
any change to a bank's entries (new, paused, resumed) makes the next call rebuild."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from vigil.media.banks.index_cache import cached_lookup, index_cache_dir
from vigil.media.banks.lookup import MediaLookup
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.media.index.base import pack_pdq_hex
from vigil.store.interfaces import Store
from vigil.store.open import open_store

LOGGER = "vigil.media.banks.index_cache"


def _hex(rng: np.random.Generator) -> str:
    return rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex()


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'vigil.db'}")
    rng = np.random.default_rng(8)
    opened.add_bank(BankInfo("known", threshold=31))
    opened.add_bank(BankInfo("wide", threshold=60))
    entries = [BankEntry("known", _hex(rng), "pdq", f"label-{i}" if i % 3 else "", "src")
               for i in range(600)]
    entries += [BankEntry("wide", _hex(rng), "pdq") for _ in range(300)]
    entries += [BankEntry("wide", _hex(rng).upper(), "pdq"),  # kept as spelled, as add() does
                BankEntry("known", _hex(rng).upper(), "pdq", "upper", "src")]
    entries += [BankEntry("known", "ab" * 16, "md5", "exact")]
    opened.add_bank_entries(entries)
    yield opened
    opened.close()


def _queries(store: Store) -> np.ndarray:
    """Every stored PDQ hash with a few bits flipped, plus unrelated hashes."""
    rng = np.random.default_rng(9)
    hashes = [e.hash for e in store.bank_entries() if e.signal_type == "pdq"]
    codes = pack_pdq_hex(hashes).view(np.uint8).copy()
    codes[:, 0] ^= rng.integers(0, 256, len(codes), dtype=np.uint8)
    noise = rng.integers(0, 256, (50, 32), dtype=np.uint8)
    return np.concatenate([codes, noise])


def _answers(lookup: MediaLookup, queries: np.ndarray) -> list[object]:
    """Every query's kept and held-back matches, through the public judging path."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [row.tobytes().hex() for row in queries]
    outcomes = [lookup.judge([("r0", row)], now=now) for row in rows]
    outcomes.append(lookup.judge(md5="ab" * 16, now=now))
    return [([v.match for v in o.kept], [s.match for s in o.suppressed]) for o in outcomes]


def _hits(lookup: MediaLookup, hex_hash: str) -> list[BankEntry]:
    outcome = lookup.judge([("r0", hex_hash)], now=datetime(2026, 1, 1, tzinfo=UTC))
    return [v.match.entry for v in outcome.kept] + [s.match.entry for s in outcome.suppressed]


def _calls(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage().split(" ")[2] for r in caplog.records if r.name == LOGGER]


def test_second_call_loads_and_matches_alike(store: Store, tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, LOGGER)
    queries = _queries(store)
    reference = _answers(MediaLookup.from_store(store, "mih"), queries)
    built = cached_lookup(store, "mih", tmp_path / "cache")
    loaded = cached_lookup(store, "mih", tmp_path / "cache")
    assert _calls(caplog) == ["built", "loaded"]
    assert _answers(built, queries) == reference
    assert _answers(loaded, queries) == reference
    assert any(m.entry.label == "label-1" for kept, _ in reference for m in kept)  # type: ignore[attr-defined]


def test_a_change_to_a_bank_rebuilds(store: Store, tmp_path: Path,
                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, LOGGER)
    cache = tmp_path / "cache"
    cached_lookup(store, "mih", cache)
    new = BankEntry("wide", "0f" * 32, "pdq", "new")
    store.add_bank_entries([new])
    assert _hits(cached_lookup(store, "mih", cache), new.hash) == [new]
    cached_lookup(store, "mih", cache)
    store.set_bank_entry_enabled("wide", "pdq", new.hash, False, reason="flood", actor="t")
    paused = _hits(cached_lookup(store, "mih", cache), new.hash)[0]
    assert not paused.enabled and paused.state_reason == "flood"
    again = _hits(cached_lookup(store, "mih", cache), new.hash)[0]
    assert again == paused  # the pause survives the cache
    store.set_bank_entry_enabled("wide", "pdq", new.hash, True, reason="ok", actor="t")
    cached_lookup(store, "mih", cache)
    store.set_bank_enabled("wide", False, reason="bank state is read fresh", actor="t")
    cached_lookup(store, "mih", cache)
    assert _calls(caplog) == ["built", "built", "loaded", "built", "loaded", "built", "loaded"]


def test_a_damaged_cache_is_rebuilt(store: Store, tmp_path: Path,
                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, LOGGER)
    cache = tmp_path / "cache"
    cached_lookup(store, "mih", cache)
    for damaged in cache.glob("*.npz"):
        damaged.write_bytes(damaged.read_bytes()[:100])
    queries = _queries(store)
    again = cached_lookup(store, "mih", cache)
    assert _answers(again, queries) == _answers(MediaLookup.from_store(store, "mih"), queries)
    assert [r.levelname for r in caplog.records] == ["INFO", "WARNING", "INFO"]


@pytest.mark.parametrize(("url", "expected"), [
    ("sqlite:////data/vigil.db", Path("/data/index-cache")),
    (None, Path(".vigil/index-cache")),
    ("memory://", None),
    ("sqlite://", None),
    ("postgresql://u@h/db", None),
])
def test_cache_folder_sits_next_to_sqlite(url: str | None, expected: Path | None) -> None:
    assert index_cache_dir(url) == expected


def test_a_rebuilt_database_of_the_same_size_rebuilds(tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    """The cache sits next to the database and outlives it: the same count of other hashes
    (same sequence numbers, same sizes) must not be served from it."""
    caplog.set_level(logging.INFO, LOGGER)
    cache, found = tmp_path / "cache", []
    for seed in (1, 2):
        (tmp_path / "vigil.db").unlink(missing_ok=True)
        opened = open_store(f"sqlite:///{tmp_path / 'vigil.db'}")
        rng = np.random.default_rng(seed)
        opened.add_bank(BankInfo("known"))
        opened.add_bank_entries([BankEntry("known", _hex(rng), "pdq", "x") for _ in range(300)])
        probe = opened.bank_entries()[0].hash
        found.append([e.hash for e in _hits(cached_lookup(opened, "mih", cache), probe)])
        opened.close()
        assert found[-1] == [probe]
    assert _calls(caplog) == ["built", "built"]
