"""The service's bank index: a stale one keeps answering while it is rebuilt behind it; a
curation is matched at once; a failed refresh keeps the loaded index; workers preload it."""

from __future__ import annotations

import threading
import time

import pytest

from vigil.access.keys import KeyStore, Scope, create_key, key_store_for
from vigil.access.tenants import TenantStores
from vigil.intake.lookups import LookupCache
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.registry import load_registry
from vigil.settings import Settings
from vigil.store.memory import MemoryStore

FIRST, SECOND = "a" * 64, "b" * 64


class GatedBanks(MemoryStore):
    """A bank store whose entry reads can be held open, or made to fail."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()
        self.fail = False

    def bank_entries(self, bank: str | None = None) -> list[BankEntry]:
        assert self.gate.wait(10)
        if self.fail:
            raise ConnectionError("store unreachable")
        return super().bank_entries(bank)


def banks_with(*hashes: str) -> GatedBanks:
    store = GatedBanks()
    store.add_bank(BankInfo("known"))
    store.add_bank_entries([BankEntry("known", h, "pdq") for h in hashes])
    return store


def hashes_in(cache: LookupCache) -> int:
    lookup = cache.current()
    assert lookup is not None
    return len(lookup)


def wait_for(condition: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_stale_index_answers_while_its_rebuild_runs_behind_it() -> None:
    banks = banks_with(FIRST)
    cache = LookupCache(banks, "mih", refresh_s=0.05)
    assert len(cache.get()) == 1
    banks.add_bank_entries([BankEntry("known", SECOND, "pdq")])
    banks.gate.clear()  # the rebuild will wait on the store
    time.sleep(0.06)
    began = time.monotonic()
    assert len(cache.get()) == 1  # stale, answered at once, not after the rebuild
    assert time.monotonic() - began < 1.0
    banks.gate.set()
    wait_for(lambda: hashes_in(cache) == 2)
    cache.close()


def test_a_curation_is_matched_at_the_next_request() -> None:
    banks = banks_with(FIRST)
    cache = LookupCache(banks, "mih", refresh_s=3600)
    assert len(cache.get()) == 1
    banks.add_bank_entries([BankEntry("known", SECOND, "pdq")])
    cache.invalidate()
    assert cache.current() is None  # no stale answer after a curation
    assert len(cache.get()) == 2


def test_a_refresh_begun_before_a_curation_never_overwrites_it() -> None:
    banks = banks_with(FIRST)
    cache = LookupCache(banks, "mih", refresh_s=0.05)
    cache.get()
    time.sleep(0.06)
    banks.gate.clear()
    cache.current()  # starts a refresh that reads the store before the curation
    banks.add_bank_entries([BankEntry("known", SECOND, "pdq")])
    cache.invalidate()
    banks.gate.set()
    cache.close()
    assert len(cache.get()) == 2


def test_a_failed_refresh_keeps_the_loaded_index(caplog: pytest.LogCaptureFixture) -> None:
    banks = banks_with(FIRST)
    cache = LookupCache(banks, "mih", refresh_s=0.05)
    cache.get()
    banks.fail = True
    time.sleep(0.06)
    assert cache.current() is not None
    cache.close()
    assert hashes_in(cache) == 1 and cache.status().loaded
    assert "index refresh failed" in caplog.text


def test_preload_builds_the_index_of_each_tenant_with_a_matching_key() -> None:
    keys: KeyStore = key_store_for(MemoryStore())
    create_key(keys, "acme", [Scope.LOOKUP])
    create_key(keys, "zeta", [Scope.CASES_READ])
    tenants = TenantStores("memory://", Settings(), load_registry, background=False)
    try:
        assert tenants.preload(keys) == ["acme"]
        [opened] = tenants.opened()
        assert opened.name == "acme" and opened.intake.lookups.status().loaded
    finally:
        tenants.close()
