"""HMA's per-content curation routes and bank deletion, driven as HMA's clients call them.

Requests and the fields read back follow hasher-matcher-actioner's ``blueprints/curation.py``
(facebook/ThreatExchange, folder ``hasher-matcher-actioner/src/OpenMediaMatch``):
``GET /c/bank/<bank>/content/<id>`` (``signal_type`` adds ``signals``),
``PUT /c/bank/<bank>/content/<id>`` with ``disable_until_ts`` (0 disabled, 1 enabled),
``DELETE /c/bank/<bank>/content/<id>`` (``{"deleted": n}``), ``DELETE /c/bank/<bank>``
(``{"message": "Done"}``), and errors as ``{"message": ...}`` (``utils/flask_utils.py``,
``api_error_handler``). vigil's differences (a timed disable is refused, an unknown bank is a 404
on delete too) are asserted as such.
"""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from tests.web.conftest import KNOWN, Keys, service


def _bank_with_entry(client: TestClient, admin: dict[str, str], name: str) -> int:
    assert client.post("/c/banks", json={"name": name}, headers=admin).status_code == 201
    added = client.post(f"/c/bank/{name}/signal", json={"pdq": KNOWN}, headers=admin)
    assert added.status_code == 200
    return int(added.json()["id"])


def _matches(client: TestClient, headers: dict[str, str]) -> dict[str, object]:
    found = client.get("/m/lookup", params={"signal": KNOWN, "signal_type": "pdq"},
                       headers=headers)
    assert found.status_code == 200
    result: dict[str, object] = found.json()
    return result


def test_one_content_entry_is_read_paused_resumed_and_deleted(client: TestClient,
                                                              keys: Keys) -> None:
    admin, lookup = keys("acme", "admin"), keys("acme", "lookup")
    content = _bank_with_entry(client, admin, "SEEN_BANK")
    url = f"/c/bank/SEEN_BANK/content/{content}"
    shown = client.get(url, headers=lookup)
    assert shown.status_code == 200
    assert shown.json() == {"id": content, "bank": "SEEN_BANK", "enabled": True,
                            "original_media_uri": None}
    assert client.get(url, params={"signal_type": "pdq"},
                      headers=lookup).json()["signals"] == {"pdq": KNOWN}
    assert client.get(url, params={"include_signals": "true"},
                      headers=lookup).json()["signals"] == {"pdq": KNOWN}

    paused = client.put(url, json={"disable_until_ts": 0}, headers=admin)
    assert paused.status_code == 200
    assert paused.json()["disable_until_ts"] == 0 and paused.json()["bank"]["name"] == "SEEN_BANK"
    assert client.get(url, headers=lookup).json()["enabled"] is False
    assert "SEEN_BANK" not in _matches(client, lookup)  # a paused entry does not match
    resumed = client.put(url, json={"disable_until_ts": 1}, headers=admin)
    assert resumed.json()["disable_until_ts"] == 1 and "SEEN_BANK" in _matches(client, lookup)

    for refused in ({"disable_until_ts": int(time.time()) + 3600}, {"disable_until_ts": -1},
                    {"disable_until_ts": "soon"}):
        answer = client.put(url, json=refused, headers=admin)
        assert answer.status_code == 400 and answer.json()["message"]

    deleted = client.delete(url, headers=admin)
    assert deleted.status_code == 200 and deleted.json() == {"deleted": 1}
    missing = client.get(url, headers=lookup)
    assert missing.status_code == 404
    assert missing.json()["message"] == f"content '{content}' not found"
    assert client.delete(url, headers=admin).json() == {"deleted": 0}
    assert _matches(client, lookup) == {}
    trail = [(e.action, e.target) for e in
             service(client).tenants.get("acme").store.custody_entries()]
    target = f"SEEN_BANK/pdq:{KNOWN}"
    assert [a for a, t in trail if t == target] == ["pause_entry", "resume_entry",
                                                    "delete_entry"]


def test_a_bank_is_deleted_with_its_hashes(client: TestClient, keys: Keys) -> None:
    admin, lookup = keys("acme", "admin"), keys("acme", "lookup")
    _bank_with_entry(client, admin, "OLD_BANK")
    _bank_with_entry(client, admin, "KEPT_BANK")
    done = client.delete("/c/bank/OLD_BANK", headers=admin)
    assert done.status_code == 200 and done.json() == {"message": "Done"}
    assert [b["name"] for b in client.get("/c/banks", headers=lookup).json()] == ["KEPT_BANK"]
    assert set(_matches(client, lookup)) == {"KEPT_BANK"}
    gone = client.get("/c/bank/OLD_BANK", headers=lookup)
    assert gone.status_code == 404 and gone.json()["message"]
    again = client.delete("/c/bank/OLD_BANK", headers=admin)  # HMA: "Done"; vigil: 404
    assert again.status_code == 404 and again.json()["message"] == "bank 'OLD_BANK' not found"
    store = service(client).tenants.get("acme").store
    assert [e.bank for e in store.bank_entries()] == ["KEPT_BANK"]
    assert [e.action for e in store.custody_entries()].count("delete_bank") == 1


def test_hma_errors_carry_its_message_key(client: TestClient, keys: Keys) -> None:
    lookup = keys("acme", "lookup")
    bad = client.get("/m/lookup", params={"signal": "nothex", "signal_type": "pdq"},
                     headers=lookup)
    assert bad.status_code == 400 and bad.json()["message"] == bad.json()["detail"]
    unknown = client.get("/c/bank/NOPE/content/1", headers=lookup)
    assert unknown.status_code == 404 and unknown.json()["message"] == "bank 'NOPE' not found"
    assert "message" not in client.get("/v1/cases/nope", headers=keys(
        "acme", "cases:read")).json()  # vigil's own routes keep their shape
