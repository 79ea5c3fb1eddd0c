"""The outbox's narrow storage interface, and its in-memory implementation (a store mixin)."""

from __future__ import annotations

import threading
from typing import Protocol

from vigil.audit import AuditEvent
from vigil.outbox.model import Delivery, DeliveryStatus


class OutboxStore(Protocol):
    """Deliveries waiting, delivered or dead; written only with the audit event that caused them."""

    def enqueue_delivery(self, delivery: Delivery, event: AuditEvent) -> None:
        """Store ``delivery`` and append ``event`` to the custody log in one transaction: both
        or neither (``ValueError`` if the id is taken)."""

    def deliveries(self, status: DeliveryStatus | None = None) -> list[Delivery]:
        """Deliveries (with ``status`` only, if given), oldest first."""

    def delivery(self, delivery_id: str) -> Delivery | None: ...

    def save_delivery(self, delivery: Delivery, event: AuditEvent | None = None) -> None:
        """Replace the stored state of an enqueued delivery (``KeyError`` if unknown), and
        append ``event``, if given, in the same transaction."""


class MemoryOutbox:
    """``OutboxStore`` for :class:`vigil.store.memory.MemoryStore`, under its audit lock."""

    _audit_lock: threading.Lock
    _deliveries: dict[str, Delivery]

    def _append_locked(self, event: AuditEvent) -> int:
        raise NotImplementedError  # provided by MemoryStore

    def enqueue_delivery(self, delivery: Delivery, event: AuditEvent) -> None:
        with self._audit_lock:
            if delivery.id in self._deliveries:
                raise ValueError(f"delivery {delivery.id!r} is already in the outbox")
            seq = self._append_locked(event)  # first: if it fails, nothing was written
            self._deliveries[delivery.id] = delivery
        self._after_append(seq)

    def _after_append(self, seq: int) -> None:
        raise NotImplementedError  # provided by MemoryStore

    def deliveries(self, status: DeliveryStatus | None = None) -> list[Delivery]:
        with self._audit_lock:
            found = list(self._deliveries.values())
        return [d for d in found if status is None or d.status is status]

    def delivery(self, delivery_id: str) -> Delivery | None:
        return self._deliveries.get(delivery_id)

    def save_delivery(self, delivery: Delivery, event: AuditEvent | None = None) -> None:
        with self._audit_lock:
            if delivery.id not in self._deliveries:
                raise KeyError(delivery.id)
            seq = None if event is None else self._append_locked(event)
            self._deliveries[delivery.id] = delivery
        if seq is not None:
            self._after_append(seq)
