"""``vigil serve --demo``: the demo world in a fresh store, with a demo admin and a demo analyst.

The world is built exactly as ``vigil demo`` builds it (:func:`vigil.run_demo`), into the store
of tenant ``demo`` beside a fresh main store that keeps the accounts. Each account gets a random
password and its own TOTP secret, returned once for the command to print: they are one-time
credentials for a local demonstration, never for real data.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vigil.access.tenants import tenant_store_url
from vigil.accounts.credentials import Enrolment
from vigil.accounts.model import Role
from vigil.accounts.service import AccountService
from vigil.accounts.store import account_store
from vigil.demo.run import DemoResult, run_demo
from vigil.registry import Registry
from vigil.settings import Settings
from vigil.store.open import open_store

DEMO_TENANT = "demo"
DEMO_ACCOUNTS = (("demo-admin", Role.ADMIN), ("demo-analyst", Role.ANALYST))


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    password: str
    enrolment: Enrolment


@dataclass(frozen=True)
class DemoWorkspace:
    """Where the demo lives and who may log on: ``main_url`` is the store to serve."""

    main_url: str
    tenant: str
    accounts: tuple[DemoAccount, ...]
    result: DemoResult


def demo_workspace(folder: Path, settings: Settings, registry: Registry, *, seed: int = 7,
                   on_step: Callable[[str], None] | None = None,
                   service: Callable[..., AccountService] = AccountService) -> DemoWorkspace:
    """Build the demo world and its accounts in ``folder``, which is emptied first."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    main_url = f"sqlite:///{folder / 'vigil.db'}"
    tenant_url = tenant_store_url(main_url, DEMO_TENANT)
    Path(tenant_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    result = run_demo(seed, folder / "world", settings, registry, database_url=tenant_url,
                      on_step=on_step)
    store = open_store(main_url)
    try:
        accounts = service(account_store(store), store)
        made = []
        for username, role in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(12)
            enrolment = accounts.create_account(username, role, DEMO_TENANT, password,
                                                created_by="vigil serve --demo")
            made.append(DemoAccount(username, role, password, enrolment))
    finally:
        store.close()
    return DemoWorkspace(main_url, DEMO_TENANT, tuple(made), result)
