"""Group commit: concurrent acceptances share transactions, each keeps its own answer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

from vigil.intake.group import GroupCommitter
from vigil.intake.ledger import IdempotencyConflict, Pending
from vigil.intake.service import Intake
from vigil.records import RecordKind
from vigil.registry import load_registry
from vigil.settings import Settings
from vigil.store.interfaces import Store
from vigil.store.open import open_store
from vigil.store.sql import SqlStore

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def report(n: int, **changes: Any) -> dict[str, Any]:
    return {"report_id": f"r{n}", "reporter": f"vidchat:viewer{n}", "reported": "vidchat:host",
            "session_id": f"s{n}", "reported_at": "2026-11-29T10:00:00Z",
            "reason": "asked my age and to keep it secret", **changes}


@pytest.fixture
def store(sql_store_url: str) -> Iterator[SqlStore]:
    with closing(open_store(sql_store_url)) as opened:
        assert isinstance(opened, SqlStore)
        yield opened


def intake(store: Store) -> Intake:
    return Intake(store, Settings(database_url="memory://"), load_registry(),
                  background=False, clock=lambda: NOW)


def commits_of(store: SqlStore) -> list[int]:
    """A counter of the transactions committed on the store's engine."""
    count = [0]
    event.listen(store.engine, "commit", lambda _conn: count.__setitem__(0, count[0] + 1))
    return count


def queued(service: Intake, items: list[dict[str, Any]], key: str | None = None) -> Pending:
    prepared = service.prepare(RecordKind.REPORT, items, key)
    assert isinstance(prepared, Pending)
    service.committer.submit(prepared)
    return prepared


def stored_first(service: Intake, items: list[dict[str, Any]], key: str) -> None:
    """Commit ``items`` before the test's batch through :meth:`drain_once`, not ``accept``:
    ``accept`` starts the committer threads, which could then take the test's whole batch and
    leave its own ``drain_once`` waiting for ever (it hung once under load)."""
    queued(service, items, key)
    assert service.committer.drain_once() == 1


def test_waiting_acceptances_are_committed_in_one_transaction_with_their_own_answers(
        store: SqlStore) -> None:
    service = intake(store)
    pending = [queued(service, [report(n)], f"key-{n}") for n in range(8)]
    count = commits_of(store)
    assert service.committer.drain_once() == 8
    assert count[0] == 1
    answers = [p.result.result() for p in pending]
    assert [a.response["records"][0]["id"] for a in answers] == [f"r{n}" for n in range(8)]
    assert not any(a.replayed for a in answers)
    assert len(store.records(RecordKind.REPORT)) == 8
    again = service.accept(RecordKind.REPORT, [report(3)], "key-3")
    assert again.replayed and again.body == answers[3].response


def test_concurrent_accepts_share_transactions(store: SqlStore,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """16 threads accept at once; the first write waits until all are queued (no timing)."""
    service = intake(store)
    committer = service.committer
    count = commits_of(store)
    all_queued = threading.Event()
    submitted = [0]
    lock = threading.Lock()
    submit, write = committer.submit, committer._write  # noqa: SLF001 - instrumented

    def counting_submit(pending: Pending) -> None:
        submit(pending)
        with lock:
            submitted[0] += 1
            if submitted[0] == 16:
                all_queued.set()

    def gated_write(batch: Any) -> None:
        assert all_queued.wait(10)
        write(batch)

    monkeypatch.setattr(committer, "submit", counting_submit)
    monkeypatch.setattr(committer, "_write", gated_write)
    bodies: dict[int, dict[str, Any]] = {}

    def send(n: int) -> None:
        bodies[n] = service.accept(RecordKind.REPORT, [report(n)], f"key-{n}").body

    threads = [threading.Thread(target=send, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    service.close()
    assert {n: b["records"][0]["id"] for n, b in bodies.items()} == \
        {n: f"r{n}" for n in range(16)}
    assert len(store.records(RecordKind.REPORT)) == 16
    # Each committer thread's first batch (taken before all were queued), then all the others'.
    assert count[0] <= committer._committers + 1  # noqa: SLF001


def test_a_conflicting_request_in_a_batch_fails_alone(store: SqlStore) -> None:
    service = intake(store)
    first = queued(service, [report(1)], "key-1")
    clash = queued(service, [report(1, reason="something else")], "key-2")
    twin = queued(service, [report(1)], "key-1")
    other = queued(service, [report(2)])
    service.committer.drain_once()
    assert not first.result.result().replayed
    with pytest.raises(IdempotencyConflict, match="report_id 'r1'"):
        clash.result.result()
    assert twin.result.result().replayed
    assert twin.result.result().response == first.result.result().response
    assert other.result.result().response["records"][0]["id"] == "r2"
    assert sorted(r.report_id for r in store.records(RecordKind.REPORT)) == \
        ["r1", "r2"]  # type: ignore[attr-defined]


def test_a_twin_key_in_one_batch_is_answered_as_the_first_in_one_transaction(
        store: SqlStore) -> None:
    service = intake(store)
    first = queued(service, [report(1)], "key-1")
    twin = queued(service, [report(1)], "key-1")
    count = commits_of(store)
    service.committer.drain_once()
    assert count[0] == 1
    assert twin.result.result().replayed
    assert twin.result.result().response == first.result.result().response


def statements_of(store: SqlStore) -> list[str]:
    """The SQL statements executed on the store's engine from now on."""
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_rest: seen.append(statement))
    return seen


def test_a_batch_of_independent_requests_is_written_with_one_statement_per_table(
        store: SqlStore) -> None:
    service = intake(store)
    pending = [queued(service, [report(n), report(100 + n)], f"key-{n}") for n in range(8)]
    pending.append(queued(service, [report(50)]))  # no key: stored, no answer kept
    statements = statements_of(store)
    service.committer.drain_once()
    assert [p.result.result().response["accepted"] for p in pending] == [2] * 8 + [1]
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    if store.engine.dialect.name == "postgresql":
        # one pipelined round trip through psycopg itself (vigil.intake.pg_batch), no
        # statement built by SQLAlchemy
        assert inserts == []
    else:
        # records, signals, record ids and answers: the same statement for all nine requests
        assert len({s.split("(")[0] for s in inserts}) == 4 and len(statements) < 12
    assert len(store.records(RecordKind.REPORT)) == 17
    again = service.accept(RecordKind.REPORT, [report(3), report(103)], "key-3")
    assert again.replayed and again.body == pending[3].result.result().response


def test_a_batched_request_clashing_with_a_stored_record_fails_alone(store: SqlStore) -> None:
    service = intake(store)
    stored_first(service, [report(1)], "key-1")
    replay = service.prepare(RecordKind.REPORT, [report(1)], "key-1", check_stored=False)
    assert isinstance(replay, Pending)  # as the async path queues it: found in the transaction
    service.committer.submit(replay)
    clash = queued(service, [report(1, reason="something else")], "key-2")
    other = queued(service, [report(2)], "key-3")
    service.committer.drain_once()
    assert replay.result.result().replayed
    with pytest.raises(IdempotencyConflict, match="report_id 'r1'"):
        clash.result.result()
    assert not other.result.result().replayed
    assert sorted(r.report_id for r in store.records(RecordKind.REPORT)) == \
        ["r1", "r2"]  # type: ignore[attr-defined]


def test_one_request_naming_a_record_id_twice_with_other_content_is_refused(
        store: SqlStore) -> None:
    service = intake(store)
    with pytest.raises(IdempotencyConflict, match="report_id 'r1'"):
        service.accept(RecordKind.REPORT, [report(1), report(1, reason="other")], "key-1")
    assert store.records(RecordKind.REPORT) == []


def test_a_fresh_batch_clashing_with_a_stored_record_id_fails_alone(store: SqlStore) -> None:
    """No stored key in the batch (on PostgreSQL the pipelined path): the id claim decides."""
    service = intake(store)
    stored_first(service, [report(1), report(2)], "key-1")
    clash = queued(service, [report(1, reason="something else")], "key-2")
    resent = queued(service, [report(2)])  # same id, same content, no key: stored once
    other = queued(service, [report(3)], "key-3")
    service.committer.drain_once()
    with pytest.raises(IdempotencyConflict, match="report_id 'r1'"):
        clash.result.result()
    assert not resent.result.result().replayed and not other.result.result().replayed
    stored = store.records(RecordKind.REPORT)
    assert sorted(r.report_id for r in stored) == ["r1", "r2", "r3"]  # type: ignore[attr-defined]
    assert service.accept(RecordKind.REPORT, [report(3)], "key-3").replayed
    with pytest.raises(IdempotencyConflict):
        service.accept(RecordKind.REPORT, [report(1, reason="something else")], "key-2")


def test_two_committers_store_each_key_once_when_twins_race(store: SqlStore) -> None:
    """Two committer threads (what PostgreSQL gets) and each Idempotency-Key sent twice at once:
    whichever transaction commits first stores it, the twin is answered as its replay."""
    service = intake(store)
    service.committer = GroupCommitter(service._ledger.commit_many,  # noqa: SLF001
                                       service._commit_one, committers=2, max_batch=3)  # noqa: SLF001
    bodies: dict[tuple[int, int], Any] = {}
    start = threading.Barrier(24)

    def send(n: int, twin: int) -> None:
        start.wait(10)
        bodies[(n, twin)] = service.accept(RecordKind.REPORT, [report(n)], f"key-{n}")

    threads = [threading.Thread(target=send, args=(n, twin)) for n in range(12)
               for twin in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    service.close()
    assert len(store.records(RecordKind.REPORT)) == 12
    for n in range(12):
        first, second = bodies[(n, 0)], bodies[(n, 1)]
        assert first.body == second.body and [first.replayed, second.replayed].count(True) == 1
