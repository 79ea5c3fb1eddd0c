"""An in-process service (FastAPI's TestClient) over a fresh store, and keys to call it with."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.store_copies import sqlite_copy_url
from vigil import BankEntry, BankInfo, Scope, Settings, create_key
from vigil.web.app import create_app
from vigil.web.state import ServiceState

KNOWN = "f" * 16 + "0" * 48
"""A PDQ hash that the ``known`` bank of every test tenant holds."""

Keys = Callable[..., dict[str, str]]


def report(n: int, **changes: Any) -> dict[str, Any]:
    return {"report_id": f"r{n}", "reporter": f"vidchat:viewer{n}", "reported": "vidchat:host",
            "session_id": f"s{n}", "reported_at": "2026-11-29T10:00:00Z",
            "reason": "he asked my age and to keep it secret", **changes}


@pytest.fixture(params=["memory", "sqlite"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The service's settings; its main store fresh and migrated (a copy of the process's
    migrated SQLite file, tests/store_copies.py). Tenants' stores are made by the service."""
    if request.param == "memory":
        url = "memory://"
    else:
        url = sqlite_copy_url(request.getfixturevalue("sqlite_template"), tmp_path)
    return Settings(database_url=url, media_index="brute", api_max_batch=50,
                    api_max_body_bytes=64 * 1024)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, background=False)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def service(client: TestClient) -> ServiceState:
    state: ServiceState = client.app.state.vigil  # type: ignore[attr-defined]
    return state


@pytest.fixture
def keys(client: TestClient) -> Keys:
    """``keys("acme", "intake", ...)``: headers carrying a new key of that tenant and scopes."""

    def make(tenant: str, *scopes: str, burst: int = 1000) -> dict[str, str]:
        _key, token = create_key(service(client).keys, tenant, [Scope(s) for s in scopes],
                                 name=f"{tenant}-test", rate_per_s=1000.0, burst=burst)
        return {"Authorization": f"Bearer {token}"}

    return make


def add_known_bank(client: TestClient, tenant: str) -> None:
    store = service(client).tenants.get(tenant).store
    store.add_bank(BankInfo("known"))
    store.add_bank_entries([BankEntry("known", KNOWN, "pdq", label="drawn test picture")])
    service(client).tenants.get(tenant).intake.lookups.invalidate()
