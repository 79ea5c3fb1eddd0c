"""The case store of :class:`vigil.store.sql.SqlStore`: cases, review statuses and members.

A mixin, as :mod:`vigil.store.sql_audit` is, so ``sql.py`` stays small. A case's row names its
signals by id, read back from ``signals`` in bulk (:mod:`vigil.store.case_rows`). Cases are
replaced on every run; ``case_statuses`` keeps what a person decided (or a merge inherited) by
case id, and ``case_members`` which case each identifier belonged to, for the next run's ids
(:mod:`vigil.case_ids`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.pool import StaticPool

from vigil.case_lineage import member_keys
from vigil.model import Case, CaseStatus
from vigil.store import case_rows, codec, schema
from vigil.store.dialect_insert import dialect_insert
from vigil.store.interfaces import SCORE_PAGE, CaseScore
from vigil.store.retry import RetryPolicy, write_transaction

_CHUNK = 500
"""Case ids per DELETE statement (SQLite allows 32,766 bound values; PostgreSQL 65,535)."""

_ROWS = 1_000
"""Cases encoded and inserted per statement (one ``executemany``)."""


class SqlCases:
    """``CaseStore`` over the ``cases``, ``case_statuses`` and ``case_members`` tables."""

    _engine: Engine
    _dialect: str
    _retry: RetryPolicy

    def replace_cases(self, cases: Iterable[Case],
                      inherited: Mapping[str, CaseStatus] | None = None, *,
                      signals_stored: bool = False) -> None:
        """See :meth:`CaseStore.replace_cases`. The cases are read once and each is encoded to
        its row as it comes, so a caller may hand a generator that reads their signals from this
        store (a run's cases, :mod:`vigil.incremental.rebuild`) and no case is held after its
        row: the rows go out :data:`_ROWS` at a time inside the write transaction, the
        generator reading through another connection (SQLite's WAL lets it read beside the
        writer), or, where the store has one connection only (in-memory SQLite, where a read
        inside the write would end it), all encoded before the write begins."""
        held = None if signals_stored else list(cases)  # read twice: missing signals first
        cases = cases if held is None else held
        encoded: Iterable[tuple[dict[str, Any], list[str]]] | None = None
        if isinstance(self._engine.pool, StaticPool):
            encoded = list(self._encoded(cases, {**self.reviewed_statuses(), **(inherited or {})}))
        with write_transaction(self._engine, self._retry) as conn:
            for case_id, status in (inherited or {}).items():
                self._upsert_status(conn, case_id, status)
            kept = self._reviewed_statuses(conn)
            conn.execute(delete(schema.cases))
            if held is not None:
                case_rows.store_missing(conn, self._dialect, held)
            members = self._insert_rows(conn, self._encoded(cases, kept) if encoded is None
                                        else encoded, kept)
            conn.execute(delete(schema.case_members))
            self._insert_members(conn, members)

    def update_cases(self, cases: Iterable[Case], replaced: Collection[str],
                     inherited: Mapping[str, CaseStatus] | None = None, *,
                     signals_stored: bool = False) -> None:
        """See :meth:`CaseStore.update_cases`; an iterable is read as :meth:`replace_cases`
        reads one."""
        if not signals_stored:
            cases = list(cases)  # read twice: missing signals first
        gone = sorted(set(replaced) | ({c.id for c in cases} if isinstance(cases, Sequence)
                                       else set()))
        encoded: Iterable[tuple[dict[str, Any], list[str]]] | None = None
        if isinstance(self._engine.pool, StaticPool):
            encoded = list(self._encoded(cases, {**self.reviewed_statuses(), **(inherited or {})}))
        with write_transaction(self._engine, self._retry) as conn:
            for case_id, status in (inherited or {}).items():
                self._upsert_status(conn, case_id, status)
            kept = self._reviewed_statuses(conn)
            for start in range(0, len(gone), _CHUNK):
                chunk = gone[start:start + _CHUNK]
                conn.execute(delete(schema.cases).where(schema.cases.c.id.in_(chunk)))
                conn.execute(delete(schema.case_members)
                             .where(schema.case_members.c.case_id.in_(chunk)))
            if not signals_stored:
                case_rows.store_missing(conn, self._dialect, list(cases))
            self._insert_members(conn, self._insert_rows(
                conn, self._encoded(cases, kept) if encoded is None else encoded, kept))

    def _encoded(self, cases: Iterable[Case], statuses: Mapping[str, CaseStatus],
                 ) -> Iterator[tuple[dict[str, Any], list[str]]]:
        """Each case's row (under its status in ``statuses``) and member keys. A row names its
        signals by id (:mod:`vigil.store.case_rows`; before migration 0013 it held them inline:
        277 MB of JSON at 1M payments)."""
        for case in cases:
            yield (self._case_row(replace(case, status=statuses.get(case.id, case.status))),
                   member_keys(case))

    @staticmethod
    def _insert_rows(conn: Connection, encoded: Iterable[tuple[dict[str, Any], list[str]]],
                     kept: Mapping[str, CaseStatus]) -> dict[str, str]:
        """Insert the rows :data:`_ROWS` at a time, each under its ``kept`` status; the members
        (key -> case id, the first case of a key keeping it, as :func:`members_of`)."""
        members: dict[str, str] = {}
        batch: list[dict[str, Any]] = []
        for row, keys in encoded:
            for key in keys:
                members.setdefault(key, row["id"])
            batch.append(case_rows.with_status(row, kept.get(row["id"])))
            if len(batch) == _ROWS:
                conn.execute(insert(schema.cases), batch)
                batch = []
        if batch:
            conn.execute(insert(schema.cases), batch)
        return members

    @staticmethod
    def _insert_members(conn: Connection, members: Mapping[str, str]) -> None:
        rows = [{"member": k, "case_id": i} for k, i in members.items()]
        for start in range(0, len(rows), _ROWS * 10):
            conn.execute(insert(schema.case_members), rows[start:start + _ROWS * 10])

    def case_members(self) -> dict[str, str]:
        table = schema.case_members
        with self._engine.connect() as conn:
            return {member: case_id for member, case_id
                    in conn.execute(select(table.c.member, table.c.case_id))}

    def reviewed_statuses(self) -> dict[str, CaseStatus]:
        with self._engine.connect() as conn:
            return self._reviewed_statuses(conn)

    @staticmethod
    def _reviewed_statuses(conn: Connection) -> dict[str, CaseStatus]:
        table = schema.case_statuses
        rows = conn.execute(select(table.c.case_id, table.c.status))
        return {case_id: CaseStatus(status) for case_id, status in rows}

    def _upsert_status(self, conn: Connection, case_id: str, status: CaseStatus) -> None:
        statuses = schema.case_statuses
        upsert = dialect_insert(self._dialect, statuses).values(case_id=case_id,
                                                                status=status.value)
        conn.execute(upsert.on_conflict_do_update(
            index_elements=[statuses.c.case_id], set_={"status": status.value}))

    @staticmethod
    def _case_row(case: Case) -> dict[str, Any]:
        latest = max((s.observed_at for s in case.signals), default=None)
        return {
            "id": case.id,
            "priority": case.priority,
            "status": case.status.value,
            "data": case_rows.case_row_json(case),
            "latest": None if latest is None else codec.datetime_to_text(latest),
            "reasons": codec.reasons_to_json(case.reasons),
        }

    def case_count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(schema.cases)) or 0)

    def case_scores(self) -> list[CaseScore]:
        """From the ranking columns; a row stored before them (``reasons`` NULL) has no
        ``latest`` and no reasons here (the caller re-scores it from its JSON)."""
        table = schema.cases
        query = select(table.c.id, table.c.priority, table.c.reasons, table.c.latest)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [_score(*row) for row in rows]

    def case_score_pages(self, size: int = SCORE_PAGE, marked: str | None = None,
                         ) -> Iterator[list[CaseScore]]:
        """Pages by id (each its own query, after the last page's id); ``marked`` found by a
        ``LIKE`` on the stored reasons' JSON text (the text as it is stored there)."""
        table = schema.cases
        query = select(table.c.id, table.c.priority, table.c.reasons, table.c.latest)
        if marked is not None:
            query = query.where(or_(table.c.reasons.is_(None), table.c.reasons.contains(
                codec.dump_json(marked)[1:-1], autoescape=True)))
        last: str | None = None
        while True:
            page = query if last is None else query.where(table.c.id > last)
            with self._engine.connect() as conn:
                rows = conn.execute(page.order_by(table.c.id).limit(size)).all()
            if not rows:
                return
            yield [_score(*row) for row in rows]
            last = rows[-1][0]

    def set_case_scores(self, scores: Sequence[CaseScore]) -> None:
        if not scores:
            return
        table = schema.cases
        statement = (update(table).where(table.c.id == bindparam("case_id"))
                     .values(priority=bindparam("new_priority"), reasons=bindparam("new_reasons")))
        with write_transaction(self._engine, self._retry) as conn:
            for start in range(0, len(scores), _ROWS):  # encoded a chunk at a time
                conn.execute(statement, [
                    {"case_id": s.id, "new_priority": s.priority,
                     "new_reasons": codec.reasons_to_json(s.reasons)}
                    for s in scores[start:start + _ROWS]])

    def cases(self) -> list[Case]:
        # Sorted here rather than in SQL: PostgreSQL's collation may order ids unlike Python.
        return sorted(self._load_cases(None), key=lambda c: (-c.priority, c.id))

    def case(self, case_id: str) -> Case | None:
        found = self._load_cases(case_id)
        return found[0] if found else None

    def _load_cases(self, case_id: str | None) -> list[Case]:
        table = schema.cases
        query = select(table.c.data, table.c.status, table.c.priority, table.c.reasons)
        if case_id is not None:
            query = query.where(table.c.id == case_id)
        with self._engine.connect() as conn:
            rows = [(codec.load_json(data), *rest) for data, *rest in conn.execute(query)]
            wanted = {i for data, *_ in rows for i in case_rows.signal_ids_of(data)}
            signals = case_rows.signals_by_id(conn, wanted)
        return [_case(case_rows.case_from_row(data, signals), status, priority, reasons)
                for data, status, priority, reasons in rows]

    def set_status(self, case_id: str, status: CaseStatus) -> None:
        cases = schema.cases
        with write_transaction(self._engine, self._retry) as conn:
            changed = conn.execute(
                update(cases).where(cases.c.id == case_id).values(status=status.value)
            )
            if changed.rowcount == 0:
                raise KeyError(f"no case {case_id!r}")
            self._upsert_status(conn, case_id, status)


def _score(case_id: str, priority: float, reasons: str | None, latest: str | None) -> CaseScore:
    """A ranking row as :class:`CaseScore`: a row stored before the ranking columns
    (``reasons`` NULL) has no ``latest`` and no reasons (the caller re-scores it)."""
    return CaseScore(case_id, priority, () if reasons is None else codec.reasons_from_json(reasons),
                     None if reasons is None or latest is None
                     else codec.datetime_from_text(latest))


def _case(case: Case, status: str, priority: float, reasons: str | None) -> Case:
    """A stored case (its row's JSON, its signals read by id), with the status, and the ranking
    where the columns keep it (:meth:`SqlCases.set_case_scores` updates those, not the JSON)."""
    if reasons is None:
        return replace(case, status=CaseStatus(status))
    return replace(case, status=CaseStatus(status), priority=priority,
                   reasons=codec.reasons_from_json(reasons))
