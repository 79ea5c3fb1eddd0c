"""The outbox as the workspace shows it: dead letters first, then what waits, then what arrived.

A dead letter is a delivery the worker gave up on (a final refusal, or retries spent); it stays
until someone retries it (``vigil outbox retry``), so the page lists every one. Pending and
delivered rows are cut to the newest ``limit``. Payloads are never shown: they are the exported
case files, which the custody trail and the export itself account for.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from vigil.outbox.model import Delivery, DeliveryStatus
from vigil.outbox.store import OutboxStore

OUTBOX_LIMIT = 100


class OutboxRow(TypedDict):
    """One delivery (times ISO 8601 UTC, ``delivered_at`` ``None`` until acknowledged)."""

    id: str
    status: str
    destination: str
    format: str
    cases: list[str]
    attempts: int
    last_error: str
    created_at: str
    next_attempt_at: str
    delivered_at: str | None


class OutboxView(TypedDict):
    """The ``outbox.html`` partial's context: counts by status and rows by status."""

    counts: dict[str, int]
    dead: list[OutboxRow]
    pending: list[OutboxRow]
    delivered: list[OutboxRow]
    case_id: str | None


def _row(delivery: Delivery) -> OutboxRow:
    done = delivery.delivered_at
    return OutboxRow(id=delivery.id, status=delivery.status.value,
                     destination=delivery.destination, format=delivery.format,
                     cases=list(delivery.case_ids), attempts=delivery.attempts,
                     last_error=delivery.last_error, created_at=delivery.created_at.isoformat(),
                     next_attempt_at=delivery.next_attempt_at.isoformat(),
                     delivered_at=done.isoformat() if isinstance(done, datetime) else None)


def outbox_view(outbox: OutboxStore, case_id: str | None = None,
                limit: int = OUTBOX_LIMIT) -> OutboxView:
    """Deliveries by status, newest first (of ``case_id`` only, if given); all dead letters."""
    found = [d for d in outbox.deliveries() if case_id is None or case_id in d.case_ids]
    found.sort(key=lambda d: (d.created_at, d.id), reverse=True)
    by_status = {s: [d for d in found if d.status is s] for s in DeliveryStatus}
    return OutboxView(
        counts={s.value: len(by_status[s]) for s in DeliveryStatus},
        dead=[_row(d) for d in by_status[DeliveryStatus.DEAD]],
        pending=[_row(d) for d in by_status[DeliveryStatus.PENDING][:limit]],
        delivered=[_row(d) for d in by_status[DeliveryStatus.DELIVERED][:limit]],
        case_id=case_id)
