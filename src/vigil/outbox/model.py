"""What the outbox holds: a delivery of one export to one destination, and its state."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any


class DeliveryStatus(StrEnum):
    """``pending`` until acknowledged (``delivered``) or given up on (``dead``)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


@dataclass(frozen=True)
class Delivery:
    """One export on its way to one destination.

    ``id`` is also the ``Idempotency-Key`` header of every attempt, so a receiver that already
    filed it can acknowledge again without filing twice. ``sha256`` is the export's digest, the
    one its audit event records; ``payload`` the exact text whose digest it is.
    """

    id: str
    destination: str
    format: str
    case_ids: tuple[str, ...]
    sha256: str
    payload: str
    media_type: str
    created_at: datetime
    next_attempt_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    last_error: str = ""
    acknowledgement: str = ""
    delivered_at: datetime | None = None
    errors: tuple[str, ...] = field(default=())

    def to_json(self) -> str:
        """The delivery as JSON text (how the SQL store keeps it)."""
        data: dict[str, Any] = asdict(self)
        for key in ("created_at", "next_attempt_at", "delivered_at"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value is not None else None
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Delivery:
        data = json.loads(text)
        for key in ("created_at", "next_attempt_at", "delivered_at"):
            if data[key] is not None:
                data[key] = datetime.fromisoformat(data[key])
        data["case_ids"] = tuple(data["case_ids"])
        data["errors"] = tuple(data["errors"])
        data["status"] = DeliveryStatus(data["status"])
        return cls(**data)

    def failed(self, error: str, now: datetime, retry_at: datetime | None) -> Delivery:
        """After a failed attempt: again at ``retry_at``, or dead when it is ``None``."""
        status = DeliveryStatus.PENDING if retry_at is not None else DeliveryStatus.DEAD
        return replace(self, attempts=self.attempts + 1, last_error=error, status=status,
                       next_attempt_at=retry_at or now, errors=(*self.errors, error))

    def acknowledged(self, acknowledgement: str, now: datetime) -> Delivery:
        return replace(self, attempts=self.attempts + 1, status=DeliveryStatus.DELIVERED,
                       acknowledgement=acknowledgement, delivered_at=now, last_error="")
