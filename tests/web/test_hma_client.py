"""vigil driven the way HMA's own clients call HMA: the same requests, the same answers read back.

No HMA client library exists on PyPI (OpenMediaMatch is not published there, and the
``threatexchange`` package has no client for HMA's HTTP API), so these tests replay, request by
request, what HMA's own callers send and what they read from the answer, as found in
facebook/ThreatExchange at commit baefb4ed67b6cdc1d4c82dbaef858d50866ac424 (2026-07-17), folder
``hasher-matcher-actioner/src/OpenMediaMatch``:

- ``tests/utils.py`` (``create_bank``), ``tests/test_api_banks.py`` (bank list, create, update),
  ``tests/test_match_api.py`` (``/m/raw_lookup`` and ``/m/lookup``, with and without the
  ``banks`` filter), ``tests/test_api.py`` (``/m/compare`` and its malformed inputs, ``POST
  /m/lookup`` with ``photo`` and ``video`` form fields);
- the browser client of HMA's own UI: ``static/js/match_dbg.js`` (``POST /h/hash`` with the file
  in a ``photo`` field, then ``POST /m/compare`` over the signal types both answers share, read
  as ``[isMatch, details]``) and ``static/js/bank-management.js`` (``POST /c/bank/<name>/signal``
  with ``{signal_type: hash, "note": ...}``, ``POST /c/bank/<name>/content`` with the file under
  its content type's name);
- the routes' own declarations in ``blueprints/matching.py``, ``blueprints/curation.py``,
  ``blueprints/hashing.py`` and ``schemas/matching.py`` (``MatchWithDistance``: ``bank_content_id``
  and ``distance`` as a string).

The hashes and pictures here are vigil's own. What vigil does differently on purpose (a key on
every request, no URL fetching, no renaming, ratios of 0 or 1 only) is in docs/api.md and is
not replayed.
"""

from __future__ import annotations

import io

from fastapi.testclient import TestClient

from tests.web.conftest import KNOWN, Keys
from vigil.testing.pictures import draw_picture

NINE_AWAY = "f" * 16 + "ff1" + "0" * 45  # 9 bits from KNOWN: within PDQ's threshold of 31
FAR = "0" * 16 + "f" * 48


def _png(seed: int) -> bytes:
    buffer = io.BytesIO()
    draw_picture(seed).save(buffer, format="PNG")
    return buffer.getvalue()


def _bank(client: TestClient, admin: dict[str, str], name: str) -> None:
    """``tests/utils.py::create_bank``: 201 and the bank as ``BankConfig``."""
    created = client.post("/c/banks", json={"name": name}, headers=admin)
    assert created.status_code == 201
    body = created.json()
    assert {k: body[k] for k in ("name", "matching_enabled_ratio")} == {
        "name": name, "matching_enabled_ratio": 1.0}


def _add(client: TestClient, admin: dict[str, str], bank: str, signal: str) -> int:
    """``bank-management.js``: the hash keyed by its signal type, with a note; JSON back."""
    added = client.post(f"/c/bank/{bank}/signal", json={"pdq": signal, "note": "seen in a call"},
                        headers=admin)
    assert added.status_code == 200, added.text
    body = added.json()
    assert body["signals"] == {"pdq": signal} and isinstance(body["id"], int)
    return int(body["id"])


def test_bank_listing_and_curation(client: TestClient, keys: Keys) -> None:
    admin, lookup = keys("acme", "admin"), keys("acme", "lookup")
    assert client.get("/c/banks", headers=lookup).json() == []  # test_banks_empty_index
    _bank(client, admin, "MY_TEST_BANK_01")
    listed = client.get("/c/banks", headers=lookup)
    assert listed.status_code == 200 and [b["name"] for b in listed.json()] == ["MY_TEST_BANK_01"]
    assert client.post("/c/banks", json={"name": "MY_TEST_BANK_01"},
                       headers=admin).status_code == 403  # "Bank already exists"
    shown = client.get("/c/bank/MY_TEST_BANK_01", headers=lookup)
    assert shown.status_code == 200 and shown.json()["matching_enabled_ratio"] == 1.0
    assert client.get("/c/bank/NOT_THERE", headers=lookup).status_code == 404
    paused = client.put("/c/bank/MY_TEST_BANK_01", json={"enabled": False}, headers=admin)
    assert paused.status_code == 200 and paused.json()["matching_enabled_ratio"] == 0
    assert client.post("/c/bank/NOT_THERE/signal", json={"pdq": KNOWN},
                       headers=admin).status_code == 404
    assert client.post("/c/bank/MY_TEST_BANK_01/signal", json={"note": "no hash"},
                       headers=admin).status_code == 400  # "No signals given"


def test_raw_lookup_and_lookup_read_as_hma_tests_read_them(client: TestClient,
                                                           keys: Keys) -> None:
    admin, headers = keys("acme", "admin"), keys("acme", "lookup")
    ids = {}
    for name in ("BANK_A", "BANK_B", "BANK_C"):
        _bank(client, admin, name)
        ids[name] = _add(client, admin, name, KNOWN)
    query: dict[str, str] = {"signal": NINE_AWAY, "signal_type": "pdq"}
    raw = client.get("/m/raw_lookup", params=query, headers=headers)
    assert raw.status_code == 200 and sorted(raw.json()["matches"]) == sorted(ids.values())
    with_distance = client.get("/m/raw_lookup", params={**query, "include_distance": "True"},
                               headers=headers).json()["matches"]
    assert sorted(m["bank_content_id"] for m in with_distance) == sorted(ids.values())
    assert {m["distance"] for m in with_distance} == {"9"}
    for banks, expected in (("BANK_A", 1), ("BANK_A,BANK_B", 2), ("NON_EXISTENT_BANK", 0)):
        filtered = client.get("/m/raw_lookup", params={**query, "banks": banks}, headers=headers)
        assert filtered.status_code == 200 and len(filtered.json()["matches"]) == expected
    looked = client.get("/m/lookup", params=query, headers=headers)
    assert looked.status_code == 200
    assert looked.json() == {name: [{"bank_content_id": ids[name], "distance": "9"}]
                             for name in ("BANK_A", "BANK_B", "BANK_C")}
    for banks, names in (("BANK_A", {"BANK_A"}), ("BANK_A,BANK_C", {"BANK_A", "BANK_C"}),
                         ("NON_EXISTENT_BANK", set())):
        filtered = client.get("/m/lookup", params={**query, "banks": banks}, headers=headers)
        assert filtered.status_code == 200 and set(filtered.json()) == names
    assert client.get("/m/lookup", params={"signal": FAR, "signal_type": "pdq"},
                      headers=headers).json() == {}
    client.put("/c/bank/BANK_B", json={"enabled": False}, headers=admin)
    assert set(client.get("/m/lookup", params=query, headers=headers).json()) == {
        "BANK_A", "BANK_C"}


def test_compare_answers_hma_shape_and_refuses_what_hma_refuses(client: TestClient,
                                                                keys: Keys) -> None:
    headers = keys("acme", "lookup")
    compared = client.post("/m/compare", json={"pdq": [KNOWN, NINE_AWAY]}, headers=headers)
    assert compared.status_code == 200 and compared.json() == {"pdq": [True, {"distance": 9}]}
    far = client.post("/m/compare", json={"pdq": [KNOWN, FAR]}, headers=headers).json()
    assert far == {"pdq": [False, {"distance": 256}]}
    for bad in (["banana"], {"pdq": "banana"}, {"pdq": []}, {"pdq": ["banana", "banana"]},
                {"pdq": [KNOWN, NINE_AWAY, KNOWN]}):
        assert client.post("/m/compare", json=bad, headers=headers).status_code == 400, bad


def test_match_debugger_flow_hash_then_compare(client: TestClient, keys: Keys) -> None:
    """``match_dbg.js``: two uploads as ``photo``, then compare what both answers share."""
    headers = keys("acme", "lookup")
    results = []
    for seed in (3, 4):
        hashed = client.post("/h/hash", files={"photo": ("a.png", _png(seed), "image/png")},
                             headers=headers)
        assert hashed.status_code == 200 and set(hashed.json()) == {"pdq"}
        results.append(hashed.json())
    body = {key: [results[0][key], results[1][key]] for key in results[0] if key in results[1]}
    compared = client.post("/m/compare", json=body, headers=headers).json()
    for _algo, (is_match, details) in compared.items():
        assert isinstance(is_match, bool) and isinstance(details["distance"], int)


def test_upload_lookup_with_photo_and_video_fields(client: TestClient, keys: Keys) -> None:
    """``test_api.py::test_lookup_success``: a picture under ``photo``, then under ``video``."""
    admin, headers = keys("acme", "admin"), keys("acme", "lookup")
    png = _png(3)
    pdq = client.post("/h/hash", files={"photo": ("a.png", png, "image/png")},
                      headers=headers).json()["pdq"]
    _bank(client, admin, "SEEN")
    content = _add(client, admin, "SEEN", pdq)
    as_photo = client.post("/m/lookup", files={"photo": ("a.png", png, "image/png")},
                           headers=headers)
    assert as_photo.status_code == 200
    assert as_photo.json() == {"pdq": {"SEEN": [{"bank_content_id": content, "distance": "0"}]}}
    as_video = client.post("/m/lookup", files={"video": ("a.png", png, "image/png")},
                           headers=headers)
    assert as_video.status_code == 200 and as_video.json() == {"video_md5": {}}


def test_add_content_by_upload_then_find_it(client: TestClient, keys: Keys) -> None:
    """``test_api_banks.py::test_banks_add_content``, with the file uploaded as its UI does
    (``bank-management.js``: the content type is the form field's name)."""
    admin, headers = keys("acme", "admin"), keys("acme", "lookup")
    png = _png(4)
    _bank(client, admin, "NEW_BANK")
    added = client.post("/c/bank/NEW_BANK/content", files={"photo": ("a.png", png, "image/png")},
                        headers=admin)
    assert added.status_code == 200, added.text
    pdq = client.post("/h/hash", files={"photo": ("a.png", png, "image/png")},
                      headers=headers).json()["pdq"]
    assert added.json() == {"id": added.json()["id"], "signals": {"pdq": pdq}}
    assert client.get("/m/raw_lookup", params={"signal_type": "pdq", "signal": pdq},
                      headers=headers).json() == {"matches": [added.json()["id"]]}
    assert client.post("/c/bank/NOT_THERE/content", files={"photo": ("a.png", png, "image/png")},
                       headers=admin).status_code == 404
    assert client.post("/c/bank/NEW_BANK/content", params={"url": "http://example.org/a.png"},
                       headers=admin).status_code == 400  # vigil fetches no media


def test_index_status_shape(client: TestClient, keys: Keys) -> None:
    headers = keys("acme", "lookup")
    status = client.get("/m/index/status", headers=headers)
    assert status.status_code == 200
    assert set(status.json()) == {"pdq", "video_md5"}
    assert set(status.json()["pdq"]) == {"present", "built_to", "size"}
    only = client.get("/m/index/status", params={"signal_type": "pdq"}, headers=headers).json()
    assert set(only) == {"pdq"}
    assert client.get("/m/index/status", params={"signal_type": "nope"},
                      headers=headers).status_code == 400
    assert client.get("/m/lookup", params={"signal_type": "pdq"},
                      headers=headers).status_code == 422  # HMA: 400 (its url may stand in)
