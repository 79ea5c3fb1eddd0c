"""Record ids: one id (``txn_id``, ``message_id``...) names one content.

The records table keeps a natural key (a SHA-256 of kind and id) with a unique index, so a
second record with the same id and different content is refused and reported as a conflict
rather than stored twice (a payment counted twice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select

from vigil.model import content_hash
from vigil.records import Record, RecordKind
from vigil.store import schema

Row = dict[str, Any]


RECORD_ID_FIELDS: dict[RecordKind, str] = {
    RecordKind.MEDIA: "observation_id",
    RecordKind.MESSAGE: "message_id",
    RecordKind.PAYMENT: "txn_id",
    RecordKind.REPORT: "report_id",
}
"""The field that names a record in its source system: one id, one content."""


def record_id(record: Record) -> tuple[str, str]:
    """``(field, value)`` of the record's id, e.g. ``("txn_id", "t1")``."""
    field = RECORD_ID_FIELDS[record.kind]
    return field, str(getattr(record, field))


def natural_key(kind: RecordKind | str, record_id_value: str) -> str:
    """The records table's natural key: a SHA-256 of kind and id (ids can be long)."""
    return content_hash([RecordKind(kind).value, record_id_value])


def classify(rows: Sequence[Row], stored: Mapping[str, str]) -> tuple[list[Row], tuple[int, ...]]:
    """Rows to insert, and positions of rows whose id is taken by other content (stored before,
    or earlier in ``rows``); rows whose content is stored or queued are duplicates."""
    owners = dict(stored)  # natural key -> content hash
    queued = set(stored.values())
    new_rows: list[Row] = []
    conflicts: list[int] = []
    for position, row in enumerate(rows):
        digest = row["content_hash"]
        if owners.setdefault(row["natural_key"], digest) != digest:
            conflicts.append(position)
        elif digest not in queued:
            queued.add(digest)
            new_rows.append(row)
    return new_rows, tuple(conflicts)


KEY_QUERY_BATCH = 500
"""Keys per ``IN (...)`` lookup, well under SQLite's 32,766 bound parameters (sqlite limits)."""


def stored_keys(conn: Connection, keys: set[str]) -> dict[str, str]:
    """``natural_key -> content_hash`` of the stored records among ``keys``."""
    table, wanted, found = schema.records, sorted(keys), {}
    for start in range(0, len(wanted), KEY_QUERY_BATCH):
        batch = wanted[start:start + KEY_QUERY_BATCH]
        query = select(table.c.natural_key, table.c.content_hash).where(
            table.c.natural_key.in_(batch))
        found.update({key: digest for key, digest in conn.execute(query)})
    return found
