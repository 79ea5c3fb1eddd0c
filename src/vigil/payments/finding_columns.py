"""A rule's finding rows as the typology score reads them: columns, not a dict per row.

At 10M payments the score reads 1.2 million finding rows; fetched as one dict per row and
turned into entries one row at a time, they were the largest part of its Python
(docs/benchmarks.md, "The score's Python as columns"). On DuckDB a rule's rows are fetched a
column at a time (NumPy, as :func:`~vigil.engines.rows_of` fetches plain results), its
``senders`` list as the one sender most rows have, the list itself only for the other rows
(:func:`score_columns_query`); rows from any other engine, or a caller's, are read into the
same shape (:meth:`FindingColumns.of_rows`). The values are the ones the rows would hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from threading import Lock
from typing import Any

import numpy as np
from pydantic import AwareDatetime

from vigil.engines import DuckDBEngine, EngineError, rows_of
from vigil.payments.typology_score import payers
from vigil.records import Payment

_SENDER, _SENDERS = "vigil one sender", "vigil senders"
_PLAIN = frozenset({"VARCHAR", "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "DOUBLE"})
"""Result types whose NumPy column's ``tolist`` gives the values ``fetchall`` gives
(:data:`vigil.engines._COLUMNAR_TYPES`); a HUGEINT column comes as floats, read back as the
integers they are when every one is below 2**53 (exact there), else the query is fetched as
rows."""
_EXACT = 2.0 ** 53


_PLANNER_LOCK = Lock()


@lru_cache(maxsize=1)
def _planner() -> DuckDBEngine:
    """One DuckDB database per process holding an empty ``payments`` table, for
    :func:`finding_columns` (opening one per rule cost 40 ms each: half a second per pack)."""
    types: dict[object, str] = {float: "DOUBLE", AwareDatetime: "TIMESTAMP"}
    columns = ", ".join(f"CAST(NULL AS {types.get(field.annotation, 'VARCHAR')}) AS {name}"
                        for name, field in Payment.model_fields.items())
    engine = DuckDBEngine()
    engine.create_table("payments", f"SELECT {columns} LIMIT 0")
    return engine


@lru_cache(maxsize=256)
def finding_columns(sql: str) -> tuple[str, ...]:
    """The column names of a rule's finding rows, from DuckDB's plan of ``sql`` over an empty
    ``payments`` table (the SQL is portable, so the names are every engine's)."""
    with _PLANNER_LOCK:
        return tuple(row["column_name"] for row in _planner().query(f"DESCRIBE {sql}"))


class FindingColumns:
    """One rule's finding rows: ``figures[name]``, the values of each column but ``senders``
    (``None`` when the rows do not all have the same columns: then ``rows`` holds them);
    ``sender[i]``, row i's sender when its ``senders`` is one account, else ``None`` and
    ``senders[i]`` its list (or ``None``)."""

    __slots__ = ("figures", "rows", "sender", "senders")

    def __init__(self, figures: dict[str, list[Any]] | None, sender: list[Any],
                 senders: Sequence[Any], rows: Sequence[Mapping[str, Any]] | None = None) -> None:
        self.figures, self.sender, self.senders, self.rows = figures, sender, senders, rows

    @classmethod
    def of_rows(cls, rows: Sequence[Mapping[str, Any]]) -> FindingColumns:
        """Rows as they come (dicts from an engine, or a caller's findings)."""
        senders = [row.get("senders") for row in rows]
        names = list(rows[0]) if rows else []
        same = all(len(row) == len(names) and all(name in row for name in names) for row in rows)
        figures = ({name: [row[name] for row in rows] for name in names if name != "senders"}
                   if same else None)
        return cls(figures, [_one(listed) for listed in senders], senders, rows)

    def __len__(self) -> int:
        return len(self.sender)

    def row(self, at: int) -> Mapping[str, Any]:
        """Row ``at`` as the rule's query gives it (senders included)."""
        if self.rows is not None:
            return self.rows[at]
        assert self.figures is not None
        one = self.sender[at]
        return {"senders": [one] if one is not None else self.senders[at],
                **{name: values[at] for name, values in self.figures.items()}}

    def keys(self, names: Sequence[str] | None) -> Iterable[Any]:
        """Each row's values of ``names`` (every column but ``senders`` when ``None``, or when
        a row lacks one of them), as a tuple."""
        if self.figures is not None:
            wanted = list(self.figures) if names is None else names
            if all(name in self.figures for name in wanted):
                return zip(*(self.figures[name] for name in wanted), strict=True)
        return (_key(self.row(at), names) for at in range(len(self)))

    def scored(self) -> tuple[list[int], list[str]]:
        """Each (row, account) the rows score, in row order; most rows' one sender as it is,
        the others' :func:`~vigil.payments.typology_score.payers`."""
        if None not in self.sender:
            return list(range(len(self.sender))), self.sender
        at: list[int] = []
        accounts: list[str] = []
        for row, (one, listed) in enumerate(zip(self.sender, self.senders, strict=True)):
            scored = [one] if one is not None else payers({"senders": listed})
            at.extend(row for _ in scored)
            accounts.extend(scored)
        return at, accounts


def _one(listed: Any) -> Any:
    """The one account of a ``senders`` list of one non-null account, else ``None``."""
    return listed[0] if listed is not None and len(listed) == 1 else None


def _key(row: Mapping[str, Any], names: Sequence[str] | None) -> tuple[Any, ...]:
    if names is not None and all(name in row for name in names):
        return tuple(row[name] for name in names)
    return tuple(value for name, value in row.items() if name != "senders")


def score_columns_query(sql: str, run: str | None = None,
                        ) -> tuple[str, Callable[[Any], FindingColumns]]:
    """DuckDB's query of a rule's score rows ``sql`` and how its result becomes
    :class:`FindingColumns`: ``senders`` as its one account where it holds one, else the list
    (:func:`_one`'s rule in SQL); as rows where the planner cannot name its columns, they
    have no ``senders`` or a name twice. ``run``: a query of the same rows and columns to read
    in ``sql``'s place (:mod:`vigil.payments.pack_keys`: over tables the planner lacks), its
    columns planned from ``sql``."""
    planned, sql = sql, run or sql
    try:
        names = finding_columns(planned)
    except EngineError:
        names = ()
    if ("senders" not in names or len(set(names)) != len(names)  # DuckDB renames a name
            or any(name in (_SENDER, _SENDERS) for name in names)):  # twice in a subquery
        return sql, lambda cursor: FindingColumns.of_rows(rows_of(cursor))
    wrapped = (f'SELECT CASE WHEN len(senders) = 1 THEN senders[1] END AS "{_SENDER}", '
               f"CASE WHEN len(senders) = 1 AND senders[1] IS NOT NULL THEN NULL "
               f'ELSE senders END AS "{_SENDERS}", * EXCLUDE (senders) FROM ({sql}) findings')

    def fetch(cursor: Any) -> FindingColumns:
        found = _columns(cursor)
        if found is None:  # a column NumPy would not give as fetchall does: fetched as rows
            return FindingColumns.of_rows(rows_of(cursor.execute(sql)))
        return found
    return wrapped, fetch


def _columns(cursor: Any) -> FindingColumns | None:
    """The wrapped query's result as columns, or ``None`` when a column's NumPy values would
    not be the rows' (a type outside :data:`_PLAIN`, a HUGEINT past 2**53 or NULL, a column
    name twice)."""
    description = cursor.description or ()
    types = {column[0]: str(column[1]) for column in description}
    if len(types) != len(description) or any(  # a name twice: NumPy's dict holds one
            sql_type not in _PLAIN and sql_type != "HUGEINT"
            for name, sql_type in types.items() if name != _SENDERS):
        return None
    arrays = cursor.fetchnumpy()
    figures: dict[str, list[Any]] = {}
    for name, values in arrays.items():
        if types[name] == "HUGEINT":
            if np.ma.is_masked(values) or not bool(np.all(np.abs(values) < _EXACT)):
                return None
            figures[name] = np.asarray(values).astype(np.int64).tolist()
        elif name != _SENDERS:
            figures[name] = values.tolist()
    listed = [None if value is None else value.tolist()  # a masked element: None
              for value in arrays[_SENDERS].tolist()]
    return FindingColumns(figures, figures.pop(_SENDER), listed)


__all__ = ["FindingColumns", "finding_columns", "score_columns_query"]
