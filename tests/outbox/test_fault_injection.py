"""The outbox against a fault-injecting receiver on 127.0.0.1: exactly once, nothing dropped."""

from __future__ import annotations

import random
import socket
from contextlib import closing

from tests.outbox.fault_server import FAULTS, fault_server, seeded_plan
from tests.outbox.helpers import cases, destination, queue
from vigil.outbox.destinations import DestinationKind
from vigil.outbox.model import DeliveryStatus
from vigil.outbox.worker import OutboxPolicy, outbox_summary, run_outbox
from vigil.store.interfaces import Store
from vigil.store.open import open_store

POLICY = OutboxPolicy(max_attempts=6, backoff_base_s=0.001, backoff_cap_s=0.01, timeout_s=0.25)


def closed_port_url() -> str:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/nobody"


def test_every_confirmed_case_is_delivered_once_or_dead_with_a_reason(store: Store) -> None:
    # Half the answers are good; the rest are every fault, so most deliveries need retries.
    weighted = ("ok",) * (len(FAULTS) - 1) + FAULTS[1:]
    with fault_server(seeded_plan(7, weighted), slow_s=0.5) as (url, receiver):
        flaky = destination("partner", url)
        nobody = destination("clearing-house", closed_port_url(), DestinationKind.CLEARING_HOUSE)
        sent = queue(store, cases(12, "p"), flaky)
        lost = queue(store, cases(2, "q"), nobody)
        result = run_outbox(store, {d.name: d for d in (flaky, nobody)}, {}, POLICY,
                            rng=random.Random(1))
    final = {d.id: d for d in store.deliveries()}
    assert result == outbox_summary(store) and result.pending == 0
    delivered = [final[d.id] for d in sent if final[d.id].status is DeliveryStatus.DELIVERED]
    dead = [d for d in final.values() if d.status is DeliveryStatus.DEAD]
    assert len(delivered) + len(dead) == 14  # none silently dropped
    assert all(d.last_error and len(d.errors) == d.attempts for d in dead)
    assert {d.id for d in lost} <= {d.id for d in dead}
    assert all("ConnectError" in final[d.id].last_error for d in lost)
    assert all(final[d.id].attempts == POLICY.max_attempts for d in lost)
    # Exactly once: the receiver filed each delivered case, and no key outside the outbox.
    assert set(receiver.filings) <= {d.id for d in sent}
    assert all(receiver.filings[d.id] == 1 for d in delivered)
    assert all(d.acknowledgement for d in delivered)
    # Faults really happened: some key was sent again after the receiver had filed it.
    assert any(receiver.requests[d.id] > 1 for d in delivered)
    assert result.line() == (f"delivered={len(delivered)} duplicated=0 "
                             f"dead_letter={len(dead)} pending=0")
    outcomes = [(e.action, e.outcome) for e in store.audit_events()
                if e.action in ("deliver", "dead_letter")]
    assert sorted(outcomes) == sorted([("deliver", "success")] * len(delivered)
                                      + [("dead_letter", "failed")] * len(dead))


def test_each_attempt_carries_the_delivery_id_as_idempotency_key_and_the_secret() -> None:
    store = open_store("memory://")
    with fault_server(seeded_plan(3, ("error", "ok"))) as (url, receiver):
        to = destination("partner", url, secret="partner-token")
        sent = queue(store, cases(3), to)
        run_outbox(store, {to.name: to}, {"partner-token": "Bearer t0k"}, POLICY,
                   rng=random.Random(2))
    keys = {h["Idempotency-Key"] for h in receiver.headers}
    assert keys == {d.id for d in sent}
    assert {h["Authorization"] for h in receiver.headers} == {"Bearer t0k"}
    assert outbox_summary(store).delivered == 3
