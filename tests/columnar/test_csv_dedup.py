"""The CSV lane's dedup: the shortcut for a batch of new, distinct ids agrees with the full rule."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from vigil.columnar.csv_dedup import CONFLICT, DUPLICATE, NEW, StoredKeys
from vigil.columnar.store import ColumnarRecords


def _rows(ids: list[str], keys: list[str]) -> pa.Table:
    return pa.table({"record_id": pa.array(ids, pa.string()),
                     "content_hash": pa.array(keys, pa.string())})


@pytest.mark.parametrize("shortcut", [True, False])
def test_fates_with_and_without_the_shortcut(tmp_path: Path, shortcut: bool,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    if not shortcut:
        monkeypatch.setattr(StoredKeys, "_distinct_ids", lambda self, rows: False)
    keys = StoredKeys(ColumnarRecords(tmp_path), duckdb.connect())
    distinct = keys.fates(_rows(["a", "b", "c"], ["1", "2", "3"]))
    assert distinct.type == pa.int8()
    assert distinct.to_pylist() == [NEW, NEW, NEW]
    repeated = keys.fates(_rows(["a", "b", "a", "a"], ["1", "2", "1", "9"]))
    assert repeated.to_pylist() == [NEW, NEW, DUPLICATE, CONFLICT]


def test_the_shortcut_is_taken_only_for_distinct_ids(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[bool] = []
    distinct_ids = StoredKeys._distinct_ids

    def recorded(self: StoredKeys, rows: int) -> bool:
        asked.append(distinct_ids(self, rows))
        return asked[-1]

    monkeypatch.setattr(StoredKeys, "_distinct_ids", recorded)
    keys = StoredKeys(ColumnarRecords(tmp_path), duckdb.connect())
    keys.fates(_rows(["a", "b"], ["1", "2"]))
    keys.fates(_rows(["a", "a"], ["1", "1"]))
    assert asked == [True, False]
