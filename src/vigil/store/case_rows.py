"""A case's row in the ``cases`` table: its signals by id, the signals in ``signals``.

Since migration 0013 a row's ``data`` is the case's JSON (:func:`vigil.store.codec.case_to_json`)
with ``"signal_ids"`` (the ids, in the case's order) where ``"signals"`` held every signal
inline. Every signal a run links is stored in ``signals`` by that run; :func:`store_missing`
inserts any that is not (a caller that wrote cases alone), so a case's row never names a signal
the table lacks. A case holding most signals (119,025 of 170,197 at 1M payments) then costs a
list of ids to write (3.7 MB) where it cost 192 MB of JSON, and reading a case reads its
signals by id in bulk (:func:`signals_by_id`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, select

from vigil.model import Case, CaseStatus, Signal
from vigil.store import codec, schema
from vigil.store.dialect_insert import dialect_insert

IDS_PER_QUERY = 2_000
"""Signal ids per ``IN`` list (SQLite allows 32,766 bound values, PostgreSQL 65,535; vigil
default: 2,000 keeps each statement small while a 119,025-signal case takes 60 queries)."""


class MissingSignalError(LookupError):
    """A stored case names a signal the ``signals`` table no longer holds."""


def case_row_json(case: Case) -> str:
    """The row's ``data``: :func:`vigil.store.codec.case_to_json` with ids for signals."""
    return (f'{{"id":{codec.dump_json(case.id)},'
            f'"entities":{codec.dump_json([codec.entity_to_text(e) for e in case.entities])},'
            f'"signal_ids":{codec.dump_json([s.id for s in case.signals])},'
            f'"priority":{codec.dump_json(case.priority)},'
            f'"reasons":{codec.reasons_to_json(case.reasons)},'
            f'"status":{codec.dump_json(case.status.value)}}}')


def with_status(row: dict[str, Any], status: CaseStatus | None) -> dict[str, Any]:
    """A row from :func:`case_row_json`'s encoding under review ``status`` (``None`` or its own:
    the row as it is): the column and the JSON's last field, ``"status"``, both changed."""
    if status is None or row["status"] == status.value:
        return row
    data = str(row["data"])
    tail = f'"status":{codec.dump_json(row["status"])}}}'
    if not data.endswith(tail):
        raise ValueError(f"case {row['id']!r}: its row does not end with its status")
    return {**row, "status": status.value,
            "data": f'{data[:-len(tail)]}"status":{codec.dump_json(status.value)}}}'}


def signal_ids_of(data: dict[str, Any]) -> list[str]:
    """The ids a decoded row names (a row still holding its signals inline: theirs)."""
    if "signal_ids" in data:
        return list(data["signal_ids"])
    return [s["id"] for s in data["signals"]]


def case_from_row(data: dict[str, Any], signals: dict[str, Signal]) -> Case:
    """The case a decoded row holds, its signals taken from ``signals`` (id -> signal)."""
    if "signal_ids" not in data:
        return codec.case_from_dict(data)
    try:
        found = tuple(signals[i] for i in data["signal_ids"])
    except KeyError as missing:
        raise MissingSignalError(f"case {data['id']!r} names signal {missing} that is not "
                                 "stored") from None
    return Case(id=data["id"],
                entities=tuple(codec.entity_from_text(e) for e in data["entities"]),
                signals=found, priority=float(data["priority"]),
                reasons=tuple(codec.reason_from_dict(r) for r in data["reasons"]),
                status=CaseStatus(data["status"]))


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), IDS_PER_QUERY):
        yield ids[start:start + IDS_PER_QUERY]


def signals_by_id(conn: Connection, ids: Collection[str]) -> dict[str, Signal]:
    """The stored signals of ``ids``, read in bulk (one ``IN`` list per
    :data:`IDS_PER_QUERY`), decoded sharing their identifiers."""
    table = schema.signals

    def texts() -> Iterator[str]:
        for chunk in _chunks(sorted(set(ids))):
            yield from conn.scalars(select(table.c.data).where(table.c.id.in_(chunk)))

    return {s.id: s for s in codec.signals_from_json(texts())}


def stored_ids(conn: Connection, ids: Collection[str]) -> set[str]:
    """Which of ``ids`` the ``signals`` table holds (read from its unique index)."""
    table, found = schema.signals, set[str]()
    for chunk in _chunks(sorted(set(ids))):
        found.update(conn.scalars(select(table.c.id).where(table.c.id.in_(chunk))))
    return found


def store_missing(conn: Connection, dialect: str, cases: Sequence[Case]) -> int:
    """Insert the signals of ``cases`` that ``signals`` lacks (the first of an id wins, as
    :meth:`~vigil.store.sql.SqlStore.add_signals` keeps it); how many were inserted."""
    wanted = {s.id: s for c in cases for s in c.signals}
    missing = [wanted[i] for i in sorted(wanted.keys() - stored_ids(conn, wanted.keys()))]
    if not missing:
        return 0
    table = schema.signals
    statement = dialect_insert(dialect, table).on_conflict_do_nothing(index_elements=[table.c.id])
    rows = [{"id": s.id, "kind": s.kind.value, "data": codec.signal_to_json(s)} for s in missing]
    conn.execute(statement, rows)
    return len(missing)


__all__ = ["IDS_PER_QUERY", "MissingSignalError", "case_from_row", "case_row_json",
           "signal_ids_of", "signals_by_id", "store_missing", "stored_ids"]
