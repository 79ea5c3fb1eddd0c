"""The outbox's rules: only what the gate lets out, atomic with its audit event, acknowledged
only when the receiver echoes the id, dead letters with reasons, retries by a named person."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.outbox.helpers import NOW, cases, destination, queue
from vigil.confirmation import confirm_case, dismiss_case
from vigil.exporters.export import export_cases
from vigil.exporters.json_cases import JsonCasesExporter
from vigil.gate import OutboundRefusedError
from vigil.outbox.destinations import (
    DestinationError,
    DestinationKind,
    load_destinations,
    load_secrets,
)
from vigil.outbox.enqueue import enqueue_export
from vigil.outbox.model import DeliveryStatus
from vigil.outbox.worker import OutboxPolicy, deliver_due, retry_dead
from vigil.retention.holds import preservation_holds
from vigil.review import AnonymousActorError
from vigil.store.interfaces import Store
from vigil.store.open import open_store

POLICY = OutboxPolicy(max_attempts=3, backoff_base_s=1.0, backoff_cap_s=4.0, timeout_s=1.0)
URL = "https://partner.invalid/reports"


def answering(status: int, body: object) -> httpx.Client:
    text = body if isinstance(body, str) else json.dumps(body)
    return httpx.Client(transport=httpx.MockTransport(lambda _r: httpx.Response(status,
                                                                                 text=text)))


def echoing() -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"delivery_id": request.headers["Idempotency-Key"]})
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_an_unconfirmed_case_is_never_queued(store: Store) -> None:
    chosen = cases(1)
    store.replace_cases(chosen)
    events = len(store.audit_events())
    with pytest.raises(OutboundRefusedError):
        queue(store, chosen, destination("partner", URL), confirm=False)
    assert store.deliveries() == [] and len(store.audit_events()) == events


def test_the_gate_is_asked_again_when_queueing() -> None:
    """A case dismissed after its export was rendered is refused by the outbox itself."""
    store = open_store("memory://")
    (case,) = cases(1)
    store.replace_cases([case])

    confirm_case(store, store, case.id, actor="C. Lead", role="lead", note="checked")
    export = export_cases(store, store, [case.id], JsonCasesExporter, "A. Analyst")
    dismiss_case(store, store, case.id, actor="C. Lead", role="lead", note="a false alarm")
    with pytest.raises(OutboundRefusedError, match="dismissed"):
        enqueue_export(store, export, destination("p", URL), "A. Analyst", format_name="json")
    assert store.deliveries() == []


def test_queueing_is_atomic_audited_and_once_per_export(store: Store) -> None:
    to = destination("partner", URL)
    (delivery,) = queue(store, cases(1), to)
    event = store.audit_events()[-1]
    assert (event.action, event.target, event.actor) == ("enqueue_delivery", delivery.id,
                                                         "A. Analyst")
    assert event.details["sha256"] == delivery.sha256 and store.delivery(delivery.id) == delivery
    export = export_cases(store, store, list(delivery.case_ids), JsonCasesExporter, "A. Analyst")
    events = len(store.audit_events())
    twin = type(export)(delivery.payload, export.media_type, export.cases, delivery.sha256)
    with pytest.raises(ValueError, match="already in the outbox"):
        enqueue_export(store, twin, to, "A. Analyst", format_name="json")
    assert len(store.audit_events()) == events and len(store.deliveries()) == 1
    with pytest.raises(ValueError, match="takes 'json'"):
        enqueue_export(store, export, to, "A. Analyst", format_name="csv")
    with pytest.raises(AnonymousActorError):
        enqueue_export(store, export, to, "vigil:bot", format_name="json")


def test_a_2xx_without_the_echoed_id_is_not_an_acknowledgement() -> None:
    store = open_store("memory://")
    to = destination("partner", URL)
    (delivery,) = queue(store, cases(1), to)
    rng, now = random.Random(0), NOW
    for body in ({"ok": True}, "<html>gateway</html>", POLICY):
        client = answering(200, body if body is not POLICY else {"delivery_id": "other"})
        assert deliver_due(store, {to.name: to}, {}, client, POLICY, now, rng) == 1
        now += timedelta(seconds=POLICY.backoff_cap_s)
    final = store.delivery(delivery.id)
    assert final is not None and final.status is DeliveryStatus.DEAD
    assert final.attempts == 3 and "does not echo" in final.last_error
    assert "JSON" in final.errors[1]
    assert store.audit_events()[-1].action == "dead_letter"


def test_a_4xx_is_final_and_a_person_can_queue_it_again(store: Store) -> None:
    to = destination("partner", URL)
    (delivery,) = queue(store, cases(1), to)
    deliver_due(store, {to.name: to}, {}, answering(401, "no"), POLICY, NOW, random.Random(0))
    dead = store.delivery(delivery.id)
    assert dead is not None and dead.status is DeliveryStatus.DEAD and dead.attempts == 1
    assert dead.last_error == "refused by the receiver: HTTP 401"
    with pytest.raises(AnonymousActorError):
        retry_dead(store, delivery.id, " ")
    again = retry_dead(store, delivery.id, "A. Analyst", now=NOW)
    assert again.status is DeliveryStatus.PENDING and again.attempts == 0
    assert store.audit_events()[-1].action == "retry_delivery"
    with pytest.raises(ValueError, match="pending, not dead"):
        retry_dead(store, delivery.id, "A. Analyst")
    deliver_due(store, {to.name: to}, {}, echoing(), POLICY, NOW, random.Random(0))
    done = store.delivery(delivery.id)
    assert done is not None and done.status is DeliveryStatus.DELIVERED
    assert done.errors == (dead.last_error,)


def test_an_unknown_destination_or_secret_is_a_dead_letter_with_its_reason() -> None:
    store = open_store("memory://")
    to = destination("partner", URL, secret="token")
    first, second = queue(store, cases(2), to)
    deliver_due(store, {}, {}, echoing(), POLICY, NOW, random.Random(0))
    reasons = {d.last_error for d in store.deliveries()}
    assert reasons == {"destination 'partner' is not configured"}
    for d in (first, second):
        retry_dead(store, d.id, "A. Analyst", now=NOW)
    deliver_due(store, {to.name: to}, {}, echoing(), POLICY, NOW, random.Random(0))
    assert {d.last_error for d in store.deliveries()} == {
        "secret 'token' is not in the secrets file"}


def test_backoff_is_exponential_jittered_capped_and_ends() -> None:
    rng = random.Random(5)
    wide = OutboxPolicy(max_attempts=20, backoff_base_s=1.0, backoff_cap_s=4.0)
    for attempts, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (12, 4.0)):
        waits = [(wide.retry_at(attempts, NOW, rng) or NOW) - NOW for _ in range(200)]
        assert all(timedelta(0) <= w <= timedelta(seconds=ceiling) for w in waits)
        assert max(waits) > timedelta(seconds=ceiling * 0.8)  # jitter spreads over the range
        assert min(waits) < timedelta(seconds=ceiling * 0.2)
    assert POLICY.retry_at(2, NOW, rng) is not None
    assert POLICY.retry_at(3, NOW, rng) is None


def test_destination_files_name_the_bad_field(tmp_path: Path) -> None:
    path = tmp_path / "destinations.yaml"
    path.write_text("destinations:\n  - {name: ncmec, kind: clearing_house, "
                    "url: 'https://report.invalid/submit', format: cybertip, "
                    "auth_secret: ncmec}\n")
    (ncmec,) = load_destinations(path).values()
    assert (ncmec.kind.value, ncmec.auth_header, ncmec.ack_field) == (
        "clearing_house", "Authorization", "delivery_id")
    for text, problem in (("destinations: 3", "a list"),
                          ("destinations: [{name: a, kind: fax, url: 'https://x', format: json}]",
                           "'kind' must be one of"),
                          ("destinations: [{name: a, kind: misp, url: ftp://x, format: json}]",
                           r"http\(s\) URL"),
                          ("destinations: [{name: a, kind: misp, format: json}]", "'url'"),
                          ("destinations: [{name: a, kind: misp, url: 'https://x', format: json,"
                           " token: s}]", r"unknown field\(s\) token")):
        path.write_text(text)
        with pytest.raises(DestinationError, match=problem) as caught:
            load_destinations(path)
        assert str(path) in str(caught.value)
    secrets = tmp_path / "secrets.json"
    secrets.write_text('{"ncmec": "Bearer abc"}')
    assert load_secrets(secrets) == {"ncmec": "Bearer abc"}
    secrets.write_text('["Bearer abc"]')
    with pytest.raises(DestinationError, match="JSON object"):
        load_secrets(secrets)


def test_a_failed_audit_append_leaves_no_delivery(store: Store,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The row and its audit event share one transaction: if the append fails, neither stays."""
    (case,) = cases(1)
    store.replace_cases([case])
    confirm_case(store, store, case.id, actor="C. Lead", role="lead", note="checked")
    export = export_cases(store, store, [case.id], JsonCasesExporter, "A. Analyst")
    events = len(store.audit_events())

    def broken(*_args: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_append_in" if hasattr(store, "_append_in")
                        else "_append_locked", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        enqueue_export(store, export, destination("p", URL), "A. Analyst", format_name="json")
    monkeypatch.undo()
    assert len(store.audit_events()) == events
    assert store.deliveries() == [], "a delivery without its audit event was left"


def test_a_delivery_to_the_clearing_house_starts_a_one_year_hold() -> None:
    store = open_store("memory://")
    partner = destination("partner", URL)
    house = destination("house", URL, DestinationKind.CLEARING_HOUSE)
    (to_partner,) = queue(store, cases(1, "a"), partner)
    (to_house,) = queue(store, cases(1, "b"), house)
    deliver_due(store, {d.name: d for d in (partner, house)}, {}, echoing(), POLICY, NOW,
                random.Random(0))
    holds = preservation_holds(store.audit_events())
    assert set(holds) == set(to_house.case_ids)
    (hold,) = holds.values()
    assert hold.until == NOW.replace(year=2027) and "clearing house" in hold.basis
    assert not set(to_partner.case_ids) & set(holds)


def test_a_case_dismissed_after_queueing_never_leaves(store: Store) -> None:
    to = destination("partner", URL)
    first, second = queue(store, cases(2), to)
    (dismissed,) = first.case_ids
    dismiss_case(store, store, dismissed, actor="C. Lead", role="lead", note="a refund")
    deliver_due(store, {to.name: to}, {}, echoing(), POLICY, NOW, random.Random(0))
    gone, sent = store.delivery(first.id), store.delivery(second.id)
    assert gone is not None and gone.status is DeliveryStatus.DEAD and gone.attempts == 1
    assert "human gate now refuses" in gone.last_error and "dismissed" in gone.last_error
    assert sent is not None and sent.status is DeliveryStatus.DELIVERED
