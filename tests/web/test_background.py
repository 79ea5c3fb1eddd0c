"""Cases follow intake within seconds without a manual run; shutdown finishes a pending run."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from tests.web.conftest import report
from vigil import Scope, Settings, create_key, open_store, tenant_store_url
from vigil.web.app import create_app


def _headers(client: TestClient, *scopes: Scope) -> dict[str, str]:
    _key, token = create_key(client.app.state.vigil.keys,  # type: ignore[attr-defined]
                             "acme", list(scopes))
    return {"Authorization": f"Bearer {token}"}


def test_cases_appear_within_seconds(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'vigil.db'}",
                        intake_rerun_delay_s=0.2)
    with TestClient(create_app(settings)) as client:
        client.post("/v1/reports", json=[report(1), report(2)],
                    headers=_headers(client, Scope.INTAKE))
        reader = _headers(client, Scope.CASES_READ)
        deadline = time.monotonic() + 10
        while client.get("/v1/cases", headers=reader).json()["total"] == 0:
            assert time.monotonic() < deadline, "no case 10 s after intake"
            time.sleep(0.05)


def test_shutdown_finishes_a_pending_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'vigil.db'}"
    settings = Settings(database_url=url, intake_rerun_delay_s=600)
    with TestClient(create_app(settings)) as client:
        client.post("/v1/reports", json=report(1), headers=_headers(client, Scope.INTAKE))
    store = open_store(tenant_store_url(url, "acme"))
    try:
        assert store.cases(), "the pending run was dropped at shutdown"
    finally:
        store.close()
