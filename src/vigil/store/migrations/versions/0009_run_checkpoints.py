"""Run checkpoints and current signals, for incremental runs (vigil.checkpoints).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _seq() -> sa.Column[int]:
    return sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                     autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "run_checkpoints",
        _seq(),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_run_checkpoints"),
    )
    op.create_table(
        "current_signals",
        _seq(),
        sa.Column("signal_id", sa.Text(), nullable=False),
        sa.Column("detector", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_current_signals"),
        sa.UniqueConstraint("signal_id", name="uq_current_signals_signal_id"),
    )
    op.create_index("ix_current_signals_detector_scope", "current_signals",
                    ["detector", "scope"])


def downgrade() -> None:
    op.drop_index("ix_current_signals_detector_scope", table_name="current_signals")
    op.drop_table("current_signals")
    op.drop_table("run_checkpoints")
