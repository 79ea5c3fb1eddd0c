"""The SQL tables behind :class:`vigil.store.sql.SqlStore`, shared by SQLite and PostgreSQL.

Domain objects are kept as JSON text (see :mod:`vigil.store.codec`) next to the few columns that
queries filter, sort or deduplicate on, so the schema stays small and identical on both backends.

Tables that the memory store keeps in insertion order have an integer ``seq`` key; the natural
key (content hash, signal id, ...) is a unique constraint, which is what makes adds idempotent.
The Alembic migrations under ``migrations/versions`` must build exactly these tables; a test
compares them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy import false as sa_false

# Explicit constraint names, so that migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
SeqType = BigInteger().with_variant(Integer(), "sqlite")

HASH_LENGTH = 64
"""Hex digits of a SHA-256 digest (:func:`vigil.model.content_hash`)."""

KIND_LENGTH = 32


def _seq() -> Column[int]:
    return Column("seq", SeqType, primary_key=True, autoincrement=True)


def _state_columns() -> list[Column[object]]:
    """Whether a bank or entry is in force, why and by whom; defaults fill rows from 0001."""
    return [
        Column("enabled", Boolean, nullable=False, server_default=true()),
        Column("state_reason", Text, nullable=False, server_default=""),
        Column("state_by", Text, nullable=False, server_default=""),
    ]


# ``natural_key`` is a SHA-256 of kind and source id (txn_id, message_id...): one id, one content.
# It is NULL only for rows that migration 0003 found already conflicting (the first one keeps it).
records = Table(
    "records",
    metadata,
    _seq(),
    Column("content_hash", String(HASH_LENGTH), nullable=False, unique=True),
    Column("kind", String(KIND_LENGTH), nullable=False),
    Column("data", Text, nullable=False),
    Column("natural_key", String(HASH_LENGTH), nullable=True),
    Index("ix_records_kind_seq", "kind", "seq"),
    Index("uq_records_natural_key", "natural_key", unique=True),
)

# Never the raw line (it could hold media): a bounded, sanitised excerpt and the line's SHA-256
# (see vigil.redact). ``entry_key`` is a hash of (source, line, line_sha256).
quarantine = Table(
    "quarantine",
    metadata,
    _seq(),
    Column("entry_key", String(HASH_LENGTH), nullable=False, unique=True),
    Column("kind", String(KIND_LENGTH), nullable=False),
    Column("source", Text, nullable=False),
    Column("line", Integer, nullable=False),
    Column("excerpt", Text, nullable=False),
    Column("line_sha256", String(HASH_LENGTH), nullable=False),
    Column("reason", Text, nullable=False),
)

signals = Table(
    "signals", metadata, _seq(),
    Column("id", Text, nullable=False, unique=True),
    Column("kind", String(KIND_LENGTH), nullable=False),
    Column("data", Text, nullable=False),
)

cases = Table(
    "cases", metadata,
    Column("id", Text, primary_key=True),
    Column("priority", Double, nullable=False),
    Column("status", String(KIND_LENGTH), nullable=False),
    Column("data", Text, nullable=False),
    # Ranking inputs (0012): newest signal time, reasons JSON; set, they win over ``data``.
    Column("latest", Text, nullable=True), Column("reasons", Text, nullable=True),
)

# Statuses set by a reviewer, kept apart from ``cases`` because every linking run replaces cases.
case_statuses = Table(
    "case_statuses",
    metadata,
    Column("case_id", Text, primary_key=True),
    Column("status", String(KIND_LENGTH), nullable=False),
)

# Which case each identifier (or, for a case without identifiers, each signal) belonged to at the
# last run: how the next run gives a grown or merged case its old id (vigil.case_ids).
case_members = Table(
    "case_members", metadata,
    Column("member", Text, primary_key=True),
    Column("case_id", Text, nullable=False),
    Index("ix_case_members_case_id", "case_id"),
)

banks = Table(
    "banks",
    metadata,
    Column("name", Text, primary_key=True),
    Column("signal_type", String(KIND_LENGTH), nullable=False),
    Column("threshold", Integer, nullable=False),
    Column("source", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("kind", String(KIND_LENGTH), nullable=False, server_default="positive"),
    Column("labels", Text, nullable=False, server_default="[]"),  # JSON list of strings
    *_state_columns(),
)

bank_entries = Table(
    "bank_entries",
    metadata,
    _seq(),
    Column("bank", Text, ForeignKey("banks.name"), nullable=False),
    Column("signal_type", String(KIND_LENGTH), nullable=False),
    Column("hash", Text, nullable=False),
    Column("label", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("metadata", Text, nullable=False, server_default="{}"),  # JSON object
    *_state_columns(),
    UniqueConstraint("bank", "signal_type", "hash", name="uq_bank_entries_bank_type_hash"),
)

audit_events = Table(
    "audit_events",
    metadata,
    _seq(),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("details", Text, nullable=False),
    # The custody log (vigil.custody): who acted in which role on which case, with which outcome
    # and why; the store's UTC clock; the chain and Merkle leaf hashes. ``seq`` is assigned by the
    # store, 1, 2, 3, ... without gaps, under a lock (see SqlStore.append_audit).
    Column("role", Text, nullable=False, server_default=""),
    Column("case_id", Text, nullable=False, server_default=""),
    Column("outcome", Text, nullable=False, server_default="success"),
    Column("justification", Text, nullable=False, server_default=""),
    Column("recorded_at", Text, nullable=False, server_default=""),
    Column("prev_hash", String(HASH_LENGTH), nullable=False, server_default=""),
    Column("leaf_hash", String(HASH_LENGTH), nullable=False, server_default=""),
)

# Signed tree heads of the custody log (vigil.custody.heads), in the order they were signed.
custody_heads = Table(
    "custody_heads",
    metadata,
    _seq(),
    Column("size", BigInteger, nullable=False),
    Column("root", String(HASH_LENGTH), nullable=False),
    Column("signed_at", Text, nullable=False),
    Column("signature", Text, nullable=False),
    Column("public_key", Text, nullable=False),
)

# The workspace's accounts (vigil.accounts): one row per local account; times are ISO 8601 UTC
# text like the audit log's; ``failed_logons`` is a JSON list of such times.
accounts = Table(
    "accounts",
    metadata,
    Column("username", Text, primary_key=True),
    Column("role", String(KIND_LENGTH), nullable=False),
    Column("tenant", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("totp_secret", Text, nullable=False),
    Column("totp_last_step", BigInteger, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("failed_logons", Text, nullable=False),
    Column("locked_at", Text, nullable=True),
    Column("disabled", Boolean, nullable=False),
    Column("last_logon_at", Text, nullable=True),
)

# Server-side sessions, keyed by the SHA-256 of the session id (the id itself is never stored).
account_sessions = Table(
    "account_sessions",
    metadata,
    Column("id_hash", String(HASH_LENGTH), primary_key=True),
    Column("username", Text, ForeignKey("accounts.username"), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("last_seen", Text, nullable=False),
    Column("ended_at", Text, nullable=True),
)

# Messages each reviewer revealed per UTC day (the reviewer-wellness exposure counter).
reveal_counts = Table(
    "reveal_counts",
    metadata,
    Column("username", Text, primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("count", Integer, nullable=False),
)

# Exclusive claims on cases (vigil.workspace.claims): one row per claimed case, so a claim is one
# atomic insert and two analysts never hold the same case.
case_claims = Table(
    "case_claims",
    metadata,
    Column("case_id", Text, primary_key=True),
    Column("holder", Text, nullable=False),
    Column("claimed_at", Text, nullable=False),
)

# The delivery outbox (vigil.outbox): one row per export on its way to a destination, written in
# the same transaction as the export's audit event. ``data`` is the delivery as JSON.
outbox_deliveries = Table(
    "outbox_deliveries",
    metadata,
    _seq(),
    Column("id", String(HASH_LENGTH), nullable=False, unique=True),
    Column("status", String(KIND_LENGTH), nullable=False),
    Column("next_attempt_at", Text, nullable=False),
    Column("data", Text, nullable=False),
    Index("ix_outbox_deliveries_status_seq", "status", "seq"),
)

# Intake (vigil.intake): what each Idempotency-Key was answered with, so a retried request gets
# the same answer and stores nothing twice (IETF draft "The Idempotency-Key HTTP Header Field").
intake_requests = Table(
    "intake_requests",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(HASH_LENGTH), nullable=False),
    Column("response", Text, nullable=False),  # JSON, returned as it was the first time
    Column("created_at", Text, nullable=False),
)

# A record's own id (report_id, message_id, txn_id, observation_id) per kind: the same id sent
# again with other content is refused instead of stored as a second record.
intake_record_ids = Table(
    "intake_record_ids",
    metadata,
    Column("kind", String(KIND_LENGTH), primary_key=True),
    Column("record_id", Text, primary_key=True),
    Column("content_hash", String(HASH_LENGTH), nullable=False),
)

# API keys of the web service, kept in the deployment's main store; only a SHA-256 of the
# secret part is stored (vigil.access.keys says why not a slow password hash).
api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("secret_hash", String(HASH_LENGTH), nullable=False),
    Column("tenant", String(64), nullable=False),
    Column("scopes", Text, nullable=False),  # JSON list
    Column("name", Text, nullable=False),
    Column("rate_per_s", Double, nullable=False),
    Column("burst", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("revoked", Boolean, nullable=False, server_default=sa_false()),
)

# Run checkpoints (vigil.checkpoints): one row per run, the latest (highest seq) is the one the
# next run compares the store with; ``data`` is the checkpoint as JSON (marks, fingerprints).
run_checkpoints = Table("run_checkpoints", metadata, _seq(), Column("at", Text, nullable=False),
                        Column("data", Text, nullable=False))

# The signals the current cases are built from, each with the detector and scope (the partition
# of records it is a function of) whose recomputation replaces it.
current_signals = Table(
    "current_signals", metadata, _seq(),
    Column("signal_id", Text, nullable=False, unique=True),
    Column("detector", Text, nullable=False),
    Column("scope", Text, nullable=False),
    # What a run reads without decoding the signal (0012; NULL in rows from before): kind,
    # observed_at (ISO), facts (JSON: {"subjects": [...], "roles": {...}}).
    *(Column(name, Text, nullable=True) for name in ("kind", "observed_at", "facts")),
    Index("ix_current_signals_detector_scope", "detector", "scope"),
)
