"""Store errors carry no personal data, and transient ones are retried within a budget."""

from __future__ import annotations

import sqlite3
import traceback
from contextlib import closing
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError, OperationalError

from vigil.store import schema
from vigil.store.errors import StoreBusy, safe_description
from vigil.store.open import open_store
from vigil.store.retry import RetryPolicy, is_transient, retrying
from vigil.store.sql import SqlStore

PHONE, EMAIL = "+639171234567", "maria.santos@example.org"


def test_a_failed_insert_does_not_show_the_rows_values(sql_store_url: str) -> None:
    row = {"content_hash": "a" * 64, "kind": "payment",
           "data": f'{{"sender_phone": "{PHONE}", "sender_email": "{EMAIL}"}}'}
    with closing(open_store(sql_store_url)) as store:
        assert isinstance(store, SqlStore)
        with store.engine.begin() as conn:
            conn.execute(insert(schema.records), [row])
        with pytest.raises(IntegrityError) as caught, store.engine.begin() as conn:
            conn.execute(insert(schema.records), [row])
    shown = "".join(traceback.format_exception(caught.value))
    assert PHONE not in shown and EMAIL not in shown
    assert safe_description(caught.value) in ("IntegrityError", "UniqueViolation")


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def _db_error(orig: BaseException) -> OperationalError:
    return OperationalError("INSERT ...", {}, orig)


@pytest.mark.parametrize(("orig", "transient"), [
    (sqlite3.OperationalError("database is locked"), True),
    (sqlite3.OperationalError("database table is locked"), True),
    (_PgError("40001"), True),   # serialization_failure
    (_PgError("40P01"), True),   # deadlock_detected
    (_PgError("08006"), True),   # connection_failure
    (_PgError("23505"), False),  # unique_violation
    (sqlite3.OperationalError("no such table: records"), False),
    (sqlite3.OperationalError("database or disk is full"), False),
])
def test_which_errors_are_worth_trying_again(orig: BaseException, transient: bool) -> None:
    assert is_transient(_db_error(orig)) is transient
    assert not is_transient(ValueError("database is locked"))


def test_transient_errors_are_retried_until_the_action_succeeds() -> None:
    calls: list[float] = []

    def flaky(remaining: float) -> str:
        calls.append(remaining)
        if len(calls) < 3:
            raise _db_error(sqlite3.OperationalError("database is locked"))
        return "written"

    policy = RetryPolicy(budget_s=5, first_delay_s=0.001, max_delay_s=0.01)
    assert retrying(flaky, policy) == "written"
    assert len(calls) == 3 and all(0 < r <= 5 for r in calls)


def test_retries_stop_at_the_budget_with_an_honest_error() -> None:
    tries = 0

    def always_busy(_remaining: float) -> Any:
        nonlocal tries
        tries += 1
        raise _db_error(_PgError("40P01"))

    policy = RetryPolicy(budget_s=0.2, first_delay_s=0.01, max_delay_s=0.05)
    with pytest.raises(StoreBusy, match=r"store busy: gave up after (\d+) tries over 0\.\d s"):
        retrying(always_busy, policy)
    assert tries > 1


def test_other_errors_are_raised_at_once() -> None:
    tries = 0

    def broken(_remaining: float) -> Any:
        nonlocal tries
        tries += 1
        raise _db_error(sqlite3.OperationalError("no such table: records"))

    with pytest.raises(OperationalError):
        retrying(broken, RetryPolicy(budget_s=5))
    assert tries == 1


def test_backoff_grows_with_full_jitter_and_stays_within_the_budget() -> None:
    policy = RetryPolicy(budget_s=10, first_delay_s=0.1, max_delay_s=1.0)
    for tries in range(1, 12):
        ceiling = min(1.0, 0.1 * 2 ** (tries - 1))
        assert all(0 <= policy.delay(tries, 10) <= ceiling for _ in range(50))
    assert policy.delay(10, 0.01) <= 0.01
