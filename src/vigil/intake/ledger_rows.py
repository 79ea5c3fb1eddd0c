"""What the intake ledger writes: a request waiting for its commit, and its rows per table.

Kept apart from :mod:`vigil.intake.ledger` so that the PostgreSQL batch writer
(:mod:`vigil.intake.pg_batch`) and the general path build the same rows. Each record's content
hash is computed once, when the request is validated (:attr:`Pending.record_hashes`), and used
for its ``records`` row, its id claim and its answer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from vigil.model import Signal
from vigil.records import Record, RecordKind
from vigil.store import codec
from vigil.store.sql import _record_row as record_row

OWN_ID_FIELDS: dict[RecordKind, str] = {
    RecordKind.REPORT: "report_id", RecordKind.MESSAGE: "message_id",
    RecordKind.PAYMENT: "txn_id", RecordKind.MEDIA: "observation_id",
}
"""The field holding each kind's own id, which a client sets and may send again."""


def own_id(record: Record) -> str:
    return str(getattr(record, OWN_ID_FIELDS[record.kind]))


@dataclass(frozen=True)
class Committed:
    """The answer stored for a request, and whether it was stored by an earlier request."""

    response: dict[str, Any]
    replayed: bool


@dataclass(frozen=True)
class Pending:
    """One validated request waiting for its commit, and where its answer goes.

    ``record_hashes`` are the records' content hashes in order, when the caller has them
    already (empty: computed here when needed).
    """

    key: str | None
    request_hash: str
    records: Sequence[Record]
    signals: Sequence[Signal]
    response: dict[str, Any]
    record_hashes: Sequence[str] = ()
    result: Future[Committed] = field(default_factory=Future, compare=False)

    def hashes(self) -> Sequence[str]:
        """Each record's content hash, in order."""
        return self.record_hashes or [record.content_hash() for record in self.records]


Row = dict[str, Any]
ClaimRow = dict[str, Any]
"""``kind``, ``record_id``, ``content_hash`` (the table's columns) and the ``record`` itself."""


@dataclass(frozen=True)
class BatchRows:
    """The rows of a batch of independent requests, one list per table."""

    answers: list[Row]
    claims: list[ClaimRow]
    records: list[Row]
    signals: list[Row]


def record_rows(records: Sequence[Record], hashes: Sequence[str]) -> list[Row]:
    """``records`` rows, built by the store's own row builder (what ``add_records`` writes)."""
    return [record_row(record, content) for record, content in zip(records, hashes, strict=True)]


def signal_rows(signals: Sequence[Signal]) -> list[Row]:
    return [{"id": s.id, "kind": s.kind.value, "data": codec.signal_to_json(s)} for s in signals]


def claim_rows(records: Sequence[Record], hashes: Sequence[str]) -> list[ClaimRow]:
    return [{"kind": record.kind.value, "record_id": own_id(record), "content_hash": content,
             "record": record} for record, content in zip(records, hashes, strict=True)]


def batch_rows(batch: Sequence[Pending], at: str) -> BatchRows:
    """Every row of ``batch`` (no two of its requests share a key or a record id)."""
    hashes = [content for p in batch for content in p.hashes()]
    records = [record for p in batch for record in p.records]
    return BatchRows(
        answers=[{"key": p.key, "request_hash": p.request_hash,
                  "response": json.dumps(p.response), "created_at": at}
                 for p in batch if p.key is not None],
        claims=claim_rows(records, hashes),
        records=record_rows(records, hashes),
        signals=signal_rows([s for p in batch for s in p.signals]))
