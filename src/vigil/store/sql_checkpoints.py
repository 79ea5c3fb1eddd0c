"""The checkpoint store of :class:`vigil.store.sql.SqlStore`: run checkpoints, current signals.

A mixin, as :mod:`vigil.store.sql_cases` is. See :mod:`vigil.checkpoints` for what they mean.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from sqlalchemy import Connection, Engine, and_, case, delete, insert, or_, select

from vigil.checkpoints import CurrentChange, CurrentSignal, RunCheckpoint, SignalFacts
from vigil.model import Signal, SignalKind
from vigil.store import codec, schema
from vigil.store.retry import RetryPolicy, write_transaction

_CHUNK = 500
_FACT_ROWS = 10_000
"""Current-fact rows fetched at a time: a run reads every one (1.7M at 10M payments), and
fetching them all first held 2.5 GB of rows beside the facts (docs/benchmarks.md)."""
"""Scopes per DELETE statement (SQLite allows 32,766 bound values; PostgreSQL 65,535)."""
_ROWS = 10_000
"""Current-signal rows built and inserted per statement (vigil's choice: a few MB at a time)."""
_FACTS = ("kind", "observed_at", "facts")
"""The fact columns of ``current_signals`` (:class:`~vigil.checkpoints.SignalFacts`)."""


class SqlCheckpoints:
    """``CheckpointStore`` over the ``run_checkpoints`` and ``current_signals`` tables."""

    _engine: Engine
    _retry: RetryPolicy

    def run_checkpoint(self) -> RunCheckpoint | None:
        table = schema.run_checkpoints
        query = select(table.c.data).order_by(table.c.seq.desc()).limit(1)
        with self._engine.connect() as conn:
            data = conn.scalar(query)
        return None if data is None else RunCheckpoint.from_json(data)

    def current_signals(self) -> list[CurrentSignal]:
        current, signals = schema.current_signals, schema.signals
        query = (select(signals.c.data, current.c.detector, current.c.scope)
                 .join(signals, signals.c.id == current.c.signal_id)
                 .order_by(current.c.seq))
        with self._engine.connect() as conn:
            return [CurrentSignal(codec.signal_from_json(data), detector, scope)
                    for data, detector, scope in conn.execute(query)]

    def current_facts(self) -> list[SignalFacts]:
        """From the fact columns; a row written without them (before migration 0012, or
        committed without facts) is read from its signal's JSON."""
        current, signals = schema.current_signals, schema.signals
        data = case((or_(*(current.c[name].is_(None) for name in _FACTS)), signals.c.data),
                    else_=None)
        query = (select(current.c.signal_id, current.c.detector, current.c.scope,
                        current.c.kind, current.c.observed_at, current.c.facts, data)
                 .join(signals, signals.c.id == current.c.signal_id).order_by(current.c.seq))
        with self._engine.connect() as conn:  # rows streamed: 1.7M rows held took 2.5 GB
            rows = conn.execution_options(yield_per=_FACT_ROWS).execute(query)
            return [_facts(*row) for row in rows]

    def signals_of(self, ids: Collection[str]) -> list[Signal]:
        table, wanted = schema.signals, sorted(set(ids))

        def texts(conn: Connection) -> Iterator[str]:
            for start in range(0, len(wanted), _CHUNK):
                query = select(table.c.data).where(table.c.id.in_(wanted[start:start + _CHUNK]))
                yield from conn.scalars(query)

        with self._engine.connect() as conn:
            return codec.signals_from_json(texts(conn))

    def signals_from(self, sources: Collection[str]) -> list[Signal]:
        """A ``LIKE`` on the stored JSON picks the candidates (its ``source`` field, written
        right after the id); each is then checked for its source once decoded."""
        if not sources:
            return []
        table = schema.signals
        wanted = set(sources)
        patterns = [table.c.data.like(f'%"source":{codec.dump_json(source)}%')
                    for source in sorted(wanted)]
        query = select(table.c.data).where(or_(*patterns)).order_by(table.c.seq)
        with self._engine.connect() as conn:
            found = [codec.signal_from_json(data) for data in conn.scalars(query)]
        return [signal for signal in found if signal.source in wanted]

    def commit_run(self, checkpoint: RunCheckpoint, change: CurrentChange) -> None:
        table = schema.current_signals
        with write_transaction(self._engine, self._retry) as conn:
            if change.replace_all:
                conn.execute(delete(table))
            if change.dropped_detectors:
                conn.execute(delete(table).where(
                    table.c.detector.in_(sorted(change.dropped_detectors))))
            for detector, scopes in sorted(change.dropped.items()):
                _drop_scopes(conn, detector, scopes)
            # Rows built and sent a chunk at a time: a run in full adds every current signal
            # (1.7 million at 10M payments), whose rows at once took gigabytes.
            for start in range(0, len(change.added), _ROWS):
                rows = [{"signal_id": sid, "detector": detector, "scope": scope,
                         **_fact_columns(change.facts.get(sid))}
                        for sid, detector, scope in change.added[start:start + _ROWS]]
                if not change.replace_all:
                    # A signal found again under the same scope is already there; drop, insert.
                    for first in range(0, len(rows), _CHUNK):
                        ids = [row["signal_id"] for row in rows[first:first + _CHUNK]]
                        conn.execute(delete(table).where(table.c.signal_id.in_(ids)))
                conn.execute(insert(table), rows)
            conn.execute(insert(schema.run_checkpoints),
                         [{"at": checkpoint.at, "data": checkpoint.to_json()}])


def _fact_columns(facts: SignalFacts | None) -> dict[str, str | None]:
    if facts is None:
        return dict.fromkeys(_FACTS)
    return {"kind": facts.kind.value, "observed_at": codec.datetime_to_text(facts.observed_at),
            "facts": codec.dump_json({"subjects": facts.subjects, "roles": dict(facts.roles)})}


_KINDS = {kind.value: kind for kind in SignalKind}


def _facts(sid: str, detector: str, scope: str, kind: str | None, observed_at: str | None,
           facts: str | None, data: str | None) -> SignalFacts:
    """A row of :meth:`SqlCheckpoints.current_facts`: its fact columns, else (NULL) the
    signal's JSON."""
    if kind is None or observed_at is None or facts is None:
        return SignalFacts.of(codec.signal_from_json(str(data)), detector, scope)
    found = codec.load_json(facts)
    return SignalFacts.shared(sid, detector, scope, _KINDS[kind],
                              codec.datetime_from_text(observed_at), found["subjects"],
                              found["roles"])


def _drop_scopes(conn: Connection, detector: str, scopes: Collection[str]) -> None:
    table = schema.current_signals
    ordered = sorted(scopes)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start:start + _CHUNK]
        conn.execute(delete(table).where(and_(table.c.detector == detector,
                                              table.c.scope.in_(chunk))))


__all__ = ["SqlCheckpoints"]
