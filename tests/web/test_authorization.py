"""The authorisation matrix: every route x every scope x own/other tenant, zero unexpected 2xx.

Tenant ``alpha`` owns a bank and a case; ``beta`` holds keys of every scope. A key reaches a
route only with the route's scope, and an object of another tenant is not there (404); no answer
to ``beta``, on any route and with any scope, names anything of ``alpha``'s records. Every record
taken in carries the tenant of the key that sent it, never one named in the body.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import KNOWN, Keys, add_known_bank, report, service
from vigil import BankEntry, BankInfo, RecordKind, Scope, Settings, create_key
from vigil.hma import content_id
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
        ("POST", "/c/bank/{bank_name}/content"): lambda c, h, n, _: c.post(
            "/c/bank/known/content", files={"photo": ("x.png", PNG, "image/png")}, headers=h),
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
        ("GET", "/c/bank/{bank_name}/content/{content_id}"): lambda c, h, n, _: c.get(
            f"/c/bank/known/content/{KNOWN_ID}", headers=h),
        ("PUT", "/c/bank/{bank_name}/content/{content_id}"): lambda c, h, n, _: c.put(
            f"/c/bank/known/content/{KNOWN_ID}", json={"disable_until_ts": 1}, headers=h),
        ("DELETE", "/c/bank/{bank_name}/content/{content_id}"): _delete_content,
        ("DELETE", "/c/bank/{bank_name}"): _delete_bank,
    }


KNOWN_ID = content_id(BankEntry("known", KNOWN, "pdq"))


def _delete_content(client: TestClient, headers: dict[str, str], n: int, _case: str) -> Any:
    """An entry of alpha's ``known`` bank made for this request, deleted by its content id."""
    entry = BankEntry("known", f"{n:064x}", "pdq")
    with suppress(KeyError):  # no bank yet (the 401 test)
        service(client).tenants.get("alpha").store.add_bank_entries([entry])
    return client.delete(f"/c/bank/known/content/{content_id(entry)}", headers=headers)


def _delete_bank(client: TestClient, headers: dict[str, str], n: int, _case: str) -> Any:
    """A bank of alpha's made for this request, then deleted."""
    service(client).tenants.get("alpha").store.add_bank(BankInfo(f"GONE_{n}"))
    return client.delete(f"/c/bank/GONE_{n}", headers=headers)


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


ALPHA_MARKS = ("alpha", "vidchat:alphawitness", "r1-alpha-only")
"""What only alpha's records and keys hold; no answer to a beta key may contain any of them."""


def test_the_authorisation_matrix(client: TestClient, keys: Keys) -> None:
    add_known_bank(client, "alpha")
    alpha = service(client).tenants.get("alpha")
    client.post("/v1/reports", headers=keys("alpha", "intake"), json=report(
        1, frame_pdqs=[KNOWN], reporter="vidchat:alphawitness", session_id="r1-alpha-only"))
    alpha.intake.run_now()
    case = alpha.store.cases()[0].id
    unexpected: list[str] = []
    leaks: list[str] = []
    n = 0
    for route, send in REQUESTS.items():
        for scope in Scope:
            for own in (True, False):
                n += 1
                headers = keys("alpha" if own else "beta", scope.value)
                answer = send(client, headers, n, case)
                status = answer.status_code
                got = "2xx" if 200 <= status < 300 else str(status)
                if got != expected(route, scope, own):
                    unexpected.append(f"{route} {scope.value} own={own}: {status}")
                if not own and any(mark in answer.text for mark in ALPHA_MARKS):
                    leaks.append(f"{route} {scope.value}: {answer.text[:200]}")
    assert not unexpected, unexpected
    assert not leaks, leaks
    assert [r.report_id for r in alpha.store.records(RecordKind.REPORT)  # type: ignore[attr-defined]
            ] == ["r1", *(f"r{1000 + i}" for i in _own_intake_numbers())]
    beta = service(client).tenants.get("beta")
    assert "known" not in {b.name for b in beta.store.banks()}
    assert beta.store.cases() == []
    for kind in RecordKind:
        for name, tenant in (("alpha", alpha), ("beta", beta)):
            assert {r.tenant for r in tenant.store.records(kind)} <= {name}


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


def test_records_carry_the_key_tenant_read_back_from_sql(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'vigil.db'}", media_index="brute")
    with TestClient(create_app(settings, background=False)) as client:
        headers = keys_for(client, "alpha", Scope.INTAKE)
        answer = client.post("/v1/reports", json=[report(1), report(2)], headers=headers)
        assert answer.status_code == 201 and answer.json()["tenant"] == "alpha"
        stored = service(client).tenants.get("alpha").store.records(RecordKind.REPORT)
        assert [(r.tenant, r.report_id) for r in stored] == [  # type: ignore[attr-defined]
            ("alpha", "r1"), ("alpha", "r2")]
        assert stored[0].content_hash() == answer.json()["records"][0]["record_hash"]


@pytest.mark.parametrize("named", ["beta", "alpha"])
def test_a_body_naming_a_tenant_is_refused(client: TestClient, named: str) -> None:
    """The stamp comes from the key only; naming any tenant, even the key's own, is a 422."""
    headers = keys_for(client, "alpha", Scope.INTAKE)
    refused = client.post("/v1/reports", json=[report(1), report(2, tenant=named)],
                          headers=headers)
    assert refused.status_code == 422
    assert [p["loc"] for p in refused.json()["detail"]] == [[1, "tenant"]]
    assert service(client).tenants.get("alpha").store.records(RecordKind.REPORT) == []


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
