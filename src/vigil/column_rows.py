"""A query's rows kept as the columns they were fetched in, each row read by its key only when
wanted.

The typology score reads the per-sender features of the accounts it scores; fetched as one dict
per sender, every sender's row was built (at 10M payments about 3 of the features step's 3.4
CPU-s: docs/benchmarks.md, "The pack at 10M"). :class:`KeyedColumns` keeps the fetched columns
and an index of the first column, and :class:`ColumnRow` reads one row's values from them: the
same values, in the same column order, that the dict would hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any


class KeyedColumns(Mapping[Any, "ColumnRow"]):
    """Rows as columns (``names[i]``'s values in ``columns[i]``), looked up by the first
    column's value (the last row of equal keys, as a dict built row by row keeps it)."""

    __slots__ = ("_at", "columns", "names", "positions")

    def __init__(self, names: Sequence[str], columns: Sequence[Sequence[Any]]) -> None:
        if not names or len(names) != len(columns) or len(set(names)) != len(names):
            raise ValueError("KeyedColumns needs one column per distinct name, at least one")
        self.names, self.columns = tuple(names), tuple(columns)
        self.positions = {name: n for n, name in enumerate(self.names)}
        self._at = dict(zip(self.columns[0], range(len(self.columns[0])), strict=True))

    def __getitem__(self, key: Any) -> ColumnRow:
        return ColumnRow(self, self._at[key])

    def get(self, key: Any, default: Any = None) -> Any:
        at = self._at.get(key)
        return default if at is None else ColumnRow(self, at)

    def find(self, keys: Iterable[Any]) -> list[int | None]:
        """The number of each key's row (an index into each column), or ``None``."""
        return list(map(self._at.get, keys))

    def column(self, name: str) -> Sequence[Any]:
        """``name``'s values, row by row."""
        return self.columns[self.positions[name]]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)


class ColumnRow(Mapping[str, Any]):
    """One row of a :class:`KeyedColumns`, read-only, its values read when asked for."""

    __slots__ = ("_row", "_table")

    def __init__(self, table: KeyedColumns, row: int) -> None:
        self._table, self._row = table, row

    def __getitem__(self, name: str) -> Any:
        return self._table.columns[self._table.positions[name]][self._row]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table.names)

    def __len__(self) -> int:
        return len(self._table.names)

    def __repr__(self) -> str:
        return repr(dict(self))


__all__ = ["ColumnRow", "KeyedColumns"]
