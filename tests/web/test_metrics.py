"""``/metrics`` in Prometheus text; one JSON access line per request, with its id."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import Keys, add_known_bank, report


def test_metrics_count_requests_by_route_template(client: TestClient, keys: Keys) -> None:
    add_known_bank(client, "acme")
    client.post("/v1/reports", json=report(1), headers=keys("acme", "intake"))
    client.get("/v1/cases/nope", headers=keys("acme", "cases:read"))
    text = client.get("/metrics").text
    assert 'vigil_http_requests_total{method="POST",route="/v1/reports",status="201"} 1.0' in text
    assert 'route="/v1/cases/{case_id}",status="404"' in text and "nope" not in text
    assert "vigil_http_request_seconds_bucket" in text
    assert "vigil_index_hashes 1.0" in text and "vigil_intake_lag_seconds" in text
    assert "acme" not in text


def test_one_json_line_per_request(client: TestClient, keys: Keys,
                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="vigil.web.access")
    headers = {**keys("acme", "intake"), "X-Request-ID": "req42"}
    client.post("/v1/reports", json=report(1), headers=headers)
    lines = [json.loads(r.getMessage()) for r in caplog.records
             if r.name == "vigil.web.access"]
    assert lines[-1]["request_id"] == "req42" and lines[-1]["status"] == 201
    assert lines[-1]["route"] == "/v1/reports" and len(lines[-1]["key"]) == 16
    assert "vidchat" not in caplog.text and headers["Authorization"][-10:] not in caplog.text
