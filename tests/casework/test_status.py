"""Bank and detector status: sizes, paused state, index staleness, last run, error ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jinja2 import Environment

from tests.casework.conftest import NOW, Demo
from vigil import BankEntry, BankInfo, bank_status, detector_status, pause_bank, pause_bank_entry
from vigil.confirmation import contributing_detectors
from vigil.intake.lookups import LookupCache
from vigil.store.open import open_store

HOUR = timedelta(hours=1)


def test_the_demo_bank_is_counted_and_its_index_staleness_read(demo: Demo) -> None:
    entries = len(demo.store.bank_entries())
    built = NOW - timedelta(minutes=5)
    [row] = bank_status(demo.store, demo.store, now=NOW, stale_after=HOUR,
                        index_sizes={"demo-known": entries}, index_built_at=built)
    assert (row["name"], row["kind"], row["entries"], row["paused"]) == (
        "demo-known", "positive", entries, False)
    assert (row["index_size"], row["stale"], row["staleness"]) == (
        entries, False, "current (built 5 min ago)")
    [behind] = bank_status(demo.store, demo.store, now=NOW, stale_after=HOUR,
                           index_sizes={"demo-known": entries - 1}, index_built_at=built)
    assert behind["stale"] is True and "index holds" in behind["staleness"]
    [old] = bank_status(demo.store, demo.store, now=NOW + 2 * HOUR, stale_after=HOUR,
                        index_sizes={"demo-known": entries}, index_built_at=built)
    assert old["stale"] is True
    [unknown] = bank_status(demo.store, demo.store, now=NOW, stale_after=HOUR)
    assert (unknown["index_size"], unknown["stale"]) == (None, None)


def test_a_paused_bank_shows_who_paused_it_and_when() -> None:
    store = open_store("memory://")
    store.add_bank(BankInfo("known"))
    store.add_bank_entries([BankEntry("known", "a" * 64, "pdq"), BankEntry("known", "b" * 64,
                                                                           "pdq")])
    assert bank_status(store, store, now=NOW, stale_after=HOUR)[0]["last_change"] is None
    pause_bank_entry(store, store, "known", "pdq", "a" * 64, actor="ana", reason="flood")
    pause_bank(store, store, "known", actor="ben", reason="vendor recall")
    [row] = bank_status(store, store, now=datetime.now(UTC), stale_after=HOUR)
    assert (row["paused"], row["paused_entries"], row["state_reason"]) == (
        True, 1, "vendor recall")
    assert row["last_change_by"] == "ben" and row["last_change"] is not None


def test_every_registered_detector_has_a_row_with_its_last_run(demo: Demo) -> None:
    rows = detector_status(demo.registry.detectors, demo.store, demo.store)
    assert [r["name"] for r in rows] == sorted(demo.registry.detectors)
    [run] = [e for e in demo.store.audit_events() if e.action == "run"]
    ran = run.details["signals"]
    assert isinstance(ran, dict)
    stored = demo.store.signals()
    for row in rows:
        assert row["version"] == demo.registry.detectors[row["name"]].version
        assert row["last_run"] == run.at.isoformat()
        assert row["last_run_signals"] == ran.get(row["name"])
        assert row["stored_signals"] == sum(s.source == row["name"] for s in stored)


def test_the_error_ledger_counts_the_confirmed_and_the_dismissed_case(demo: Demo) -> None:
    rows = {r["name"]: r for r in detector_status(demo.registry.detectors, demo.store,
                                                  demo.store)}
    confirmed = {name for name, _ in contributing_detectors(demo.cases[0])}
    dismissed = {name for name, _ in contributing_detectors(demo.cases[1])}
    for name, row in rows.items():
        assert row["true_positives"] == (name in confirmed)
        assert row["false_positives"] == (name in dismissed)
        versions = {v for n, v in contributing_detectors(demo.cases[0])
                    + contributing_detectors(demo.cases[1]) if n == name}
        assert {count["version"] for count in row["ledger"]} == versions
        if name in confirmed | dismissed:
            assert row["precision"] == row["true_positives"] / (
                row["true_positives"] + row["false_positives"])


def test_the_partial_has_a_row_per_bank_and_per_detector(demo: Demo,
                                                         partials: Environment) -> None:
    banks = bank_status(demo.store, demo.store, now=NOW, stale_after=HOUR)
    detectors = detector_status(demo.registry.detectors, demo.store, demo.store)
    html = partials.get_template("partials/status.html").render(banks=banks,
                                                                detectors=detectors)
    assert html.count('class="bank-row"') == len(banks) == 1
    assert html.count('class="detector-row"') == len(detectors)
    assert "no index loaded" in html


def test_the_service_lookup_just_built_is_current_and_a_new_entry_makes_it_stale() -> None:
    """With the intake's own lookup cache, as the status page reads it."""
    store = open_store("memory://")
    store.add_bank(BankInfo("known"))
    store.add_bank_entries([BankEntry("known", c * 64, "pdq") for c in "abc"])
    cache = LookupCache(store, "brute", refresh_s=60)
    cache.get()
    index = cache.status()
    [row] = bank_status(store, store, now=datetime.now(UTC), stale_after=timedelta(seconds=60),
                        index_sizes=index.banks, index_built_at=index.built_at)
    assert (row["index_size"], row["entries"], row["stale"]) == (3, 3, False)
    store.add_bank_entries([BankEntry("known", "d" * 64, "pdq")])
    [row] = bank_status(store, store, now=datetime.now(UTC), stale_after=timedelta(seconds=60),
                        index_sizes=index.banks, index_built_at=index.built_at)
    assert row["stale"] is True
    assert row["staleness"].startswith("index holds 3 entries, the store 4")
