"""Several processes on one store at once: migrations do not race, writers wait for each other.

Real processes (forked, so they start in milliseconds), released together by a barrier.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from vigil.records import Payment
from vigil.store.errors import StoreBusy
from vigil.store.open import MIGRATIONS_DIR, open_store
from vigil.store.retry import RetryPolicy
from vigil.store.sql import SqlStore

FORK = multiprocessing.get_context("fork")
OPENERS = 5


def _open_when_released(url: str, barrier: Barrier, failures: multiprocessing.SimpleQueue) -> None:  # type: ignore[type-arg]
    barrier.wait()
    try:
        open_store(url).close()
    except Exception as exc:  # reported to the test, which fails with it
        failures.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.parametrize("attempt", range(3))
def test_processes_opening_a_new_store_at_once_all_succeed(unmigrated_sql_store_url: str,
                                                          attempt: int) -> None:
    barrier, failures = FORK.Barrier(OPENERS), FORK.SimpleQueue()
    openers = [FORK.Process(target=_open_when_released,
                            args=(unmigrated_sql_store_url, barrier, failures))
               for _ in range(OPENERS)]
    for process in openers:
        process.start()
    for process in openers:
        process.join(60)
    problems = []
    while not failures.empty():
        problems.append(failures.get())
    assert problems == [] and [p.exitcode for p in openers] == [0] * OPENERS
    with closing(open_store(unmigrated_sql_store_url)) as store:
        assert isinstance(store, SqlStore)
        with store.engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    assert versions == [(_head(),)]


def _head() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def _hold_writer_lock(path: Path, seconds: float, ready: Event) -> None:
    """Keep SQLite's writer lock, as a large import does while it commits."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    ready.set()
    time.sleep(seconds)
    conn.execute("COMMIT")
    conn.close()


def _payment(n: int) -> Payment:
    return Payment(txn_id=f"t{n}", sender="wise:1", beneficiary="gcash:+639170000001",
                   amount=10, currency="USD", amount_usd=10, sender_country="US",
                   beneficiary_country="PH", sent_at=datetime(2026, 1, 1, tzinfo=UTC))


def _while_locked(path: Path, seconds: float) -> multiprocessing.process.BaseProcess:
    ready = FORK.Event()
    holder = FORK.Process(target=_hold_writer_lock, args=(path, seconds, ready))
    holder.start()
    assert ready.wait(30), "the lock holder did not start"
    return holder


def test_a_writer_waits_for_a_long_commit_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "vigil.db"
    with closing(open_store(f"sqlite:///{path}")) as store:
        # Longer than the 5 s sqlite3 waits by default, well within the 30 s default budget.
        holder = _while_locked(path, 5.5)
        start = time.monotonic()
        assert store.add_records([_payment(1)]).added == 1
        waited = time.monotonic() - start
        holder.join(30)
        assert waited > 3 and len(store.records(_payment(1).kind)) == 1


def test_a_writer_gives_up_honestly_when_its_budget_is_spent(tmp_path: Path) -> None:
    path = tmp_path / "vigil.db"
    with closing(open_store(f"sqlite:///{path}", RetryPolicy(budget_s=0.5))) as store:
        holder = _while_locked(path, 3)
        start = time.monotonic()
        with pytest.raises(StoreBusy, match=r"store busy: gave up after \d+ tr(y|ies) over"):
            store.add_records([_payment(1)])
        gave_up_after = time.monotonic() - start
        holder.join(30)
        assert gave_up_after < 2.5
        assert store.add_records([_payment(1)]).added == 1  # the lock is free again
