"""``Intake.accept_async``: what the web routes call; same answers as ``accept``, no thread held."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from vigil.intake.ledger import IdempotencyConflict
from vigil.intake.parse import IntakeRejected
from vigil.intake.service import Intake, Receipt
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.records import RecordKind
from vigil.registry import load_registry
from vigil.settings import Settings
from vigil.store.interfaces import Store
from vigil.store.open import open_store

KNOWN = "f" * 16 + "0" * 48
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def report(n: int, **changes: Any) -> dict[str, Any]:
    return {"report_id": f"r{n}", "reporter": f"vidchat:viewer{n}", "reported": "vidchat:host",
            "session_id": f"s{n}", "reported_at": "2026-11-29T10:00:00Z",
            "reason": "asked my age", "frame_pdqs": [KNOWN], **changes}


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with closing(open_store(store_url)) as opened:
        opened.add_bank(BankInfo("known"))
        opened.add_bank_entries([BankEntry("known", KNOWN, "pdq", label="drawn test picture")])
        yield opened


class Clocked:
    """An intake whose clock the test sets (``now``), accepting through ``accept_async``."""

    def __init__(self, store: Store) -> None:
        self.now = NOW
        self.service = Intake(store, Settings(database_url="memory://", media_index="brute"),
                              load_registry(), background=False, clock=lambda: self.now)

    def accept(self, items: list[dict[str, Any]], key: str | None) -> Receipt:
        return asyncio.run(self.service.accept_async(RecordKind.REPORT, items, key))


@pytest.fixture
def clocked(store: Store) -> Iterator[Clocked]:
    made = Clocked(store)
    yield made
    made.service.close()


def test_it_matches_commits_and_replays_like_accept(store: Store, clocked: Clocked) -> None:
    assert clocked.service.lookups.current() is None  # built off the loop on first use
    first = clocked.accept([report(1)], "key-1")
    assert not first.replayed and first.body["records"][0]["matches"]
    again = clocked.accept([report(1)], "key-1")
    assert again.replayed and again.body == first.body
    with pytest.raises(IdempotencyConflict):
        clocked.accept([report(2)], "key-1")
    assert len(store.records(RecordKind.REPORT)) == 1


def test_a_replay_is_answered_even_if_its_records_would_be_refused_now(
        clocked: Clocked) -> None:
    first = clocked.accept([report(1)], "key-1")
    clocked.now = NOW - timedelta(days=10)  # the stored report is "in the future" now
    again = clocked.accept([report(1)], "key-1")
    assert again.replayed and again.body == first.body
    with pytest.raises(IntakeRejected, match="future"):
        clocked.accept([report(2)], "key-2")
