"""``OutboxStore`` on SQL: a mixin of :class:`vigil.store.sql.SqlStore`.

The delivery row and its audit event are written in one transaction, which also holds the
custody log's append lock (:meth:`vigil.store.sql_audit.SqlAuditLog._append_in`), so a crash
leaves either both or neither: there is never a delivery nobody audited, nor an audited
delivery that was lost.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, insert, select, update

from vigil.audit import AuditEvent
from vigil.custody.log import PeriodicHeads
from vigil.outbox.model import Delivery, DeliveryStatus
from vigil.store import schema
from vigil.store.retry import RetryPolicy, write_transaction


class SqlOutbox:
    """The ``outbox_deliveries`` table."""

    _engine: Engine
    _retry: RetryPolicy
    _heads: PeriodicHeads

    def _append_in(self, conn: Connection, event: AuditEvent) -> int:
        raise NotImplementedError  # provided by SqlAuditLog

    def enqueue_delivery(self, delivery: Delivery, event: AuditEvent) -> None:
        table = schema.outbox_deliveries
        with write_transaction(self._engine, self._retry) as conn:
            taken = conn.execute(select(table.c.id).where(table.c.id == delivery.id)).first()
            if taken is not None:
                raise ValueError(f"delivery {delivery.id!r} is already in the outbox")
            conn.execute(insert(table).values(_row(delivery)))
            seq = self._append_in(conn, event)
        self._heads.after_append(self, seq)  # type: ignore[arg-type]

    def deliveries(self, status: DeliveryStatus | None = None) -> list[Delivery]:
        table = schema.outbox_deliveries
        query = select(table.c.data).order_by(table.c.seq)
        if status is not None:
            query = query.where(table.c.status == status.value)
        with self._engine.connect() as conn:
            return [Delivery.from_json(text) for text in conn.execute(query).scalars()]

    def delivery(self, delivery_id: str) -> Delivery | None:
        table = schema.outbox_deliveries
        with self._engine.connect() as conn:
            text = conn.execute(select(table.c.data).where(table.c.id == delivery_id)).scalar()
        return None if text is None else Delivery.from_json(text)

    def save_delivery(self, delivery: Delivery, event: AuditEvent | None = None) -> None:
        table = schema.outbox_deliveries
        row = _row(delivery)
        del row["id"]
        with write_transaction(self._engine, self._retry) as conn:
            changed = conn.execute(update(table).where(table.c.id == delivery.id).values(row))
            if changed.rowcount == 0:
                raise KeyError(delivery.id)
            seq = None if event is None else self._append_in(conn, event)
        if seq is not None:
            self._heads.after_append(self, seq)  # type: ignore[arg-type]


def _row(delivery: Delivery) -> dict[str, str]:
    return {"id": delivery.id, "status": delivery.status.value,
            "next_attempt_at": delivery.next_attempt_at.isoformat(),
            "data": delivery.to_json()}
