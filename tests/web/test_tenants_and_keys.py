"""Tenant stores from the main store's URL; keys created, listed and revoked from the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from tests.conftest import POSTGRES_URL
from tests.web.conftest import report
from vigil import (
    KeySpecError,
    RecordKind,
    Scope,
    Settings,
    TenantStores,
    UnknownTenantError,
    create_key,
    key_store_for,
    load_registry,
    open_store,
    tenant_store_url,
    verify_key,
)
from vigil.cli.main import app


def test_tenant_urls() -> None:
    assert tenant_store_url("sqlite:////data/vigil.db", "acme") == \
        "sqlite:////data/tenants/acme.db"
    assert tenant_store_url("memory://", "acme") == "memory://"
    pg = tenant_store_url("postgresql://vigil@db:5432/vigil", "acme")
    assert pg.endswith("options=-csearch_path%3Dvigil_tenant_acme")
    for bad in ("", "Acme", "a/b", "../x", "a" * 41):
        with pytest.raises(UnknownTenantError):
            tenant_store_url("sqlite:////data/vigil.db", bad)


def test_two_tenants_never_share_a_store(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'vigil.db'}")
    tenants = TenantStores(settings.database_url or "", settings, load_registry,
                           background=False)
    try:
        tenants.get("alpha").intake.accept(RecordKind.REPORT, [report(1)])
        assert tenants.get("beta").store.records(RecordKind.REPORT) == []
        assert (tmp_path / "tenants" / "alpha.db").is_file()
    finally:
        tenants.close()


@pytest.mark.postgres
def test_a_postgresql_tenant_gets_a_schema_of_its_own(postgres_admin: Engine) -> None:
    settings = Settings(database_url=POSTGRES_URL)
    tenants = TenantStores(POSTGRES_URL, settings, load_registry, background=False)
    name = "pytest_tenant_probe"
    try:
        tenants.get(name).intake.accept(RecordKind.REPORT, [report(1)], "k")
        with postgres_admin.connect() as conn:
            count = conn.execute(text(f"SELECT count(*) FROM vigil_tenant_{name}.records"))
            assert count.scalar() == 1
    finally:
        tenants.close()
        with postgres_admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS vigil_tenant_{name} CASCADE"))


def test_keys_are_stored_hashed_and_checked(tmp_path: Path) -> None:
    with _opened(tmp_path) as store:
        keys = key_store_for(store)
        key, token = create_key(keys, "acme", [Scope.INTAKE])
        assert verify_key(keys, token) == key
        assert token.split("_", 2)[2] not in str(keys.find_key(key.key_id))
        assert verify_key(keys, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
        with pytest.raises(KeySpecError):
            create_key(keys, "Acme!", [Scope.INTAKE])
        with pytest.raises(KeySpecError):
            create_key(keys, "acme", [])


class _opened:
    def __init__(self, folder: Path) -> None:
        self.store = open_store(f"sqlite:///{folder / 'vigil.db'}")

    def __enter__(self) -> Any:
        return self.store

    def __exit__(self, *_exc: object) -> None:
        self.store.close()


def test_keys_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'vigil.db'}")
    runner = CliRunner()
    created = runner.invoke(app, ["keys", "create", "--tenant", "acme", "--scope", "intake",
                                  "--scope", "lookup", "--name", "panic button"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("vgl_")
    listed = runner.invoke(app, ["keys", "list"])
    key_id = token.split("_")[1]
    assert key_id in listed.stdout and token.split("_", 2)[2] not in listed.stdout
    assert runner.invoke(app, ["keys", "revoke", key_id]).exit_code == 0
    assert runner.invoke(app, ["keys", "revoke", "nope"]).exit_code == 1
    bad = runner.invoke(app, ["keys", "create", "--tenant", "Bad Name", "--scope", "intake"])
    assert bad.exit_code == 2


def test_serve_runs_uvicorn_with_the_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: calls.append((target, kw)))
    result = CliRunner().invoke(app, ["serve", "--port", "8799"])
    assert result.exit_code == 0, result.output
    target, options = calls[0]
    assert target == "vigil.web.app:app_from_environment" and options["factory"] is True
    assert (options["host"], options["port"]) == ("127.0.0.1", 8799)
