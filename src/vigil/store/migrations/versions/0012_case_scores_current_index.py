"""Case ranking inputs and a current-signal index, for incremental runs (vigil.incremental).

``cases`` gains ``latest`` (the newest signal's time) and ``reasons`` (the priority's reasons as
JSON), so a run whose moment moved re-ranks the cases it kept without decoding their signals;
``current_signals`` gains each signal's kind, time, and subjects and roles (``facts``, one JSON
object), so a run finds what its changes touch without decoding every current signal. Rows
stored before stay NULL there and are read the old way (from the case or signal JSON).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CURRENT = ("kind", "observed_at", "facts")


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("latest", sa.Text(), nullable=True))
        batch.add_column(sa.Column("reasons", sa.Text(), nullable=True))
    with op.batch_alter_table("current_signals") as batch:
        for name in _CURRENT:
            batch.add_column(sa.Column(name, sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("current_signals") as batch:
        for name in reversed(_CURRENT):
            batch.drop_column(name)
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("reasons")
        batch.drop_column("latest")
