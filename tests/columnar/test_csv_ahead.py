"""The CSV lane's read-ahead hands batches over in order, errors at their place, and stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pyarrow as pa
import pytest

from vigil.columnar.csv_ahead import ReadAhead


def _tables(count: int, fail_at: int | None = None) -> Iterator[pa.Table]:
    for number in range(count):
        if number == fail_at:
            raise ValueError("refused")
        yield pa.table({"n": [number]})


def _threads() -> int:
    return sum(thread.name == "vigil-lane-read" for thread in threading.enumerate())


def test_batches_arrive_in_order() -> None:
    with ReadAhead(_tables(50)) as ahead:
        assert [table.column("n")[0].as_py() for table in ahead] == list(range(50))
    assert _threads() == 0


def test_an_error_arrives_after_the_batches_before_it() -> None:
    seen: list[int] = []
    with pytest.raises(ValueError, match="refused"), ReadAhead(_tables(9, fail_at=3)) as ahead:
        for table in ahead:
            seen.append(table.column("n")[0].as_py())
    assert seen == [0, 1, 2]
    assert _threads() == 0


def test_leaving_early_stops_the_thread() -> None:
    produced: list[int] = []

    def counted() -> Iterator[pa.Table]:
        for table in _tables(1000):
            produced.append(1)
            yield table

    with pytest.raises(RuntimeError), ReadAhead(counted()) as ahead:
        for _ in ahead:
            raise RuntimeError("the consumer fails")
    assert _threads() == 0
    assert len(produced) <= 3  # the batch handed over, one queued, one being made
