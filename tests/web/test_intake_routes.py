"""Intake over HTTP: one object, an array or NDJSON; retries are safe; errors name the field."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.web.conftest import KNOWN, Keys, add_known_bank, report, service
from vigil import RecordKind


def test_one_report_is_acknowledged_with_its_id(client: TestClient, keys: Keys) -> None:
    answer = client.post("/v1/reports", json=report(1), headers=keys("acme", "intake"))
    assert answer.status_code == 201, answer.text
    assert answer.json()["records"][0]["id"] == "r1"
    stored = service(client).tenants.get("acme").store.records(RecordKind.REPORT)
    assert [r.report_id for r in stored] == ["r1"]  # type: ignore[attr-defined]


def test_arrays_and_ndjson_are_batches(client: TestClient, keys: Keys) -> None:
    headers = keys("acme", "intake")
    assert client.post("/v1/reports", json=[report(1), report(2)],
                       headers=headers).json()["accepted"] == 2
    lines = "\n".join(json.dumps(report(n)) for n in (3, 4, 5))
    answer = client.post("/v1/reports", content=lines,
                         headers={**headers, "Content-Type": "application/x-ndjson"})
    assert answer.status_code == 201 and answer.json()["accepted"] == 3


def test_a_retry_with_the_idempotency_key_gets_the_first_answer(client: TestClient,
                                                                 keys: Keys) -> None:
    headers = {**keys("acme", "intake"), "Idempotency-Key": "retry-1"}
    first = client.post("/v1/reports", json=report(1), headers=headers)
    again = client.post("/v1/reports", json=report(1), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/v1/reports", json=report(2), headers=headers)
    assert other.status_code == 409
    assert len(service(client).tenants.get("acme").store.records(RecordKind.REPORT)) == 1


def test_validation_errors_are_422_with_field_paths(client: TestClient, keys: Keys) -> None:
    answer = client.post("/v1/reports", json=[report(1), {"report_id": "r2"}],
                         headers=keys("acme", "intake"))
    assert answer.status_code == 422
    locs = [problem["loc"] for problem in answer.json()["detail"]]
    assert [1, "reporter"] in locs
    future = client.post("/v1/reports", json=report(3, reported_at="2026-12-30T00:00:00Z"),
                         headers=keys("acme", "intake"))
    assert future.status_code == 422 and "future" in future.text


def test_bad_json_and_oversized_requests_are_refused(client: TestClient, keys: Keys) -> None:
    headers = keys("acme", "intake")
    bad = client.post("/v1/reports", content=b"{oops", headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body"]
    many = client.post("/v1/reports", json=[report(n) for n in range(51)], headers=headers)
    assert many.status_code == 413
    huge = client.post("/v1/reports", content=b" " * (65 * 1024), headers=headers)
    assert huge.status_code == 413


def test_a_reported_frame_that_matches_is_answered_at_once(client: TestClient,
                                                           keys: Keys) -> None:
    add_known_bank(client, "acme")
    answer = client.post("/v1/reports", json=report(1, frame_pdqs=[KNOWN]),
                         headers=keys("acme", "intake"))
    assert answer.json()["records"][0]["matches"][0]["bank"] == "known"


def test_intake_then_cases(client: TestClient, keys: Keys) -> None:
    add_known_bank(client, "acme")
    client.post("/v1/reports", json=[report(1, frame_pdqs=[KNOWN]), report(2)],
                headers=keys("acme", "intake"))
    service(client).tenants.get("acme").intake.run_now()
    listed = client.get("/v1/cases", headers=keys("acme", "cases:read")).json()
    assert listed["total"] >= 1
    top = listed["cases"][0]
    assert "account:vidchat:host" in top["entities"]
    changed = client.post(f"/v1/cases/{top['id']}/status",
                          json={"status": "confirmed", "note": "called the platform"},
                          headers=keys("acme", "cases:write"))
    assert changed.status_code == 200, changed.text
    shown = client.get(f"/v1/cases/{top['id']}", headers=keys("acme", "cases:read")).json()
    assert shown["status"] == "confirmed"
    assert [h["action"] for h in shown["history"]] == ["set_status", "note"]
