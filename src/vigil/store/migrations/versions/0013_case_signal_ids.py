"""A case's row names its signals by id; the signals themselves live in ``signals`` only.

Each ``cases.data`` held its signals inline (a giant case: 192 MB of the table's 277 MB at 1M
payments), rewritten whole by every run that rebuilt it. Upgrade: each row's ``"signals"``
becomes ``"signal_ids"`` (the same order); a signal of a case that ``signals`` lacks is
inserted there first from the case's JSON, so none is lost. Downgrade: the signals are put
back inline from ``signals``, the bytes the old code wrote. One row at a time, so memory holds
one case, not the table. No column changes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CASES = sa.table("cases", sa.column("id", sa.Text()), sa.column("data", sa.Text()))
_SIGNALS = sa.table("signals", sa.column("id", sa.Text()), sa.column("kind", sa.String()),
                    sa.column("data", sa.Text()))
_CHUNK = 2_000
"""Signal ids per IN list (SQLite allows 32,766 bound values, PostgreSQL 65,535)."""


def _dump(value: Any) -> str:
    """As ``vigil.store.codec.dump_json`` writes (frozen here: a migration does not follow
    later code)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _rows(conn: sa.Connection) -> Iterator[tuple[str, dict[str, Any]]]:
    for case_id in list(conn.scalars(sa.select(_CASES.c.id).order_by(_CASES.c.id))):
        data = conn.scalar(sa.select(_CASES.c.data).where(_CASES.c.id == case_id))
        yield case_id, json.loads(str(data))


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def _stored(conn: sa.Connection, ids: Sequence[str]) -> dict[str, str]:
    """id -> stored JSON of those of ``ids`` in ``signals``."""
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(set(ids))):
        query = sa.select(_SIGNALS.c.id, _SIGNALS.c.data).where(_SIGNALS.c.id.in_(chunk))
        found.update((i, d) for i, d in conn.execute(query))
    return found


def _write(conn: sa.Connection, case_id: str, data: dict[str, Any]) -> None:
    conn.execute(sa.update(_CASES).where(_CASES.c.id == case_id).values(data=_dump(data)))


def upgrade() -> None:
    conn = op.get_bind()
    for case_id, data in _rows(conn):
        if "signals" not in data:
            continue
        signals = data["signals"]
        stored = _stored(conn, [s["id"] for s in signals]).keys()
        missing = {s["id"]: s for s in signals if s["id"] not in stored}
        if missing:
            conn.execute(sa.insert(_SIGNALS), [{"id": i, "kind": s["kind"], "data": _dump(s)}
                                               for i, s in sorted(missing.items())])
        _write(conn, case_id, {("signal_ids" if k == "signals" else k):
                               ([s["id"] for s in v] if k == "signals" else v)
                               for k, v in data.items()})


def downgrade() -> None:
    conn = op.get_bind()
    for case_id, data in _rows(conn):
        if "signal_ids" not in data:
            continue
        ids = data["signal_ids"]
        stored = _stored(conn, ids)
        lost = [i for i in ids if i not in stored]
        if lost:
            raise RuntimeError(f"case {case_id!r} names {len(lost)} signals not stored "
                               f"(first {lost[0]!r}): cannot put them back inline")
        _write(conn, case_id, {("signals" if k == "signal_ids" else k):
                               ([json.loads(stored[i]) for i in v] if k == "signal_ids" else v)
                               for k, v in data.items()})
