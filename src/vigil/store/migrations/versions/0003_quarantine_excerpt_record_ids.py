"""Quarantine keeps no raw line; records get a natural key (kind + source id), unique.

Quarantine: the ``raw`` column is replaced by ``excerpt`` (at most 200 sanitised characters:
long base64/hex and non-printable runs replaced by markers) and ``line_sha256`` (SHA-256 of the
raw line). Existing rows are converted here: their raw text is sanitised into the excerpt and
hashed, then the column is dropped. On SQLite ``secure_delete`` is switched on first, so the
freed pages are zeroed; on PostgreSQL the old values stay in dead tuples until ``VACUUM FULL
quarantine`` (docs/formats.md says so). ``entry_key`` becomes a hash of (source, line,
line_sha256), one-to-one with the old key. Old reasons are bounded and sanitised like new ones
(one reason once held a whole 50 MB identifier).

Records: ``natural_key`` is a SHA-256 of the kind and the record's id (``txn_id``,
``message_id``, ``observation_id``, ``report_id``) with a unique index, so one id cannot be
stored twice with different content. Rows stored before this revision that already conflict
keep their data; the oldest keeps the key and the later ones get NULL (a unique index allows
many NULLs on both backends), so nothing stored is lost or rewritten.

The sanitiser and key functions come from ``vigil.redact`` and ``vigil.store.codec``; both
are pure and their output for a given input is fixed by tests, so this step stays what it was.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vigil import redact
from vigil.model import content_hash

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID_FIELDS = {"media": "observation_id", "message": "message_id", "payment": "txn_id",
              "report": "report_id"}
_BATCH = 1000


def _record_keys(conn: sa.Connection) -> list[dict[str, object]]:
    """``natural_key`` for each stored record; NULL for a later row whose id is taken."""
    seen: set[str] = set()
    updates: list[dict[str, object]] = []
    rows = conn.execute(sa.text("SELECT seq, kind, data FROM records ORDER BY seq"))
    for seq, kind, data in rows:
        value = json.loads(data).get(_ID_FIELDS.get(kind, ""))
        if value is None:
            continue
        key = content_hash([kind, str(value)])
        if key not in seen:
            seen.add(key)
            updates.append({"seq": seq, "key": key})
    return updates


def _quarantine_rows(conn: sa.Connection) -> list[dict[str, object]]:
    rows = conn.execute(sa.text("SELECT seq, source, line, raw, reason FROM quarantine"))
    out: list[dict[str, object]] = []
    for seq, source, line, raw, reason in rows:
        digest = redact.sha256_of(raw)
        out.append({"seq": seq, "excerpt": redact.excerpt_of(raw), "sha": digest,
                    "key": content_hash([source, line, digest]),
                    "reason": redact.bound_reason(reason)})
    return out


def _execute_batches(conn: sa.Connection, statement: str, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), _BATCH):
        conn.execute(sa.text(statement), rows[start:start + _BATCH])


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        conn.execute(sa.text("PRAGMA secure_delete = ON"))
    op.add_column("records", sa.Column("natural_key", sa.String(64), nullable=True))
    _execute_batches(conn, "UPDATE records SET natural_key = :key WHERE seq = :seq",
                     _record_keys(conn))
    op.create_index("uq_records_natural_key", "records", ["natural_key"], unique=True)
    op.add_column("quarantine", sa.Column("excerpt", sa.Text(), nullable=False,
                                          server_default=""))
    op.add_column("quarantine", sa.Column("line_sha256", sa.String(64), nullable=False,
                                          server_default=""))
    _execute_batches(conn, "UPDATE quarantine SET excerpt = :excerpt, line_sha256 = :sha, "
                           "entry_key = :key, reason = :reason, raw = '' WHERE seq = :seq",
                     _quarantine_rows(conn))
    op.drop_column("quarantine", "raw")


def downgrade() -> None:
    # The raw lines are gone for good: the excerpt is all a downgraded store can show.
    op.add_column("quarantine", sa.Column("raw", sa.Text(), nullable=False, server_default=""))
    op.execute("UPDATE quarantine SET raw = excerpt")
    op.drop_column("quarantine", "line_sha256")
    op.drop_column("quarantine", "excerpt")
    op.drop_index("uq_records_natural_key", table_name="records")
    op.drop_column("records", "natural_key")
