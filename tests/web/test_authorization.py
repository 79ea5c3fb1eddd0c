"""The authorisation matrix: every route x every scope x own/other tenant, zero unexpected 2xx.

Tenant ``alpha`` owns a bank and a case; ``beta`` holds keys of every scope. A key reaches a
route only with the route's scope, and an object of another tenant is not there (404).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import KNOWN, Keys, add_known_bank, report, service
from vigil import RecordKind, Scope, Settings, create_key
from vigil.testing.pictures import draw_picture
from vigil.web.app import create_app
from vigil.web.policy import PUBLIC_ROUTES, ROUTE_SCOPES

OTHER_HASH = "0" * 16 + "f" * 48


@pytest.fixture
def settings() -> Settings:
    return Settings(database_url="memory://", media_index="brute")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, background=False),
                    raise_server_exceptions=False) as test_client:
        yield test_client


def _png() -> bytes:
    buffer = io.BytesIO()
    draw_picture(3).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()
Send = Callable[[TestClient, dict[str, str], int, str], Any]


def _requests() -> dict[tuple[str, str], Send]:
    """A valid request for every route; ``n`` keeps created things unique, ``case`` is alpha's."""
    message = {"conversation_id": "vidchat:c1", "sender": "vidchat:host",
               "recipient": "vidchat:viewer1", "sent_at": "2026-11-29T09:00:00Z", "text": "hi"}
    payment = {"sender": "gcash:1", "beneficiary": "gcash:2", "amount": 10, "currency": "USD",
               "amount_usd": 10, "sender_country": "US", "beneficiary_country": "PH",
               "sent_at": "2026-11-29T09:00:00Z"}
    observation = {"account": "vidchat:host", "pdq": KNOWN, "observed_at": "2026-11-29T09:00:00Z"}
    decision = {"analyst": "Maria Santos", "note": "checked against the reports"}
    return {
        ("POST", "/v1/reports"): lambda c, h, n, _: c.post(
            "/v1/reports", json=report(1000 + n), headers=h),
        ("POST", "/v1/messages"): lambda c, h, n, _: c.post(
            "/v1/messages", json={**message, "message_id": f"m{n}"}, headers=h),
        ("POST", "/v1/payments"): lambda c, h, n, _: c.post(
            "/v1/payments", json={**payment, "txn_id": f"t{n}"}, headers=h),
        ("POST", "/v1/media/observations"): lambda c, h, n, _: c.post(
            "/v1/media/observations", json={**observation, "observation_id": f"o{n}"},
            headers=h),
        ("POST", "/v1/media/hash"): lambda c, h, n, _: c.post(
            "/v1/media/hash", content=PNG, headers=h),
        ("POST", "/h/hash"): lambda c, h, n, _: c.post(
            "/h/hash", files={"file": ("x.png", PNG, "image/png")}, headers=h),
        ("GET", "/m/raw_lookup"): lambda c, h, n, _: c.get(
            "/m/raw_lookup", params={"signal_type": "pdq", "signal": KNOWN}, headers=h),
        ("GET", "/m/lookup"): lambda c, h, n, _: c.get(
            "/m/lookup", params={"signal_type": "pdq", "signal": KNOWN}, headers=h),
        ("POST", "/m/lookup"): lambda c, h, n, _: c.post(
            "/m/lookup", files={"file": ("x.png", PNG, "image/png")}, headers=h),
        ("POST", "/m/compare"): lambda c, h, n, _: c.post(
            "/m/compare", json={"pdq": [KNOWN, OTHER_HASH]}, headers=h),
        ("GET", "/m/index/status"): lambda c, h, n, _: c.get("/m/index/status", headers=h),
        ("GET", "/c/banks"): lambda c, h, n, _: c.get("/c/banks", headers=h),
        ("GET", "/c/bank/{bank_name}"): lambda c, h, n, _: c.get("/c/bank/known", headers=h),
        ("POST", "/c/banks"): lambda c, h, n, _: c.post(
            "/c/banks", json={"name": f"BANK_{n}"}, headers=h),
        ("PUT", "/c/bank/{bank_name}"): lambda c, h, n, _: c.put(
            "/c/bank/known", json={"enabled": True}, headers=h),
        ("POST", "/c/bank/{bank_name}/signal"): lambda c, h, n, _: c.post(
            "/c/bank/known/signal", json={"pdq": OTHER_HASH}, headers=h),
        ("GET", "/v1/cases"): lambda c, h, n, _: c.get("/v1/cases", headers=h),
        ("GET", "/v1/cases/{case_id}"): lambda c, h, n, case: c.get(
            f"/v1/cases/{case}", headers=h),
        ("POST", "/v1/cases/{case_id}/status"): lambda c, h, n, case: c.post(
            f"/v1/cases/{case}/status", json={"status": "in_review"}, headers=h),
        # confirm before export before dismiss: alpha's export with cases:write is a 2xx
        ("POST", "/v1/cases/{case_id}/confirm"): lambda c, h, n, case: c.post(
            f"/v1/cases/{case}/confirm", json={**decision, "role": "analyst"}, headers=h),
        ("POST", "/v1/cases/{case_id}/export"): lambda c, h, n, case: c.post(
            f"/v1/cases/{case}/export", params={"format": "json"},
            json={"analyst": "Maria Santos"}, headers=h),
        ("POST", "/v1/cases/{case_id}/dismiss"): lambda c, h, n, case: c.post(
            f"/v1/cases/{case}/dismiss", json=decision, headers=h),
    }


REQUESTS = _requests()
OBJECT_ROUTES = {route for route in ROUTE_SCOPES if "{" in route[1]}


def expected(route: tuple[str, str], scope: Scope, own: bool) -> str:
    if scope is not ROUTE_SCOPES[route]:
        return "403"
    if not own and route in OBJECT_ROUTES:
        return "404"
    return "2xx"


def test_every_route_is_in_the_policy_and_the_matrix(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    routes = {(method.upper(), path) for path, methods in paths.items() for method in methods}
    assert routes - PUBLIC_ROUTES == set(ROUTE_SCOPES) == set(REQUESTS)


def test_the_authorisation_matrix(client: TestClient, keys: Keys) -> None:
    add_known_bank(client, "alpha")
    alpha = service(client).tenants.get("alpha")
    client.post("/v1/reports", json=report(1, frame_pdqs=[KNOWN]), headers=keys("alpha", "intake"))
    alpha.intake.run_now()
    case = alpha.store.cases()[0].id
    unexpected: list[str] = []
    n = 0
    for route, send in REQUESTS.items():
        for scope in Scope:
            for own in (True, False):
                n += 1
                headers = keys("alpha" if own else "beta", scope.value)
                status = send(client, headers, n, case).status_code
                got = "2xx" if 200 <= status < 300 else str(status)
                if got != expected(route, scope, own):
                    unexpected.append(f"{route} {scope.value} own={own}: {status}")
    assert not unexpected, unexpected
    assert [r.report_id for r in alpha.store.records(RecordKind.REPORT)  # type: ignore[attr-defined]
            ] == ["r1", *(f"r{1000 + i}" for i in _own_intake_numbers())]
    beta = service(client).tenants.get("beta")
    assert "known" not in {b.name for b in beta.store.banks()}
    assert beta.store.cases() == []


def _own_intake_numbers() -> list[int]:
    """The request numbers the matrix gave alpha's intake-scoped report requests."""
    numbers, n = [], 0
    for route in REQUESTS:
        for scope in Scope:
            for own in (True, False):
                n += 1
                if route == ("POST", "/v1/reports") and own and scope is Scope.INTAKE:
                    numbers.append(n)
    return numbers


@pytest.mark.parametrize("route", sorted(ROUTE_SCOPES))
def test_no_key_or_a_bad_key_is_401(client: TestClient, route: tuple[str, str]) -> None:
    for headers in ({}, {"Authorization": "Bearer vgl_0000_nope"}, {"X-API-Key": "junk"}):
        assert REQUESTS[route](client, headers, 0, "case").status_code == 401


def test_a_revoked_key_is_refused_at_once(client: TestClient, keys: Keys) -> None:
    headers = keys("alpha", "cases:read")
    assert client.get("/v1/cases", headers=headers).status_code == 200
    state = service(client)
    key_id = headers["Authorization"].split("_")[1]
    assert state.keys.revoke_key(key_id)
    assert client.get("/v1/cases", headers=headers).status_code == 401


def test_a_key_past_its_rate_gets_429_with_retry_after(client: TestClient) -> None:
    _key, token = create_key(service(client).keys, "alpha", [Scope.CASES_READ],
                             rate_per_s=0.01, burst=2)
    headers = {"Authorization": f"Bearer {token}"}
    statuses = [client.get("/v1/cases", headers=headers) for _ in range(3)]
    assert [s.status_code for s in statuses] == [200, 200, 429]
    assert int(statuses[2].headers["Retry-After"]) > 1
    other = keys_for(client, "alpha", Scope.CASES_READ)
    assert client.get("/v1/cases", headers=other).status_code == 200  # buckets are per key


def keys_for(client: TestClient, tenant: str, scope: Scope) -> dict[str, str]:
    _key, token = create_key(service(client).keys, tenant, [scope])
    return {"Authorization": f"Bearer {token}"}
