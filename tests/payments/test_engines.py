from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from vigil.column_rows import KeyedColumns
from vigil.engines import DuckDBEngine, EngineError, SqlEngine, keyed_columns, rows_of

MANILA = timezone(timedelta(hours=8))


@pytest.fixture
def engine() -> Any:
    with DuckDBEngine() as duck:
        yield duck


def test_duckdb_engine_satisfies_the_protocol() -> None:
    engine: SqlEngine = DuckDBEngine()
    assert engine.name == "duckdb"
    engine.close()


@pytest.mark.parametrize("shape", ["rows", "columns"])
def test_rows_and_columns_load_the_same_table(engine: DuckDBEngine, shape: str) -> None:
    rows = [{"id": "a", "n": 1, "x": 1.5, "ok": True}, {"id": "b", "n": 2, "x": 2.0, "ok": False}]
    data: Any = rows if shape == "rows" else {k: [r[k] for r in rows] for k in rows[0]}
    engine.register_table("t", data)
    assert engine.query("SELECT * FROM t ORDER BY id") == rows


def test_aware_timestamps_come_back_as_the_same_instant_in_utc(engine: DuckDBEngine) -> None:
    local = datetime(2024, 5, 1, 23, 30, tzinfo=MANILA)
    engine.register_table("t", {"sent_at": [local]})
    (row,) = engine.query("SELECT sent_at, unix_seconds(sent_at) AS s FROM t")
    assert row["sent_at"] == local and row["sent_at"].tzinfo == UTC
    assert row["s"] == int(local.timestamp())


def test_mixed_numbers_widen_and_all_null_columns_are_text(engine: DuckDBEngine) -> None:
    engine.register_table("t", {"x": [1, 2.5], "name": [None, None]})
    rows = engine.query("SELECT SUM(x) AS total, COUNT(name) AS names, "
                        "MAX(COALESCE(name, 'none')) AS shown FROM t")
    assert rows == [{"total": 3.5, "names": 0, "shown": "none"}]


@pytest.mark.parametrize("data, message", [
    ({"x": [1, "a"]}, "mixes types"),
    ({"x": [object()]}, "unsupported type"),
    ({"x": [1], "y": [1, 2]}, "differ in length"),
    ({}, "no columns"),
])
def test_bad_tables_are_refused_by_name(engine: DuckDBEngine, data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        engine.register_table("t", data)


def test_odd_names_are_quoted(engine: DuckDBEngine) -> None:
    engine.register_table('my "table"', {"select": [1], 'a"b': ["x"]})
    assert engine.query('SELECT * FROM "my ""table"""') == [{"select": 1, 'a"b': "x"}]


def test_parameters_are_bound(engine: DuckDBEngine) -> None:
    assert engine.query("SELECT ? + 1 AS x", [41]) == [{"x": 42}]


def test_engine_error_carries_the_failing_sql(engine: DuckDBEngine) -> None:
    sql = "SELECT missing_column FROM no_such_table"
    with pytest.raises(EngineError) as caught:
        engine.query(sql)
    assert caught.value.sql == sql
    assert caught.value.engine == "duckdb"
    assert sql in str(caught.value)


def test_closed_engine_refuses_queries() -> None:
    engine = DuckDBEngine()
    engine.close()
    with pytest.raises(EngineError, match="SELECT 1"):
        engine.query("SELECT 1")


def test_tables_load_in_chunks_with_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vigil.engines._LOAD_CHUNK_ROWS", 3)
    base = datetime(2024, 5, 1, tzinfo=MANILA)
    columns: dict[str, list[Any]] = {
        "id": [f"r{i}" for i in range(10)], "n": [i if i % 4 else None for i in range(10)],
        "at": [base + timedelta(hours=i) for i in range(10)]}
    with DuckDBEngine() as engine:
        engine.register_table("t", columns)
        engine.register_table("t", columns)  # replaced, not appended to
        rows = engine.query("SELECT * FROM t ORDER BY id")
        engine.register_table("empty", {"x": []})
        assert engine.query("SELECT COUNT(*) AS n FROM empty") == [{"n": 0}]
    assert [row["id"] for row in rows] == columns["id"]
    assert [row["n"] for row in rows] == columns["n"]
    assert [row["at"] for row in rows] == columns["at"]


def test_plain_columns_come_back_as_a_row_at_a_time_would(engine: DuckDBEngine) -> None:
    """The column-at-a-time fetch gives the values, types and NULLs of ``fetchall``."""
    sql = ("SELECT * FROM (VALUES ('a', 1, CAST(2 AS INTEGER), 1.5E0, TRUE, CAST(-0.0 AS DOUBLE)),"
           " (NULL, NULL, NULL, NULL, NULL, CAST('nan' AS DOUBLE))) t(s, n, i, x, ok, z)")
    rows = engine.query(sql)
    cursor = engine._connection.execute(sql)  # the row-at-a-time fetch, for comparison
    names = [column[0] for column in cursor.description]
    expected = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    assert repr(rows) == repr(expected)
    assert [type(v) for v in rows[0].values()] == [str, int, int, float, bool, float]
    assert engine.query(f"SELECT * FROM ({sql}) t WHERE 1 = 0") == []


def test_queries_side_by_side_come_back_in_order(engine: DuckDBEngine) -> None:
    engine.register_table("t", {"n": list(range(100))})
    sqls = [f"SELECT COUNT(*) AS c, [{k}] AS tag FROM t WHERE n >= {k}" for k in range(7)]
    assert list(engine.queries(sqls, ahead=3)) == [[{"c": 100 - k, "tag": [k]}] for k in range(7)]
    with pytest.raises(EngineError, match="no_such_table"):
        list(engine.queries(["SELECT 1 AS one", "SELECT * FROM no_such_table"]))


@pytest.mark.parametrize("extra", ["", ", TIMESTAMP '2026-01-02 03:04:05' AS at"])
def test_columns_keyed_by_the_first_give_each_row_as_a_row_query_would(engine: DuckDBEngine,
                                                                        extra: str) -> None:
    """Plain columns (fetched a column at a time) and others (a timestamp: row by row) give
    each row's values, types, NULLs and column order as :meth:`DuckDBEngine.query` does, beside
    the rows of other queries in order."""
    sql = ("SELECT *" + extra + " FROM (VALUES ('a', 1, 1.5E0, TRUE), ('b', NULL, NULL, NULL)) "
           "t(sender, n, x, ok)")
    rows = {row["sender"]: row for row in engine.query(sql)}
    keyed, same = engine.fetched([(sql, keyed_columns), (sql, rows_of)])
    assert same == list(rows.values())
    assert list(keyed) == ["a", "b"] and len(keyed) == 2 and "c" not in keyed
    for sender, row in rows.items():
        assert list(keyed[sender].items()) == list(row.items()) and len(keyed[sender]) == len(row)
        assert repr(keyed[sender]) == repr(row)
        assert [type(v) for v in keyed[sender].values()] == [type(v) for v in row.values()]
    with pytest.raises(EngineError, match="no_such_table"):
        list(engine.fetched([("SELECT 1 AS one", keyed_columns),
                             ("SELECT * FROM no_such_table", rows_of)]))


def test_keyed_columns_keep_the_last_row_of_equal_keys_and_refuse_odd_columns() -> None:
    table = KeyedColumns(["k", "v"], [["a", "b", "a"], [1, 2, 3]])
    assert dict(table["a"]) == {"k": "a", "v": 3} and list(table) == ["a", "b"]
    for names, columns in ((["k", "k"], [[1], [2]]), ([], []), (["k"], [[1], [2]])):
        with pytest.raises(ValueError, match="one column per distinct name"):
            KeyedColumns(names, columns)
