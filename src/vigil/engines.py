"""Where SQL runs: tiny engine objects behind one protocol, in the manner of splink's database APIs.

Pure functions elsewhere decide *what* to compute and return SQL text; an engine only loads tables
and runs that text. vigil's SQL is standard SQL that Spark SQL (3.4 or later) also runs, with one
documented exception handled here: it calls Spark's built-in ``unix_seconds(timestamp)`` for
seconds since the epoch, which the DuckDB engine defines as a macro because DuckDB spells it
``epoch``. Timestamps are UTC throughout: aware values go in, aware UTC values come out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self, TypeVar, runtime_checkable

import duckdb

from vigil.column_rows import KeyedColumns

if TYPE_CHECKING:
    from vigil.settings import Settings

Rows = Sequence[Mapping[str, Any]]
Columns = Mapping[str, Sequence[Any]]
T = TypeVar("T")


class EngineError(RuntimeError):
    """A backend failed; carries the SQL that failed so the log shows what was asked."""

    def __init__(self, engine: str, sql: str, cause: BaseException) -> None:
        super().__init__(f"{engine} engine failed: {cause}\n--- SQL ---\n{sql}")
        self.engine = engine
        self.sql = sql


class SqlEngine(Protocol):
    """Loads named tables and runs SELECTs against them; one instance per detection run."""

    name: str

    def register_table(self, name: str, rows: Rows | Columns) -> None: ...
    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]: ...
    def close(self) -> None: ...


@runtime_checkable
class InOrderQueries(Protocol):
    """An engine that runs several SELECTs side by side and gives their rows back in order
    (:meth:`DuckDBEngine.queries`); callers fall back to one :meth:`SqlEngine.query` at a time."""

    def queries(self, sqls: Iterable[str]) -> Iterator[list[dict[str, Any]]]: ...


QUERIES_AHEAD = 2
"""Queries :meth:`DuckDBEngine.queries` runs at once: on 2 cores, one query's single-threaded
phases and the caller's Python overlap the next query (docs/benchmarks.md, the pack's third
round)."""


_SQL_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "BOOLEAN"), (int, "BIGINT"), (float, "DOUBLE"), (str, "VARCHAR"),
    (datetime, "TIMESTAMP"), (date, "DATE"),
)

# Rows per INSERT when loading a table; measured with benchmarks/bench_hub.py (docs/benchmarks.md).
_LOAD_CHUNK_ROWS = 10_000

_DUCKDB_PORTABILITY_MACROS = (
    # Spark's unix_seconds(ts): whole seconds since 1970-01-01 UTC.
    "CREATE MACRO unix_seconds(ts) AS CAST(FLOOR(epoch(ts)) AS BIGINT)",
)


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _as_columns(rows: Rows | Columns) -> dict[str, list[Any]]:
    if isinstance(rows, Mapping):
        return {name: list(values) for name, values in rows.items()}
    names = list(rows[0]) if rows else []
    return {name: [row.get(name) for row in rows] for name in names}


def _sql_type(column: str, values: list[Any]) -> str:
    """The narrowest SQL type holding every non-null value; an all-null column is text."""
    found = set()
    for py_type in {type(value) for value in values if value is not None}:
        sql = next((sql for py, sql in _SQL_TYPES if issubclass(py_type, py)), None)
        if sql is None:
            raise TypeError(f"column {column!r} holds a value of unsupported type {py_type}")
        found.add(sql)
    if found == {"BIGINT", "DOUBLE"}:
        return "DOUBLE"
    if len(found) > 1:
        raise TypeError(f"column {column!r} mixes types {sorted(found)}")
    return found.pop() if found else "VARCHAR"


def typed_columns(name: str, rows: Rows | Columns) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """Table ``name`` as equal-length columns and the SQL type of each; every engine loads tables
    this way, so DuckDB and Spark type the same values alike."""
    columns = _as_columns(rows)
    if not columns:
        raise ValueError(f"table {name!r} has no columns")
    if len({len(values) for values in columns.values()}) > 1:
        raise ValueError(f"columns of table {name!r} differ in length")
    try:
        types = {column: _sql_type(column, values) for column, values in columns.items()}
    except TypeError as exc:
        raise ValueError(f"table {name!r}: {exc}") from exc
    return columns, types


def _utc_naive(values: list[Any]) -> list[Any]:
    """Aware datetimes as naive UTC, so DuckDB needs no time-zone module to take them."""
    return [value.astimezone(UTC).replace(tzinfo=None)
            if value is not None and value.tzinfo is not None else value for value in values]


def _to_utc_aware(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _aware_at(row: tuple[Any, ...], positions: Sequence[int]) -> list[Any]:
    values = list(row)
    for position in positions:
        values[position] = _to_utc_aware(values[position])
    return values


_COLUMNAR_TYPES = frozenset({"VARCHAR", "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT",
                            "DOUBLE"})
"""Column types NumPy's ``tolist`` turns into the Python values ``fetchall`` gives (str, bool,
int, float; NULL as None); others (HUGEINT as float, lists as arrays, timestamps) do not."""


def rows_of(cursor: Any) -> list[dict[str, Any]]:
    """A DuckDB cursor's result as dicts, naive timestamps made aware (UTC), touching only the
    timestamp columns. A result of plain columns only (:data:`_COLUMNAR_TYPES`, distinct names)
    is fetched a column at a time (NumPy), several times cheaper than a tuple per row for the
    same values (per-sender rows, 60,000 per 1M payments: docs/benchmarks.md, the pack's third
    round; the score now takes them as :func:`keyed_columns`, the sixth)."""
    description = cursor.description or ()
    names = [column[0] for column in description]
    types = [str(column[1]) for column in description]
    if names and len(set(names)) == len(names) and _COLUMNAR_TYPES.issuperset(types):
        return [dict(zip(names, row, strict=True)) for row in zip(*_columns(cursor), strict=True)]
    times = [n for n, sql_type in enumerate(types) if sql_type.startswith("TIMESTAMP")]
    rows = cursor.fetchall()
    if times:
        rows = [_aware_at(row, times) for row in rows]
    return [dict(zip(names, row, strict=True)) for row in rows]


def _columns(cursor: Any) -> list[list[Any]]:
    return [values.tolist() for values in cursor.fetchnumpy().values()]


def keyed_columns(cursor: Any) -> KeyedColumns:
    """A cursor's result as :class:`~vigil.column_rows.KeyedColumns` (the values :func:`rows_of`
    gives, without a dict per row)."""
    names = [column[0] for column in cursor.description or ()]
    if _COLUMNAR_TYPES.issuperset(str(column[1]) for column in cursor.description or ()):
        return KeyedColumns(names, _columns(cursor))
    rows = rows_of(cursor)
    return KeyedColumns(names, [[row[name] for row in rows] for name in names])


class Engine:
    """What a registered engine declares besides :class:`SqlEngine`'s methods: a stable name
    (``VIGIL_ENGINE`` picks it) and one line about it. Built with no arguments, once per run."""

    name: str  # not a ClassVar: :class:`SqlEngine` reads it from the instance
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""

    @classmethod
    def prepare(cls, settings: Settings) -> None:
        """Set up what instances share, from the settings, once before a run (Spark: its
        session on ``VIGIL_SPARK_MASTER``); most engines need nothing."""


class DuckDBEngine(Engine):
    """An in-memory DuckDB database that lives as long as one detection run."""

    name = "duckdb"
    description = "In-memory DuckDB, one database per detection run"

    def __init__(self, memory_limit: str | None = None) -> None:
        """``memory_limit`` (e.g. ``"2GB"``): DuckDB's own bound, past which it spills to disk
        (its default is 80% of the machine's memory)."""
        config: dict[str, str | bool | int | float | list[str]] = (
            {"memory_limit": memory_limit} if memory_limit else {})
        self._connection = duckdb.connect(":memory:", config=config)
        self._connection.execute("SET enable_progress_bar = false")  # no bar in CLI output
        for macro in _DUCKDB_PORTABILITY_MACROS:
            self._execute(macro)

    def register_table(self, name: str, rows: Rows | Columns) -> None:
        """Load rows (or equal-length columns) as table ``name``, replacing any earlier one.

        Columns travel as typed list parameters and are unnested side by side, which is fast and
        needs neither pandas nor pyarrow. They go in chunks of :data:`_LOAD_CHUNK_ROWS` rows:
        DuckDB holds a list parameter as one boxed value per element (about 2.8 KB per
        17-column payment), so one statement for 120,000 payments briefly took 340 MB.
        """
        columns, types = typed_columns(name, rows)
        selects = ", ".join(f"UNNEST(CAST(? AS {sql_type}[])) AS {_quoted(column)}"
                            for column, sql_type in types.items())
        length = len(next(iter(columns.values())))
        for offset in range(0, max(length, 1), _LOAD_CHUNK_ROWS):
            params = [values[offset:offset + _LOAD_CHUNK_ROWS] for values in columns.values()]
            params = [_utc_naive(values) if sql_type == "TIMESTAMP" else values
                      for values, sql_type in zip(params, types.values(), strict=True)]
            start = (f"CREATE OR REPLACE TABLE {_quoted(name)} AS" if offset == 0
                     else f"INSERT INTO {_quoted(name)}")
            self._execute(f"{start} SELECT {selects}", params)

    def register_parquet(self, name: str, paths: Sequence[str], columns: Sequence[str],
                         filesystem: Any = None) -> None:
        """Make ``name`` a view of ``columns`` over the Parquet files ``paths`` (read where they
        lie, never loaded); ``filesystem`` is the fsspec file system of non-local paths."""
        if filesystem is not None:
            self._connection.register_filesystem(filesystem)
        files = ", ".join("'" + path.replace("'", "''") + "'" for path in paths)
        selected = ", ".join(_quoted(column) for column in columns)
        self._execute(f"CREATE OR REPLACE VIEW {_quoted(name)} AS "
                      f"SELECT {selected} FROM read_parquet([{files}])")

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Rows as dicts; naive timestamps made aware (UTC), touching only timestamp columns."""
        return rows_of(self._execute(sql, params))

    def queries(self, sqls: Iterable[str], ahead: int = QUERIES_AHEAD,
                ) -> Iterator[list[dict[str, Any]]]:
        """The rows of each of ``sqls`` (as :meth:`query` gives them), in order, with up to
        ``ahead`` of the queries running at once, each on its own cursor of this database:
        DuckDB releases the GIL while it works, so the caller's Python over one query's rows
        overlaps the next queries, and one query's single-threaded phases another's work."""
        return self.fetched(((sql, rows_of) for sql in sqls), ahead)

    def fetched(self, queries: Iterable[tuple[str, Callable[[Any], T]]],
                ahead: int = QUERIES_AHEAD) -> Iterator[T]:
        """:meth:`queries` of ``(sql, fetch)`` pairs, each result read from its cursor by its
        ``fetch`` (:func:`rows_of`, :func:`keyed_columns`)."""
        pending: deque[Future[T]] = deque()
        with ThreadPoolExecutor(max_workers=max(ahead, 1)) as pool:
            for sql, fetch in queries:
                pending.append(pool.submit(self._cursor_query, sql, fetch))
                if len(pending) >= ahead:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    def _cursor_query(self, sql: str, fetch: Callable[[Any], T]) -> T:
        """``sql`` on a cursor of its own (a thread's connection to this database), its result
        read by ``fetch``."""
        cursor = self._connection.cursor()
        try:
            cursor.execute("SET enable_progress_bar = false")
            return fetch(cursor.execute(sql))
        except duckdb.Error as exc:
            raise EngineError(self.name, sql, exc) from exc
        finally:
            cursor.close()

    def create_table(self, name: str, sql: str) -> None:
        """Keep the result of SELECT ``sql`` as table ``name`` (iterative SQL, e.g. linking)."""
        self._execute(f"CREATE OR REPLACE TABLE {_quoted(name)} AS {sql}")

    def drop_table(self, name: str) -> None:
        self._execute(f"DROP TABLE IF EXISTS {_quoted(name)}")

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def _execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        try:
            return self._connection.execute(sql, list(params) if params is not None else None)
        except duckdb.Error as exc:
            raise EngineError(self.name, sql, exc) from exc


__all__ = ["QUERIES_AHEAD", "DuckDBEngine", "Engine", "EngineError", "InOrderQueries", "SqlEngine",
           "keyed_columns", "rows_of", "typed_columns"]
