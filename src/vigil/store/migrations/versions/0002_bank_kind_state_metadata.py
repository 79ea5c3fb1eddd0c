"""Banks: kind (positive/negative), labels and paused state; entries: metadata and paused state.

Every column is added with a server default, so banks and hashes stored under 0001 read back as
enabled positive banks with no labels and entries with empty metadata, as before. Written out
in full, like 0001, so that this step stays what it was when later revisions change the schema.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATE_COLUMNS = ("enabled", "state_reason", "state_by")


def _state_columns() -> list[sa.Column[bool] | sa.Column[str]]:
    return [
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("state_reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("state_by", sa.Text(), nullable=False, server_default=""),
    ]


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: on SQLite a batch copies the table, and dropping the old
    # ``banks`` fails while foreign keys are on and ``bank_entries`` refers to it.
    op.add_column("banks", sa.Column("kind", sa.String(32), nullable=False,
                                     server_default="positive"))
    op.add_column("banks", sa.Column("labels", sa.Text(), nullable=False, server_default="[]"))
    for column in _state_columns():
        op.add_column("banks", column)
    op.add_column("bank_entries", sa.Column("metadata", sa.Text(), nullable=False,
                                            server_default="{}"))
    for column in _state_columns():
        op.add_column("bank_entries", column)


def downgrade() -> None:
    # DROP COLUMN needs SQLite 3.35 (2021) or newer; none of these columns is in an index.
    for name in ("metadata", *_STATE_COLUMNS):
        op.drop_column("bank_entries", name)
    for name in ("kind", "labels", *_STATE_COLUMNS):
        op.drop_column("banks", name)
