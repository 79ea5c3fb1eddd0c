"""The custody log: audit events gain role, case, outcome, justification, store time and hashes.

Existing events are chained in the order they were appended (by ``seq``), renumbered 1, 2, 3, ...
and sealed exactly as :func:`vigil.custody.entry.seal` seals new ones, with their own time (in
UTC) as the store time, so an upgraded store verifies. The hashing is written out here rather than
imported, so this step stays what it was if the library changes. Adds ``custody_heads`` for the
signed tree heads.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
GENESIS = "0" * 64
_NEW_TEXT_COLUMNS = {"role": "", "case_id": "", "outcome": "success", "justification": "",
                     "recorded_at": ""}
_HASH_COLUMNS = ("prev_hash", "leaf_hash")
_EVENT_COLUMNS = ("seq", "actor", "action", "target", "at", "details")


def upgrade() -> None:
    for name, default in _NEW_TEXT_COLUMNS.items():
        op.add_column("audit_events", sa.Column(name, sa.Text(), nullable=False,
                                                server_default=default))
    for name in _HASH_COLUMNS:
        op.add_column("audit_events", sa.Column(name, sa.String(64), nullable=False,
                                                server_default=""))
    op.create_table(
        "custody_heads",
        sa.Column("seq", SEQ, autoincrement=True, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("signed_at", sa.Text(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_custody_heads"),
    )
    _chain_existing_events()


def _chain_existing_events() -> None:
    conn = op.get_bind()
    columns = ", ".join(_EVENT_COLUMNS)
    rows = conn.execute(sa.text(f"SELECT {columns} FROM audit_events ORDER BY seq")).mappings()
    previous = GENESIS
    update = sa.text("UPDATE audit_events SET seq = :new, recorded_at = :recorded_at, "
                     "prev_hash = :prev_hash, leaf_hash = :leaf_hash WHERE seq = :old")
    # Renumbering in ascending order never collides: row k moves to k <= its old seq, whose
    # previous holder (if any) has already moved lower.
    for new_seq, row in enumerate(list(rows), start=1):
        recorded_at = _utc_text(row["at"])
        content = {"actor": row["actor"], "role": "", "action": row["action"],
                   "target": row["target"], "case_id": "", "outcome": "success", "at": row["at"],
                   "justification": "", "details": row["details"], "recorded_at": recorded_at,
                   "prev_hash": previous}
        leaf = _leaf_hash(content)
        conn.execute(update, {"new": new_seq, "recorded_at": recorded_at, "prev_hash": previous,
                              "leaf_hash": leaf, "old": row["seq"]})
        previous = leaf


def _utc_text(text: str) -> str:
    moment = datetime.fromisoformat(text)
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _leaf_hash(content: dict[str, str]) -> str:
    """RFC 6962 §2.1 leaf hash: SHA-256 over 0x00 and the canonical JSON of the entry."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(b"\x00" + canonical.encode("utf-8")).hexdigest()


def downgrade() -> None:
    op.drop_table("custody_heads")
    for name in (*_NEW_TEXT_COLUMNS, *_HASH_COLUMNS):
        op.drop_column("audit_events", name)
