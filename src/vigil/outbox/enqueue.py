"""Putting an export in the outbox: only what the human gate lets out, audited atomically.

The guarantee: the delivery row and the ``enqueue_delivery`` audit event are written in one
store transaction (:meth:`~vigil.outbox.store.OutboxStore.enqueue_delivery`), so every delivery
the worker can send was audited with the analyst's name and the export's SHA-256, and every
audited enqueue has its delivery. The gate is asked again here, on the cases as stored now, so
a case dismissed or grown since the export was rendered is refused before anything is queued.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from vigil.audit import AuditEvent
from vigil.exporters.export import Export, UnknownCasesError, decisions_in
from vigil.gate import OutboundRefusedError, outbound_allowed
from vigil.model import Case, content_hash
from vigil.outbox.destinations import Destination
from vigil.outbox.model import Delivery
from vigil.outbox.store import OutboxStore
from vigil.review import require_actor
from vigil.store.interfaces import AuditStore, CaseStore


class OutboxStores(OutboxStore, CaseStore, AuditStore, Protocol):
    """The three interfaces an enqueue reads and writes."""


def delivery_id(destination: str, sha256: str) -> str:
    """One id per export and destination: the same bytes are never queued twice for one
    receiver, and the id doubles as the ``Idempotency-Key`` of every attempt."""
    return content_hash(["outbox", destination, sha256])


def enqueue_export(store: OutboxStores, export: Export, destination: Destination, analyst: str,
                   *, format_name: str, now: datetime | None = None) -> Delivery:
    """Queue ``export`` (rendered as ``format_name``) for ``destination``.

    Raises :class:`~vigil.gate.OutboundRefusedError` if the gate now refuses a case,
    ``ValueError`` if the format is not the destination's, the text does not match its
    SHA-256, or the same export is already queued for it.
    """
    actor = require_actor(analyst)
    if format_name != destination.format:
        raise ValueError(f"destination {destination.name!r} takes {destination.format!r}, "
                         f"not {format_name!r}")
    if hashlib.sha256(export.data()).hexdigest() != export.sha256:
        raise ValueError("the export's text does not match its SHA-256; export it again")
    _require_gate(store, [c.id for c in export.cases])
    at = now or datetime.now(UTC)
    delivery = Delivery(
        id=delivery_id(destination.name, export.sha256), destination=destination.name,
        format=format_name, case_ids=tuple(c.id for c in export.cases), sha256=export.sha256,
        payload=export.text, media_type=export.media_type, created_at=at, next_attempt_at=at)
    store.enqueue_delivery(delivery, AuditEvent(
        actor, "enqueue_delivery", delivery.id, at,
        {"destination": destination.name, "kind": destination.kind.value, "url": destination.url,
         "format": format_name, "sha256": export.sha256, "cases": list(delivery.case_ids)},
        role="analyst", case_id=",".join(delivery.case_ids)))
    return delivery


def _require_gate(store: OutboxStores, case_ids: Sequence[str]) -> None:
    found = {case_id: store.case(case_id) for case_id in case_ids}
    missing = [case_id for case_id, case in found.items() if case is None]
    if missing:
        raise UnknownCasesError(missing)
    confirmations = decisions_in(store.audit_events())
    cases: list[Case] = [c for c in found.values() if c is not None]
    refused = {}
    for case in cases:
        decision = outbound_allowed(case, confirmations)
        if not decision.allowed:
            refused[case.id] = decision.reason
    if refused:
        raise OutboundRefusedError(refused)


def gate_refusal(store: OutboxStores, delivery: Delivery) -> str | None:
    """Why the human gate would now keep ``delivery`` in (``None``: it may leave).

    Asked before every attempt, so a case dismissed, or grown with signals nobody judged, after
    it was queued does not leave either.
    """
    try:
        _require_gate(store, delivery.case_ids)
    except (UnknownCasesError, OutboundRefusedError) as exc:
        return f"the human gate now refuses it: {exc}"
    return None
