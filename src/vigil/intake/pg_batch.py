"""A group commit's batch on PostgreSQL in one round trip, then the COMMIT in a second.

The general path (:meth:`vigil.intake.ledger.SqlIntakeLedger.commit_many`) issues one
SQLAlchemy statement per table and waits for each answer; profiled under
``benchmarks/bench_intake_commit.py`` most of the committer's CPU went to SQLAlchemy building
those statements and to psycopg's executemany sending one Bind/Execute per row. Here every table
gets ONE statement whose rows travel as arrays (``INSERT ... SELECT * FROM unnest(...)``, a
single execution on the server whatever the batch size; psycopg prepares it after a few uses),
and all the statements are sent together in psycopg's pipeline mode, so the batch costs one round
trip before the commit.

The batch is written optimistically: the answers are inserted ``ON CONFLICT DO NOTHING
RETURNING key``, and if any key of the batch comes back missing (a retry whose first answer is
stored), :func:`write_batch` answers ``None`` and the caller rolls the transaction back and
takes the general path, which replays stored answers in request order. A record id claimed
before is read back with its stored content before the commit (a statement after the claims'
insert, so under READ COMMITTED it sees a twin transaction's claim once that one committed), and
the caller refuses the batch with :class:`~vigil.intake.ledger.IdempotencyConflict` if the
content differs, exactly as the general path does. Nothing is acknowledged before the COMMIT
returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from vigil.intake.ledger_rows import BatchRows, ClaimRow

_SYNC_COMMIT = "SET LOCAL synchronous_commit = on"
_ANSWERS = ("INSERT INTO intake_requests (key, request_hash, response, created_at) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[]) "
            "ON CONFLICT DO NOTHING RETURNING key")
_CLAIMS = ("INSERT INTO intake_record_ids (kind, record_id, content_hash) "
           "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[]) "
           "ON CONFLICT DO NOTHING RETURNING kind, record_id")
_RECORDS = ("INSERT INTO records (content_hash, kind, data, natural_key) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[]) "
            "ON CONFLICT DO NOTHING")
_SIGNALS = ("INSERT INTO signals (id, kind, data) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[]) "
            "ON CONFLICT (id) DO NOTHING")
_STORED_CLAIMS = ("SELECT c.kind, c.record_id, c.content_hash FROM intake_record_ids c "
                  "JOIN unnest(%s::text[], %s::text[]) AS w(kind, record_id) "
                  "ON c.kind = w.kind AND c.record_id = w.record_id")


def _columns(rows: Sequence[dict[str, Any]], names: Sequence[str]) -> list[list[Any]]:
    return [[row[name] for row in rows] for name in names]


def write_batch(conn: Connection, rows: BatchRows) -> list[tuple[ClaimRow, str]] | None:
    """Write a batch's ``rows`` in the open transaction of ``conn`` (the caller commits).

    ``None`` when a key of the batch was answered before (roll back and take the general
    path); otherwise the ids the batch claims that were claimed before, each with the content
    hash stored for it, for the caller to check (a different hash: refuse the batch).
    """
    raw = conn.connection.driver_connection
    assert raw is not None
    answers, claims = raw.cursor(), raw.cursor()
    with raw.pipeline():
        raw.execute(_SYNC_COMMIT)
        if rows.answers:
            answers.execute(_ANSWERS, _columns(rows.answers,
                                               ("key", "request_hash", "response", "created_at")))
        claims.execute(_CLAIMS, _columns(rows.claims, ("kind", "record_id", "content_hash")))
        raw.execute(_RECORDS, _columns(rows.records,
                                       ("content_hash", "kind", "data", "natural_key")))
        if rows.signals:
            raw.execute(_SIGNALS, _columns(rows.signals, ("id", "kind", "data")))
    if rows.answers and len(answers.fetchall()) != len(rows.answers):
        return None
    fresh = {(kind, record_id) for kind, record_id in claims.fetchall()}
    if len(fresh) == len(rows.claims):
        return []
    return _stored_claims(raw, [c for c in rows.claims if (c["kind"], c["record_id"]) not in fresh])


def _stored_claims(raw: Any, taken: Sequence[ClaimRow]) -> list[tuple[ClaimRow, str]]:
    """The content hash stored for each of ``taken`` (ids claimed before this batch)."""
    ours = {(c["kind"], c["record_id"]): c for c in taken}
    stored = raw.execute(_STORED_CLAIMS, _columns(taken, ("kind", "record_id"))).fetchall()
    return [(ours[(kind, record_id)], content) for kind, record_id, content in stored]
