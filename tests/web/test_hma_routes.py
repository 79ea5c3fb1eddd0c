"""HMA-compatible routes, called as HMA's clients call them (paths, parameters, JSON shapes)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import KNOWN, Keys, add_known_bank

NEAR = "e" + KNOWN[1:]  # one bit from KNOWN (f=1111, e=1110)
FAR = "0" * 16 + "f" * 48


def test_matching_routes(client: TestClient, keys: Keys) -> None:
    add_known_bank(client, "acme")
    headers = keys("acme", "lookup")
    raw = client.get("/m/raw_lookup", params={"signal_type": "pdq", "signal": NEAR},
                     headers=headers).json()
    assert len(raw["matches"]) == 1 and isinstance(raw["matches"][0], int)
    with_distance = client.get("/m/raw_lookup", params={
        "signal_type": "pdq", "signal": NEAR, "include_distance": "true"}, headers=headers)
    assert with_distance.json()["matches"] == [{"bank_content_id": raw["matches"][0],
                                                "distance": "1"}]
    assert client.get("/m/lookup", params={"signal_type": "pdq", "signal": NEAR},
                      headers=headers).json() == {
        "known": [{"bank_content_id": raw["matches"][0], "distance": "1"}]}
    assert client.get("/m/lookup", params={"signal_type": "pdq", "signal": FAR},
                      headers=headers).json() == {}
    status = client.get("/m/index/status", headers=headers).json()
    assert status["pdq"]["present"] and status["pdq"]["size"] == 1
    compared = client.post("/m/compare", json={"pdq": [KNOWN, NEAR]}, headers=headers).json()
    assert compared == {"pdq": [True, {"distance": 1}]}


def test_bad_signals_are_400(client: TestClient, keys: Keys) -> None:
    headers = keys("acme", "lookup")
    assert client.get("/m/lookup", params={"signal_type": "tmk", "signal": "x"},
                      headers=headers).status_code == 400
    assert client.get("/m/raw_lookup", params={"signal_type": "pdq", "signal": "zz"},
                      headers=headers).status_code == 400
    assert client.get("/m/raw_lookup", params={"signal_type": "pdq"},
                      headers=headers).status_code == 422  # as HMA's query model answers


def test_curation_routes(client: TestClient, keys: Keys) -> None:
    admin, lookup = keys("acme", "admin"), keys("acme", "lookup")
    created = client.post("/c/banks", json={"name": "SEEN_BEFORE"}, headers=admin)
    assert created.status_code == 201
    assert created.json()["matching_enabled_ratio"] == 1.0
    assert client.post("/c/banks", json={"name": "SEEN_BEFORE"},
                       headers=admin).status_code == 403
    added = client.post("/c/bank/SEEN_BEFORE/signal", json={"pdq": KNOWN}, headers=admin).json()
    assert added["signals"] == {"pdq": KNOWN} and isinstance(added["id"], int)
    assert list(client.get("/m/lookup", params={"signal_type": "pdq", "signal": KNOWN},
                           headers=lookup).json()) == ["SEEN_BEFORE"]
    paused = client.put("/c/bank/SEEN_BEFORE", json={"enabled": False}, headers=admin).json()
    assert paused["matching_enabled_ratio"] == 0.0
    assert client.get("/m/lookup", params={"signal_type": "pdq", "signal": KNOWN},
                      headers=lookup).json() == {}
    assert [b["name"] for b in client.get("/c/banks", headers=lookup).json()] == ["SEEN_BEFORE"]
    assert client.get("/c/bank/NOPE", headers=lookup).status_code == 404
