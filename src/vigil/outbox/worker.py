"""The outbox worker: send what is due, record only what the receiver acknowledged.

An attempt counts as delivered only on a 2xx answer whose JSON body echoes the delivery id in
the destination's ``ack_field``: a 200 from a proxy, an empty body or a body cut off in transit
proves nothing, so it is retried. Every attempt carries ``Idempotency-Key: <delivery id>``
(the IETF HTTPAPI draft "The Idempotency-Key HTTP Header Field"), so a receiver that filed an
earlier attempt whose answer was lost acknowledges again instead of filing twice.

Retries wait ``uniform(0, min(cap, base * 2**(n-1)))`` seconds after the n-th failure: capped
exponential backoff with "full jitter" (M. Brooker, "Exponential Backoff And Jitter", AWS
Architecture Blog, 2015), so receivers coming back up are not hit by every worker at once.
After ``max_attempts`` failures, or at once on an answer that retrying cannot change (a 4xx
other than 408, 425 and 429), the delivery becomes a dead letter with its reason; a person
re-queues it with :func:`retry_dead`. Arrival and death are audited with the delivery's state.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import httpx

from vigil.audit import AuditEvent
from vigil.outbox.destinations import Destination
from vigil.outbox.enqueue import OutboxStores, gate_refusal
from vigil.outbox.model import Delivery, DeliveryStatus
from vigil.outbox.store import OutboxStore
from vigil.review import require_actor

SYSTEM_ACTOR = "vigil:outbox"
RETRYABLE_4XX = frozenset({408, 425, 429})
"""Client errors that may pass on a later try (RFC 9110 §15.5.9, RFC 8470 §5.2, RFC 6585 §4)."""
ACK_TEXT_LIMIT = 500


@dataclass(frozen=True)
class OutboxPolicy:
    """Retry limits; vigil defaults (``VIGIL_OUTBOX_*``), small in tests."""

    max_attempts: int = 8
    backoff_base_s: float = 2.0
    backoff_cap_s: float = 300.0
    timeout_s: float = 10.0

    def retry_at(self, attempts: int, now: datetime, rng: random.Random) -> datetime | None:
        """When to try again after ``attempts`` failures, or ``None`` when they are used up."""
        if attempts >= self.max_attempts:
            return None
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2 ** (attempts - 1))
        return now + timedelta(seconds=rng.uniform(0, ceiling))


class DeliveryFailure(Exception):
    """One attempt failed; ``final`` when retrying cannot help."""

    def __init__(self, reason: str, final: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.final = reason, final


@dataclass(frozen=True)
class OutboxSummary:
    """Deliveries per state. vigil sends one id per export and destination, with that id as
    the idempotency key, so a receiver that honours it never files one twice (duplicated=0)."""

    pending: int
    delivered: int
    dead: int

    def line(self) -> str:
        return (f"delivered={self.delivered} duplicated=0 dead_letter={self.dead} "
                f"pending={self.pending}")


def outbox_summary(store: OutboxStore) -> OutboxSummary:
    found = store.deliveries()
    return OutboxSummary(*(sum(d.status is s for d in found) for s in DeliveryStatus))


def attempt(client: httpx.Client, delivery: Delivery, destination: Destination,
            secrets: Mapping[str, str]) -> str:
    """POST ``delivery`` once; the receiver's acknowledgement, or :class:`DeliveryFailure`."""
    headers = {"Content-Type": delivery.media_type, "Idempotency-Key": delivery.id}
    if destination.auth_secret:
        if destination.auth_secret not in secrets:
            raise DeliveryFailure(f"secret {destination.auth_secret!r} is not in the secrets "
                                  "file", final=True)
        headers[destination.auth_header] = secrets[destination.auth_secret]
    try:
        response = client.post(destination.url, content=delivery.payload.encode("utf-8"),
                               headers=headers)
    except httpx.TimeoutException as exc:
        raise DeliveryFailure(f"timed out ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise DeliveryFailure(f"transport error ({type(exc).__name__}: {exc})") from exc
    status = response.status_code
    if 400 <= status < 500 and status not in RETRYABLE_4XX:
        raise DeliveryFailure(f"refused by the receiver: HTTP {status}", final=True)
    if not 200 <= status < 300:
        raise DeliveryFailure(f"HTTP {status}")
    return _acknowledgement(response.text, delivery.id, destination.ack_field)


def _acknowledgement(body: str, expected: str, ack_field: str) -> str:
    try:
        answer = json.loads(body)
    except ValueError:
        raise DeliveryFailure("2xx without a JSON acknowledgement") from None
    if not isinstance(answer, dict) or answer.get(ack_field) != expected:
        raise DeliveryFailure(f"2xx whose answer does not echo the delivery id in {ack_field!r}")
    return body[:ACK_TEXT_LIMIT]


def deliver_due(store: OutboxStores, destinations: Mapping[str, Destination],
                secrets: Mapping[str, str], client: httpx.Client, policy: OutboxPolicy,
                now: datetime, rng: random.Random) -> int:
    """One attempt for every pending delivery due at ``now``; how many were tried."""
    due = [d for d in store.deliveries(DeliveryStatus.PENDING) if d.next_attempt_at <= now]
    for delivery in due:
        destination = destinations.get(delivery.destination)
        try:
            if destination is None:
                raise DeliveryFailure(f"destination {delivery.destination!r} is not configured",
                                      final=True)
            refusal = gate_refusal(store, delivery)
            if refusal is not None:
                raise DeliveryFailure(refusal, final=True)
            ack = attempt(client, delivery, destination, secrets)
        except DeliveryFailure as failure:
            retry = None if failure.final else policy.retry_at(delivery.attempts + 1, now, rng)
            _save(store, delivery.failed(failure.reason, now, retry), now)
        else:
            _save(store, delivery.acknowledged(ack, now), now)
    return len(due)


def _save(store: OutboxStore, delivery: Delivery, now: datetime) -> None:
    """Keep the new state; arrival and death are audited in the same transaction."""
    if delivery.status is DeliveryStatus.PENDING:
        store.save_delivery(delivery)
        return
    delivered = delivery.status is DeliveryStatus.DELIVERED
    store.save_delivery(delivery, AuditEvent(
        SYSTEM_ACTOR, "deliver" if delivered else "dead_letter", delivery.id, now,
        {"destination": delivery.destination, "sha256": delivery.sha256,
         "attempts": delivery.attempts, "acknowledgement": delivery.acknowledgement,
         "errors": list(delivery.errors)},
        case_id=",".join(delivery.case_ids), outcome="success" if delivered else "failed",
        justification=delivery.last_error))


def run_outbox(store: OutboxStores, destinations: Mapping[str, Destination],
               secrets: Mapping[str, str], policy: OutboxPolicy, *, once: bool = False,
               client: httpx.Client | None = None, clock: Callable[[], datetime] | None = None,
               sleep: Callable[[float], None] = time.sleep,
               rng: random.Random | None = None) -> OutboxSummary:
    """Deliver until nothing is pending (each delivered or dead), or one pass with ``once``."""
    now = clock or (lambda: datetime.now(UTC))
    chance = rng or random.SystemRandom()
    owned = client is None
    http = client or httpx.Client(timeout=policy.timeout_s, follow_redirects=False)
    try:
        while True:
            deliver_due(store, destinations, secrets, http, policy, now(), chance)
            pending = store.deliveries(DeliveryStatus.PENDING)
            if once or not pending:
                return outbox_summary(store)
            wait = (min(d.next_attempt_at for d in pending) - now()).total_seconds()
            sleep(max(0.0, min(wait, policy.backoff_cap_s)))
    finally:
        if owned:
            http.close()


def retry_dead(store: OutboxStore, delivery_id: str, analyst: str,
               now: datetime | None = None) -> Delivery:
    """Re-queue a dead letter with a fresh set of attempts, audited with the person's name."""
    actor = require_actor(analyst)
    delivery = store.delivery(delivery_id)
    if delivery is None:
        raise KeyError(f"no delivery {delivery_id!r}; 'vigil outbox' lists them")
    if delivery.status is not DeliveryStatus.DEAD:
        raise ValueError(f"delivery {delivery_id!r} is {delivery.status.value}, not dead")
    at = now or datetime.now(UTC)
    again = replace(delivery, status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=at)
    store.save_delivery(again, AuditEvent(
        actor, "retry_delivery", delivery.id, at,
        {"destination": delivery.destination, "last_error": delivery.last_error},
        role="analyst", case_id=",".join(delivery.case_ids)))
    return again
