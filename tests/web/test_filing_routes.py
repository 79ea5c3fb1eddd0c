"""Confirm, dismiss and export over HTTP: the human gate, the audited SHA-256, the errors."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import KNOWN, Keys, add_known_bank, report, service

CONFIRM = {"analyst": "Maria Santos", "role": "trust & safety lead",
           "note": "the reports and the bank match agree", "viewed_by_provider": False}
DISMISS = {"analyst": "Maria Santos", "note": "a test account of our own"}


@pytest.fixture
def case_id(client: TestClient, keys: Keys) -> str:
    """A case of tenant ``acme`` with a bank match and reports (so not known-hash only)."""
    add_known_bank(client, "acme")
    client.post("/v1/reports", json=[report(1, frame_pdqs=[KNOWN]), report(2)],
                headers=keys("acme", "intake"))
    intake = service(client).tenants.get("acme")
    intake.intake.run_now()
    return intake.store.cases()[0].id


@pytest.fixture
def writer(keys: Keys) -> dict[str, str]:
    return keys("acme", "cases:write")


def _export(client: TestClient, headers: dict[str, str], case_id: str, fmt: str = "json",
            analyst: str = "Maria Santos") -> httpx.Response:
    return client.post(f"/v1/cases/{case_id}/export", params={"format": fmt},
                       json={"analyst": analyst}, headers=headers)


@pytest.mark.parametrize("fmt", ["json", "stix"])
def test_confirm_then_export_returns_the_document_and_its_sha256(
        client: TestClient, case_id: str, writer: dict[str, str], fmt: str) -> None:
    confirmed = client.post(f"/v1/cases/{case_id}/confirm", json=CONFIRM, headers=writer)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["decision"] == "confirm"
    assert confirmed.json()["actor"] == "Maria Santos"
    answer = _export(client, writer, case_id, fmt)
    assert answer.status_code == 200, answer.text
    body: bytes = answer.content
    sent = answer.headers["X-Vigil-Export-SHA256"]
    assert sent == hashlib.sha256(body).hexdigest()
    media = {"json": "application/json", "stix": "application/stix+json"}[fmt]
    assert answer.headers["content-type"].startswith(media)
    assert case_id in json.dumps(json.loads(body))
    exports = [e.event() for e in service(client).tenants.get("acme").store.custody_entries()
               if e.action == "export"]
    assert [e.details["sha256"] for e in exports] == [sent]
    assert exports[0].actor == "Maria Santos"
    assert exports[0].details["format"] == fmt
    assert exports[0].details["destination"] == "api:acme:acme-test"


def test_export_before_confirmation_is_409_with_the_gates_reason(
        client: TestClient, case_id: str, writer: dict[str, str]) -> None:
    answer = _export(client, writer, case_id)
    assert answer.status_code == 409
    assert "human gate refused" in answer.json()["detail"]
    assert case_id in answer.json()["detail"]
    store = service(client).tenants.get("acme").store
    assert not [e for e in store.custody_entries() if e.action == "export"]


def test_dismiss_then_export_is_409(client: TestClient, case_id: str,
                                    writer: dict[str, str]) -> None:
    assert client.post(f"/v1/cases/{case_id}/confirm", json=CONFIRM,
                       headers=writer).status_code == 200
    dismissed = client.post(f"/v1/cases/{case_id}/dismiss", json=DISMISS, headers=writer)
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json()["decision"] == "dismiss"
    assert dismissed.json()["role"] == "analyst"
    assert _export(client, writer, case_id).status_code == 409


@pytest.mark.parametrize("analyst", ["", "   ", "vigil:flood-check"])
def test_an_anonymous_analyst_is_422_naming_the_field(
        client: TestClient, case_id: str, writer: dict[str, str], analyst: str) -> None:
    for path, body in (("confirm", CONFIRM), ("dismiss", DISMISS), ("export", {})):
        answer = client.post(f"/v1/cases/{case_id}/{path}", json={**body, "analyst": analyst},
                             headers=writer)
        assert answer.status_code == 422, (path, answer.text)
        assert [p["loc"] for p in answer.json()["detail"]] == [["body", "analyst"]]


def test_a_blank_note_or_role_is_422_naming_the_field(
        client: TestClient, case_id: str, writer: dict[str, str]) -> None:
    answer = client.post(f"/v1/cases/{case_id}/confirm", json={**CONFIRM, "role": " ",
                                                                "note": ""}, headers=writer)
    assert answer.status_code == 422
    assert sorted(p["loc"] for p in answer.json()["detail"]) == [["body", "note"],
                                                                  ["body", "role"]]


def test_unknown_case_or_format_is_404(client: TestClient, case_id: str,
                                       writer: dict[str, str]) -> None:
    for path, body in (("confirm", CONFIRM), ("dismiss", DISMISS)):
        answer = client.post(f"/v1/cases/nope/{path}", json=body, headers=writer)
        assert answer.status_code == 404 and "nope" in answer.json()["detail"]
    assert _export(client, writer, "nope").status_code == 404
    client.post(f"/v1/cases/{case_id}/confirm", json=CONFIRM, headers=writer)
    unknown = _export(client, writer, case_id, "fax")
    assert unknown.status_code == 404
    assert "fax" in unknown.json()["detail"]


def test_an_incomplete_cybertip_is_422_listing_the_missing_fields(
        client: TestClient, case_id: str, writer: dict[str, str]) -> None:
    client.post(f"/v1/cases/{case_id}/confirm", json=CONFIRM, headers=writer)
    answer = _export(client, writer, case_id, "cybertip")
    assert answer.status_code == 422, answer.text
    gaps = answer.json()["detail"]
    assert any(g["required"] for g in gaps)
    assert all(g["loc"][0] == case_id and g["loc"][1] and g["msg"] for g in gaps)
    store = service(client).tenants.get("acme").store
    assert not [e for e in store.custody_entries() if e.action == "export"]


def test_a_read_only_key_cannot_export(client: TestClient, case_id: str, keys: Keys,
                                       writer: dict[str, str]) -> None:
    client.post(f"/v1/cases/{case_id}/confirm", json=CONFIRM, headers=writer)
    assert _export(client, keys("acme", "cases:read"), case_id
                   ).status_code == 403
