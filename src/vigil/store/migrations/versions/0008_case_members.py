"""Which case each identifier belonged to at the last run, for stable case ids (vigil.case_ids).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_members",
        sa.Column("member", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("member", name="pk_case_members"),
    )
    op.create_index("ix_case_members_case_id", "case_members", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_members_case_id", table_name="case_members")
    op.drop_table("case_members")
