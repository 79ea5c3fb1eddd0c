"""No stack trace, SQL or file path in any answer; health and readiness."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import Keys, add_known_bank, report, service
from vigil import StoreError

LEAKS = ("Traceback", "SELECT", "/work/", "/tmp/", ".py", "secret-host")


def _leaks(text: str) -> list[str]:
    return [leak for leak in LEAKS if leak in text]


@pytest.mark.parametrize(("error", "status"), [
    (RuntimeError("SELECT * FROM records -- /work/x.py secret-host"), 500),
    (StoreError("cannot reach secret-host: SELECT 1 at /tmp/db"), 503),
])
def test_unexpected_errors_say_nothing_inside(client: TestClient, keys: Keys,
                                              monkeypatch: pytest.MonkeyPatch,
                                              error: Exception, status: int) -> None:
    headers = keys("acme", "intake")
    intake = service(client).tenants.get("acme").intake

    async def fail(*_args: object) -> None:
        raise error

    monkeypatch.setattr(intake, "accept_async", fail)  # what the intake routes call
    answer = client.post("/v1/reports", json=report(1), headers={**headers,
                                                                 "X-Request-ID": "abc123"})
    assert answer.status_code == status
    assert not _leaks(answer.text), answer.text
    assert answer.json()["request_id"] == "abc123" == answer.headers["X-Request-ID"]


def test_validation_answers_name_fields_not_internals(client: TestClient, keys: Keys) -> None:
    answer = client.post("/v1/cases/x/status", json={"status": "bogus"},
                         headers=keys("acme", "cases:write"))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "status"]
    assert not _leaks(answer.text)


def test_health_and_readiness(client: TestClient, keys: Keys) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    bare = client.get("/readyz").json()
    assert bare == {"store_reachable": True, "ready": True}
    add_known_bank(client, "acme")
    ready = client.get("/readyz", headers=keys("acme", "lookup")).json()
    tenant = ready["tenant"]
    assert tenant["index_loaded"] and tenant["index_size"] == 1
    assert tenant["banks"][0]["name"] == "known"
    assert tenant["banks"][0]["entries_in_index"] == 1
    assert tenant["banks"][0]["index_age_s"] >= 0


def test_a_wrong_method_lists_every_method_of_the_path(client: TestClient, keys: Keys) -> None:
    answer = client.delete("/c/banks", headers=keys("acme", "admin"))
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "GET, POST"
    assert client.patch("/m/lookup").headers["Allow"] == "GET, POST"
