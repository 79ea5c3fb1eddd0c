"""A case's row names its signals by id (migration 0013): every store reads back the same case,
its signals in the same order, each read from ``signals`` in bulk; a signal not stored yet is
stored with the case; the migration rewrites old rows without losing a signal, and back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, event, select, text

from tests.store.test_store_contract import _migrate_to
from vigil.identifiers import EntityKind
from vigil.model import Case, CaseStatus, EntityRef, Reason, Signal, SignalKind
from vigil.store import case_rows, codec, schema
from vigil.store.interfaces import Store
from vigil.store.open import create_store_engine, open_store
from vigil.store.sql import SqlStore

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _signal(n: int, hub: str = "phone-1") -> Signal:
    own = EntityRef.of(EntityKind.ACCOUNT, f"chat:user{n}")
    shared = EntityRef.of(EntityKind.ACCOUNT, f"chat:{hub}")
    return Signal(source="test.detector", kind=SignalKind.PAYMENT, subjects=(own, shared),
                  score=0.25 + (n % 3) / 4, observed_at=T0 + timedelta(minutes=n),
                  evidence={"roles": {str(own): "payer"}, "n": n, "note": "naïve ✓"},
                  explanation=f"signal {n}", detector_version="1")


def _case(signals: tuple[Signal, ...], case_id: str = "case-a") -> Case:
    entities = tuple(sorted({e for s in signals for e in s.subjects}))
    return Case(case_id, entities, signals, 0.75, (Reason("payers", 2.0, 0.3, 0.6, "two"),),
                CaseStatus.OPEN)


def _full(case: Case) -> str:
    return codec.case_to_json(case)  # every field of every signal, in order


def test_cases_read_back_with_their_signals_in_order(store: Store) -> None:
    signals = tuple(_signal(n) for n in (5, 1, 4, 2, 3))  # not in id or time order
    store.add_signals(signals[:2])  # the rest are stored with the case
    case, alone = _case(signals), _case((_signal(9, "other"),), "case-b")
    store.replace_cases([case, alone])
    assert [_full(c) for c in store.cases()] == [_full(case), _full(alone)]
    found = store.case("case-a")
    assert found is not None and _full(found) == _full(case)
    assert {s.id for s in store.signals()} == {s.id for s in [*signals, *alone.signals]}
    grown = _case((*signals, _signal(6)))
    store.update_cases([grown], ["case-a"])
    assert [_full(c) for c in store.cases()] == [_full(grown), _full(alone)]


def test_a_stored_signal_of_the_same_id_is_the_one_a_case_holds(store: Store) -> None:
    """As ``signals`` keeps the first of an id (the id is a hash of what the finding says,
    not of its explanation), a case reads back the stored one."""
    first = _signal(1)
    store.add_signals([first])
    reworded = replace(first, explanation="worded anew")
    assert reworded.id == first.id
    store.replace_cases([_case((reworded, _signal(2)))])
    (found,) = store.cases()
    assert found.signals[0].explanation == "signal 1"


def test_the_row_holds_ids_and_a_case_is_read_in_bulk(tmp_path: object) -> None:
    store = open_store(f"sqlite:///{tmp_path}/vigil.db")
    assert isinstance(store, SqlStore)
    signals = tuple(_signal(n) for n in range(5_000))
    store.add_signals(signals)
    store.replace_cases([_case(signals)])
    with store.engine.connect() as conn:
        data = json.loads(conn.scalar(select(schema.cases.c.data)) or "")
    assert "signals" not in data and data["signal_ids"] == [s.id for s in signals]
    with _statements(store.engine) as seen:
        found = store.case("case-a")
    assert found is not None and [s.id for s in found.signals] == data["signal_ids"]
    selects = [s for s in seen if s.startswith("SELECT")]  # the row, then one IN list per chunk
    assert len(selects) == 1 + -(-len(signals) // case_rows.IDS_PER_QUERY)
    with store.engine.begin() as conn:
        conn.execute(delete(schema.signals).where(schema.signals.c.id == signals[7].id))
    with pytest.raises(case_rows.MissingSignalError, match=signals[7].id):
        store.case("case-a")
    store.close()


def test_a_caller_that_stored_the_signals_skips_the_look_up(tmp_path: object) -> None:
    """A run links only stored signals and says so (``signals_stored``): its case writes read
    nothing of ``signals``; a caller that does not say so gets the missing ones stored."""
    store = open_store(f"sqlite:///{tmp_path}/vigil.db")
    assert isinstance(store, SqlStore)
    signals = tuple(_signal(n) for n in range(50))
    store.add_signals(signals)
    for stored in (True, False):
        with _statements(store.engine) as seen:
            store.replace_cases([_case(signals)], signals_stored=stored)
            store.update_cases([_case(signals[:10])], ["case-a"], signals_stored=stored)
        reads = [s for s in seen if s.startswith("SELECT") and "FROM signals" in s]
        assert (reads == []) is stored
    store.update_cases([_case((_signal(99),))], ["case-a"])  # not stored yet: stored with it
    assert [s.id for s in store.cases()[0].signals] == [_signal(99).id]
    store.close()


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_migration_0013_moves_signals_out_of_rows_and_back(unmigrated_sql_store_url: str) -> None:
    signals = tuple(_signal(n) for n in (3, 1, 2))
    case = _case(signals)
    old_row = codec.case_to_json(case)
    _migrate_to(unmigrated_sql_store_url, "0012")
    engine = create_store_engine(unmigrated_sql_store_url)
    with engine.begin() as conn:  # only the first signal was stored on its own: the others
        conn.execute(schema.signals.insert().values(  # live in the case's JSON alone
            id=signals[0].id, kind="payment", data=codec.signal_to_json(signals[0])))
        conn.execute(schema.cases.insert().values(id=case.id, priority=case.priority,
                                                  status="open", data=old_row))
    engine.dispose()
    with closing(open_store(unmigrated_sql_store_url)) as store:  # upgraded to head on open
        (found,) = store.cases()
        assert _full(found) == _full(case)
        assert sorted(s.id for s in store.signals()) == sorted(s.id for s in signals)
    _migrate_to(unmigrated_sql_store_url, "0012")
    engine = create_store_engine(unmigrated_sql_store_url)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT data FROM cases")) == old_row
    engine.dispose()


def test_a_rows_status_changes_in_its_column_and_its_json() -> None:
    case = Case("case-1", (), (), 0.5, (), CaseStatus.OPEN)
    row = {"id": case.id, "status": case.status.value, "data": case_rows.case_row_json(case)}
    assert case_rows.with_status(row, None) is row
    assert case_rows.with_status(row, CaseStatus.OPEN) is row
    changed = case_rows.with_status(row, CaseStatus.CONFIRMED)
    assert changed["status"] == "confirmed"
    assert codec.load_json(changed["data"]) == {**codec.load_json(row["data"]),
                                                "status": "confirmed"}
    with pytest.raises(ValueError, match="case-1"):
        case_rows.with_status({**row, "data": row["data"] + " "}, CaseStatus.CONFIRMED)
