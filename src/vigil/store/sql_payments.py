"""Payments by account in :class:`vigil.store.sql.SqlStore`: the database picks them out.

Records are kept as JSON text (``records.data``); this query reads a payment's ``sender`` and
``beneficiary`` inside the database (SQLite's ``json_extract``, PostgreSQL's ``->>`` on the text
cast to ``jsonb``) and hands back only the matching rows, so Python decodes the payments of the
accounts asked for, not every payment stored. The database still scans the kind's rows (no
index on those fields), at its own speed rather than Python's. A mixin, as
:mod:`vigil.store.sql_cases` is.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Engine, cast, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB

from vigil.records import Payment, RecordKind
from vigil.store import codec, schema

_CHUNK = 400
"""Accounts per statement (each is bound twice; SQLite allows 32,766 bound values)."""


def _field(dialect: str, name: str) -> Any:
    data = schema.records.c.data
    if dialect == "postgresql":
        return cast(data, JSONB)[name].astext
    return func.json_extract(data, f"$.{name}")


class SqlPayments:
    """``RecordStore.payments_of`` over the ``records`` table."""

    _engine: Engine
    _dialect: str

    def payments_of(self, accounts: Collection[str]) -> list[Payment]:
        """Stored payments sent from or to one of ``accounts``, in the order they were stored."""
        wanted = sorted(set(accounts))
        table = schema.records
        sender, beneficiary = _field(self._dialect, "sender"), _field(self._dialect, "beneficiary")
        rows: dict[int, str] = {}
        with self._engine.connect() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start:start + _CHUNK]
                query = select(table.c.seq, table.c.data).where(
                    table.c.kind == RecordKind.PAYMENT.value,
                    or_(sender.in_(chunk), beneficiary.in_(chunk)))
                rows.update((seq, data) for seq, data in conn.execute(query))
        found = [codec.record_from_json(RecordKind.PAYMENT, rows[seq]) for seq in sorted(rows)]
        return [payment for payment in found if isinstance(payment, Payment)]
