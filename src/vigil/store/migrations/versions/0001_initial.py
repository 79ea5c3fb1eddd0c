"""Initial schema: records, quarantine, signals, cases, statuses, banks, audit events.

Written out in full rather than built from ``vigil.store.schema``, so this step stays what it
was when later revisions change the schema; a test checks that head matches the schema module.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _seq() -> sa.Column[int]:
    return sa.Column("seq", SEQ, autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "records",
        _seq(),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_records"),
        sa.UniqueConstraint("content_hash", name="uq_records_content_hash"),
    )
    op.create_index("ix_records_kind_seq", "records", ["kind", "seq"])
    op.create_table(
        "quarantine",
        _seq(),
        sa.Column("entry_key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_quarantine"),
        sa.UniqueConstraint("entry_key", name="uq_quarantine_entry_key"),
    )
    op.create_table(
        "signals",
        _seq(),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_signals"),
        sa.UniqueConstraint("id", name="uq_signals_id"),
    )
    _create_case_tables()
    _create_bank_tables()
    op.create_table(
        "audit_events",
        _seq(),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_events"),
    )


def _create_case_tables() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("priority", sa.Double(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
    )
    op.create_table(
        "case_statuses",
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_case_statuses"),
    )


def _create_bank_tables() -> None:
    op.create_table(
        "banks",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("signal_type", sa.String(32), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_banks"),
    )
    op.create_table(
        "bank_entries",
        _seq(),
        sa.Column("bank", sa.Text(), nullable=False),
        sa.Column("signal_type", sa.String(32), nullable=False),
        sa.Column("hash", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_bank_entries"),
        sa.ForeignKeyConstraint(
            ["bank"], ["banks.name"], name="fk_bank_entries_bank_banks"
        ),
        sa.UniqueConstraint(
            "bank", "signal_type", "hash", name="uq_bank_entries_bank_type_hash"
        ),
    )


def downgrade() -> None:
    for table in ("audit_events", "bank_entries", "banks", "case_statuses", "cases", "signals",
                  "quarantine", "records"):
        op.drop_table(table)
