"""The delivery outbox: ``outbox_deliveries``, one row per export on its way to a destination.

A row is written in the same transaction as the export's audit event (vigil.outbox.sql). The
delivery itself is JSON in ``data``; ``status`` and ``next_attempt_at`` are columns because the
worker selects on them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbox_deliveries",
        sa.Column("seq", SEQ, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("next_attempt_at", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_outbox_deliveries"),
        sa.UniqueConstraint("id", name="uq_outbox_deliveries_id"),
    )
    op.create_index("ix_outbox_deliveries_status_seq", "outbox_deliveries", ["status", "seq"])


def downgrade() -> None:
    op.drop_index("ix_outbox_deliveries_status_seq", table_name="outbox_deliveries")
    op.drop_table("outbox_deliveries")
